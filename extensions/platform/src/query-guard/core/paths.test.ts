import { describe, expect, it } from '@jest/globals';
import { accessFromGrants, type CollectionAccess } from './access.js';
import {
  refusedPaths,
  describeRefusals,
  usesFields,
  type QueryView,
  type RelationView,
  type SchemaView,
} from './paths.js';

// A small service desk: tickets -> assignee (users), tickets <- messages, messages -> author (users),
// notes (m2a "item" to tickets or articles), articles -> author.
const relations: RelationView[] = [
  { collection: 'tickets', field: 'assignee', related_collection: 'users', meta: { one_field: null } },
  { collection: 'tickets', field: 'organization', related_collection: 'orgs', meta: { one_field: 'tickets' } },
  { collection: 'messages', field: 'ticket', related_collection: 'tickets', meta: { one_field: 'messages' } },
  { collection: 'messages', field: 'author', related_collection: 'users', meta: { one_field: null } },
  { collection: 'notes', field: 'item', related_collection: null, meta: { one_field: null } },
  { collection: 'articles', field: 'author', related_collection: 'users', meta: { one_field: null } },
];
const PK: Record<string, string> = {
  tickets: 'id',
  users: 'id',
  messages: 'id',
  orgs: 'id',
  notes: 'id',
  articles: 'id',
};
const CONCEALED = new Set(['users.password', 'users.tfa_secret', 'users.token']);
const schema: SchemaView = {
  relations,
  primaryKey: (collection) => PK[collection],
  concealed: (collection, field) => CONCEALED.has(`${collection}.${field}`),
};

// A customer: tickets and public messages of their organization, their own user row, their organization.
const customer: Record<string, CollectionAccess | null> = {
  tickets: accessFromGrants([
    { fields: ['id', 'subject', 'assignee', 'organization', 'messages', 'date_created'], rowRule: true },
  ]),
  messages: accessFromGrants([{ fields: ['id', 'ticket', 'author', 'body'], rowRule: true }]),
  users: accessFromGrants([{ fields: ['id', 'first_name', 'email', 'tfa_secret', 'password'], rowRule: true }]),
  orgs: accessFromGrants([{ fields: ['id', 'name'], rowRule: true }]),
  articles: accessFromGrants([{ fields: ['id', 'title', 'author'], rowRule: true }]),
  notes: null,
};
// Staff: every ticket and message, a list of user fields on every user, and (app access) their own row in full.
const staff: Record<string, CollectionAccess | null> = {
  tickets: accessFromGrants([{ fields: ['*'], rowRule: false }]),
  messages: accessFromGrants([{ fields: ['*'], rowRule: false }]),
  users: accessFromGrants([
    { fields: ['id', 'first_name', 'email', 'role'], rowRule: false },
    { fields: ['id', 'first_name', 'email', 'tfa_secret', 'password', 'last_page'], rowRule: true },
  ]),
  orgs: accessFromGrants([{ fields: ['*'], rowRule: false }]),
  articles: accessFromGrants([{ fields: ['*'], rowRule: false }]),
  notes: accessFromGrants([{ fields: ['*'], rowRule: false }]),
};

const refused = (who: Record<string, CollectionAccess | null>, collection: string, query: QueryView) =>
  refusedPaths(collection, query, (c) => who[c] ?? null, schema)
    .map((r) => `${r.path}:${r.reason}`)
    .sort();

describe('accessFromGrants', () => {
  it('unites fields granted without item rule, intersects every grant for the visible rows', () => {
    const access = accessFromGrants([
      { fields: ['id', 'email'], rowRule: false },
      { fields: ['id', 'email', 'tfa_secret'], rowRule: true },
    ])!;
    expect([...(access.everyRow as Set<string>)].sort()).toEqual(['email', 'id']);
    expect([...(access.everyVisibleRow as Set<string>)].sort()).toEqual(['email', 'id']);
  });

  it('a single rule-limited grant covers all the rows it makes visible, but no row beyond', () => {
    const access = accessFromGrants([{ fields: ['id', 'body'], rowRule: true }])!;
    expect([...(access.everyRow as Set<string>)]).toEqual([]);
    expect([...(access.everyVisibleRow as Set<string>)].sort()).toEqual(['body', 'id']);
  });

  it("'*' stays '*' and intersects with lists", () => {
    expect(accessFromGrants([{ fields: ['*'], rowRule: false }])).toEqual({ everyRow: '*', everyVisibleRow: '*' });
    const access = accessFromGrants([
      { fields: ['*'], rowRule: true },
      { fields: ['id'], rowRule: true },
    ])!;
    expect([...(access.everyVisibleRow as Set<string>)]).toEqual(['id']);
  });

  it('an IP-limited grant never widens, but still narrows the visible rows', () => {
    const access = accessFromGrants([
      { fields: ['*'], rowRule: false, ipLimited: true },
      { fields: ['id'], rowRule: true },
    ])!;
    expect([...(access.everyRow as Set<string>)]).toEqual([]);
    expect([...(access.everyVisibleRow as Set<string>)]).toEqual(['id']);
  });

  it('no grant: no access', () => {
    expect(accessFromGrants([])).toBeNull();
  });
});

