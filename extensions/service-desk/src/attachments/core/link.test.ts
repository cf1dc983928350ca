import { describe, expect, it } from '@jest/globals';
import { linkOf } from './link.js';

const FILE = '0b6c5b8e-2f0e-4d7e-9a4b-1f1e2d3c4b5a';
const MESSAGE = '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d';

describe('linkOf', () => {
  it('takes the file and message keys of a junction row', () => {
    expect(linkOf({ directus_files_id: FILE, ticket_messages_id: MESSAGE })).toEqual({ file: FILE, message: MESSAGE });
  });

  it('gives nothing for nested objects, missing or malformed keys', () => {
    expect(linkOf({ directus_files_id: { title: 'new' }, ticket_messages_id: MESSAGE })).toBeNull();
    expect(linkOf({ directus_files_id: FILE })).toBeNull();
    expect(linkOf({ directus_files_id: 'x', ticket_messages_id: MESSAGE })).toBeNull();
  });
});
