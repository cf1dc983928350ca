import { describe, expect, it } from '@jest/globals';
import { allowedTransitions, transitionsParams } from './contract.js';

describe('transitionsParams', () => {
  it('takes a collection name and an item key', () => {
    expect(transitionsParams.parse({ collection: 'tickets', id: '6f1c0d3e' })).toEqual({
      collection: 'tickets',
      id: '6f1c0d3e',
    });
  });

  it('refuses a collection that is not a collection name (it is looked up and queried by name)', () => {
    for (const collection of ['directus users', '1tickets', 'tickets;drop', 'a'.repeat(65)]) {
      const result = transitionsParams.safeParse({ collection, id: '1' });
      expect(result.error?.issues).toEqual([
        expect.objectContaining({ path: ['collection'], message: 'must be a collection name' }),
      ]);
    }
  });

  it('refuses an empty or overlong item key', () => {
    expect(transitionsParams.safeParse({ collection: 'tickets', id: '' }).success).toBe(false);
    expect(transitionsParams.safeParse({ collection: 'tickets', id: 'x'.repeat(129) }).success).toBe(false);
  });
});

describe('allowedTransitions', () => {
  it('its documented example is a valid response, and a blocked move must say why', () => {
    const example = allowedTransitions.meta()?.example as { data: Record<string, unknown> };
    expect(allowedTransitions.safeParse(example).success).toBe(true);
    const withoutReason = { data: { ...example.data, blocked: [{ name: 'reopen', to: 'open' }] } };
    expect(allowedTransitions.safeParse(withoutReason).success).toBe(false);
  });
});