describe('refusedPaths: filters through relations (finding 6)', () => {
  it("refuses a related user's email, one character at a time or not", () => {
    expect(refused(customer, 'tickets', { filter: { assignee: { email: { _starts_with: 'a' } } } })).toEqual([
      'assignee.email:not-readable-on-every-row',
    ]);
  });

  it('allows fields readable on every row the scope can see, and the key right after a many-to-one', () => {
    expect(refused(customer, 'tickets', { filter: { subject: { _contains: 'x' } } })).toEqual([]);
    expect(refused(customer, 'tickets', { filter: { assignee: { id: { _eq: 'u1' } } } })).toEqual([]);
    expect(refused(customer, 'tickets', { filter: { assignee: { _null: true } } })).toEqual([]);
    expect(refused(customer, 'users', { filter: { email: { _eq: 'me@example.com' } } })).toEqual([]);
  });

  it("refuses an internal note's body through an o2m join, allows it in a _some subquery (limited to readable rows)", () => {
    expect(refused(customer, 'tickets', { filter: { messages: { body: { _contains: 'secret' } } } })).toEqual([
      'messages.body:not-readable-on-every-row',
    ]);
    expect(refused(customer, 'tickets', { filter: { messages: { _some: { body: { _contains: 'x' } } } } })).toEqual([]);
    expect(
      refused(customer, 'tickets', { filter: { messages: { _none: { author: { email: { _eq: 'x' } } } } } }),
    ).toEqual(['messages.author.email:not-readable-on-every-row']);
  });

  it('looks inside _and/_or at any depth, and at every key of an object', () => {
    const filter = {
      _and: [
        { subject: { _nnull: true } },
        { _or: [{ assignee: { first_name: { _eq: 'A' } } }, { organization: { name: { _eq: 'Acme' } } }] },
      ],
    };
    expect(refused(customer, 'tickets', { filter })).toEqual([
      'assignee.first_name:not-readable-on-every-row',
      'organization.name:not-readable-on-every-row',
    ]);
    expect(refused(customer, 'tickets', { filter: { assignee: { id: { _eq: 'u' }, email: { _eq: 'x' } } } })).toEqual([
      'assignee.email:not-readable-on-every-row',
    ]);
  });

  it('never allows concealed fields, at the root or through a relation, even to staff', () => {
    expect(refused(staff, 'users', { filter: { tfa_secret: { _nnull: true } } })).toEqual(['tfa_secret:concealed']);
    expect(refused(customer, 'users', { filter: { password: { _nnull: true } } })).toEqual(['password:concealed']);
    expect(refused(staff, 'tickets', { filter: { assignee: { tfa_secret: { _null: false } } } })).toEqual([
      'assignee.tfa_secret:concealed',
    ]);
    expect(refused(staff, 'users', { sort: ['token'] })).toEqual(['token:concealed']);
  });

  it("a field only some of the caller's permissions grant is refused at the root (staff: their own row only)", () => {
    expect(refused(staff, 'users', { filter: { last_page: { _nnull: true } } })).toEqual([
      'last_page:not-readable-on-every-row',
    ]);
    expect(refused(staff, 'users', { filter: { email: { _ends_with: '.com' } } })).toEqual([]);
    expect(refused(staff, 'tickets', { filter: { assignee: { email: { _eq: 'x' } } } })).toEqual([]);
  });

  it('follows $FOLLOW reverse relations as joins', () => {
    expect(refused(customer, 'users', { filter: { '$FOLLOW(messages, author)': { body: { _eq: 'x' } } } })).toEqual([
      '$FOLLOW(messages, author):not-readable-on-every-row',
    ]);
    expect(refused(staff, 'users', { filter: { '$FOLLOW(messages, author)': { body: { _eq: 'x' } } } })).toEqual([]);
  });

  it('follows many-to-any paths with their collection scope', () => {
    expect(refused(staff, 'notes', { filter: { 'item:tickets': { subject: { _eq: 'x' } } } })).toEqual([]);
    expect(
      refused(staff, 'notes', { filter: { 'item:tickets': { assignee: { tfa_secret: { _nnull: true } } } } }),
    ).toEqual(['item:tickets.assignee.tfa_secret:concealed']);
  });

  it('checks the field inside functions, and what count(o2m) counts', () => {
    expect(refused(customer, 'tickets', { filter: { 'year(date_created)': { _eq: 2026 } } })).toEqual([]);
    expect(refused(customer, 'tickets', { filter: { assignee: { 'year(last_access)': { _eq: 2026 } } } })).toEqual([
      'assignee.year(last_access):not-readable-on-every-row',
    ]);
    // count(messages) counts internal notes too: the customer cannot read every message.
    expect(refused(customer, 'tickets', { filter: { 'count(messages)': { _gt: 1 } } })).toEqual([
      'count(messages):related-rows-not-all-readable',
    ]);
    expect(refused(staff, 'tickets', { filter: { 'count(messages)': { _gt: 1 } } })).toEqual([]);
  });
});

