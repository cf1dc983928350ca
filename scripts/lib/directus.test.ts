import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DIRECTUS_NODE_OPTIONS, directusNodeOptions } from './directus.js';
import { repoRoot } from './paths.js';

describe("Directus's NODE_OPTIONS", () => {
  it('adds the young generation setting to none or to other options', () => {
    expect(directusNodeOptions(undefined)).toBe(DIRECTUS_NODE_OPTIONS);
    expect(directusNodeOptions('')).toBe(DIRECTUS_NODE_OPTIONS);
    expect(directusNodeOptions('--max-old-space-size=512')).toBe(`${DIRECTUS_NODE_OPTIONS} --max-old-space-size=512`);
  });
  it('is what the image sets (the Dockerfile cannot import it)', () => {
    expect(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8')).toContain(
      `ENV NODE_OPTIONS=${DIRECTUS_NODE_OPTIONS}\n`,
    );
  });
  it("keeps an operator's own semi-space setting", () => {
    expect(directusNodeOptions('--max-semi-space-size=32')).toBe('--max-semi-space-size=32');
  });
});
