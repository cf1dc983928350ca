import { describe, expect, it } from '@jest/globals';
import { messageIdsOf, normalMessageId } from './references.js';

describe('messageIdsOf', () => {
  it('lists In-Reply-To then References ids, once each', () => {
    expect(messageIdsOf('<b@x>', '<a@x> <b@x>\r\n <c@x>')).toEqual(['<b@x>', '<a@x>', '<c@x>']);
    expect(messageIdsOf(undefined, ['<a@x>', '<a@x>'], null)).toEqual(['<a@x>']);
  });
  it('takes a bare id as one and ignores text that is none', () => {
    expect(messageIdsOf('a@x')).toEqual(['<a@x>']);
    expect(messageIdsOf('not an id', '')).toEqual([]);
  });
  it('drops ids longer than a header line may be', () => {
    expect(messageIdsOf(`<${'a'.repeat(1000)}@x>`)).toEqual([]);
  });
});

describe('normalMessageId', () => {
  it('brackets a Message-ID or gives null', () => {
    expect(normalMessageId('<m@x>')).toBe('<m@x>');
    expect(normalMessageId('m@x')).toBe('<m@x>');
    expect(normalMessageId(undefined)).toBeNull();
  });
});
