import { describe, expect, it } from '@jest/globals';
import { resolveRequestId } from './request-id.js';

const generate = () => 'generated-id';

describe('resolveRequestId', () => {
  it('keeps a plain incoming id', () => {
    expect(resolveRequestId('abc-123_X.y:z', generate)).toBe('abc-123_X.y:z');
  });

  it('takes the first of repeated headers', () => {
    expect(resolveRequestId(['first', 'second'], generate)).toBe('first');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a newline (log forging)', 'abc\n{"level":60}'],
    ['with spaces', 'a b'],
  ])('generates an id when the incoming one is %s', (_case, incoming) => {
    expect(resolveRequestId(incoming, generate)).toBe('generated-id');
  });

  it('generates UUIDs by default', () => {
    expect(resolveRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
