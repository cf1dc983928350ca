// The generated SDK is typed: a field name that does not exist fails to compile, the right one compiles.
// The Schema comes from a fixture snapshot with domain collections (the real snapshot may have none yet).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../scripts/lib/paths.js';
import { CLIENT_SOURCE } from '../../scripts/sdk/client-template.js';
import { generateSchemaTypes, type SchemaSnapshot } from '../../scripts/sdk/core/schema-types.js';

const workDir = path.join(repoRoot, '.test-runs', 'sdk-types');

function compile(file: string, source: string) {
  writeFileSync(path.join(workDir, file), source);
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  const result = spawnSync(process.execPath, [tsc, ...args, '--target', 'es2023', path.join(workDir, file)], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const usage = (fields: string) => `import { readItems, readSingleton } from '@directus/sdk';
import { createGroundworkClient, readiness } from './client.js';

export async function example() {
  const client = createGroundworkClient('http://localhost:8055');
  const tickets = await client.request(readItems('tickets', { fields: [${fields}] }));
  const settings = await client.request(readSingleton('desk_settings'));
  const report = await client.request(readiness(['postgres']));
  return { tickets, days: settings.auto_close_days, status: report.status };
}
`;

describe('generated SDK types', () => {
  beforeAll(() => {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(path.join(workDir, 'package.json'), JSON.stringify({ type: 'module' }));
    const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/sdk/schema.json'), 'utf8'));
    writeFileSync(path.join(workDir, 'directus-schema.ts'), generateSchemaTypes(fixture as SchemaSnapshot, 'fixture'));
    writeFileSync(path.join(workDir, 'client.ts'), CLIENT_SOURCE);
    copyFileSync(path.join(repoRoot, 'schema', 'api.d.ts'), path.join(workDir, 'api.d.ts'));
  });

  it('compiles a query with real field names, including a relational one', () => {
    const result = compile('right.ts', usage(`'subject', 'priority', { organization: ['name'] }`));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses a field name that does not exist', () => {
    const result = compile('wrong.ts', usage(`'subjct'`));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('subjct');
  });

  it('refuses a field of the wrong related collection', () => {
    const result = compile('wrong-relation.ts', usage(`{ organization: ['subject'] }`));
    expect(result.code).not.toBe(0);
  });
});