describe('refusedPaths: sort, aggregate, groupBy, deep', () => {
  it('sort by a related field, descending or not', () => {
    expect(refused(customer, 'tickets', { sort: ['-assignee.email', 'subject'] })).toEqual([
      'assignee.email:not-readable-on-every-row',
    ]);
    expect(refused(customer, 'tickets', { sort: 'assignee.email' })).toEqual([
      'assignee.email:not-readable-on-every-row',
    ]);
  });

  it('sort by an aggregate result is not a field', () => {
    expect(refused(customer, 'tickets', { aggregate: { count: ['*'] }, group: ['subject'], sort: ['count'] })).toEqual(
      [],
    );
  });

  it('aggregate and groupBy fields, functions included', () => {
    expect(
      refused(customer, 'tickets', { aggregate: { countDistinct: ['assignee.email'] }, group: ['year(date_created)'] }),
    ).toEqual(['assignee.email:not-readable-on-every-row']);
    expect(refused(staff, 'users', { aggregate: { count: ['tfa_secret'] } })).toEqual(['tfa_secret:concealed']);
    expect(refused(staff, 'users', { group: ['tfa_secret'] })).toEqual(['tfa_secret:concealed']);
    expect(refused(customer, 'tickets', { group: ['assignee.email'] })).toEqual([
      'assignee.email:not-readable-on-every-row',
    ]);
  });

  it('deep filters and sorts are scope roots on the related collection, with joins beyond them', () => {
    expect(refused(customer, 'tickets', { deep: { messages: { _filter: { body: { _contains: 'x' } } } } })).toEqual([]);
    expect(
      refused(customer, 'tickets', { deep: { messages: { _filter: { author: { email: { _starts_with: 'a' } } } } } }),
    ).toEqual(['messages.author.email:not-readable-on-every-row']);
    expect(refused(customer, 'tickets', { deep: { messages: { author: { _sort: ['tfa_secret'] } } } })).toEqual([
      'messages.author.tfa_secret:concealed',
    ]);
    expect(refused(staff, 'tickets', { deep: { assignee: { _filter: { last_page: { _nnull: true } } } } })).toEqual([
      'assignee.last_page:not-readable-on-every-row',
    ]);
  });

  it('a collection the caller cannot read at all is refused wherever it is reached', () => {
    expect(refused(customer, 'tickets', { filter: { messages: { _some: { ticket: { _nnull: true } } } } })).toEqual([]);
    const none = { ...customer, messages: null };
    expect(refused(none, 'tickets', { filter: { messages: { _some: { body: { _eq: 'x' } } } } })).toEqual([
      'messages.body:not-readable-on-every-row',
    ]);
  });

  it('an empty or absent query refuses nothing', () => {
    expect(refused(customer, 'tickets', {})).toEqual([]);
    expect(refused(customer, 'tickets', { filter: null, sort: null, deep: 'x' })).toEqual([]);
  });
});

describe('describeRefusals', () => {
  it('names the path, the field and why, never a value', () => {
    const text = describeRefusals(
      refusedPaths(
        'tickets',
        { filter: { assignee: { email: { _starts_with: 'secret-prefix' } } } },
        (c) => customer[c] ?? null,
        schema,
      ),
    );
    expect(text).toContain('"assignee.email"');
    expect(text).toContain('"email" of "users"');
    expect(text).not.toContain('secret-prefix');
  });
});

describe('usesFields', () => {
  it('is false for a plain read, so no grants are loaded', () => {
    expect(usesFields({})).toBe(false);
    expect(usesFields({ filter: {}, sort: [], aggregate: {}, group: [], deep: {} })).toBe(false);
    expect(usesFields({ filter: null, sort: null })).toBe(false);
  });
  it('is true as soon as one part names a field', () => {
    expect(usesFields({ filter: { status: { _eq: 'open' } } })).toBe(true);
    expect(usesFields({ sort: ['-date_created'] })).toBe(true);
    expect(usesFields({ aggregate: { count: ['*'] } })).toBe(true);
    expect(usesFields({ group: ['status'] })).toBe(true);
    expect(usesFields({ deep: { messages: { _filter: { internal: { _eq: false } } } } })).toBe(true);
  });
});
