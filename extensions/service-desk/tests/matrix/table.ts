// The access matrix as a declarative table: role × collection × action → all, some (a row filter or a validation
// narrows it) or none. extensions/service-desk/tests/access-matrix.test.ts generates its cases from this table and checks the
// table against the permission specs of the snapshot versions (extensions/service-desk/spec/service-desk/access.ts,
// extensions/service-desk/spec/versions/access-rules.ts, auth.ts and least-privilege.ts) and against the live /permissions, so none
// of the three can drift.
import { POLICY, permissions as serviceDesk, type PermissionSpec } from '../../spec/service-desk/access.js';
import { CUSTOMER_TICKET_UPDATE_FIELDS, permissions as accessRules } from '../../spec/versions/access-rules.js';
import { SELF_FIELDS, selfPermissions } from '../../spec/versions/auth.js';
import { applyCustomerAttachments } from '../../spec/versions/customer-attachments.js';
import { applyReplacements } from '../../spec/versions/least-privilege.js';
import { widenedPermissions } from '../../spec/workflows/access.js';

export const ROLES = ['manager', 'agent', 'contentEditor', 'customer', 'integration', 'public'] as const;
export const COLLECTIONS = [
  'organizations',
  'sla_policies',
  'tickets',
  'ticket_messages',
  'kb_categories',
  'kb_articles',
  'tags',
  'directus_files',
  'directus_users',
] as const;
export const ACTIONS = ['read', 'create', 'update', 'delete'] as const;

export type Role = (typeof ROLES)[number];
export type Collection = (typeof COLLECTIONS)[number];
export type Action = (typeof ACTIONS)[number];
export type Grant = 'all' | 'some' | 'none';

// One cell per collection: read, create, update, delete. Upper case: every row; lower case: some rows (a row
// filter or a validation); '.': none.
const TABLE: Record<Role, Record<Collection, string>> = {
  //             orgs    sla     tickets messages kb_cat  kb_art  tags    files   users
  manager: row('RCUD', 'RCUD', 'RCUD', 'RCUD', 'RCUD', 'RCUD', 'RCUD', 'RCU.', 'R.u.'),
  agent: row('R...', 'R...', 'RCU.', 'RCU.', 'R...', 'Rcu.', 'RC..', 'RCu.', 'R.u.'),
  contentEditor: row('....', '....', '....', '....', 'RCUD', 'RCUD', 'RCUD', 'rCu.', 'R.u.'),
  customer: row('r...', '....', 'rcu.', 'rc..', 'R...', 'r...', '....', 'rC..', 'r.u.'),
  integration: row('R...', '....', 'RC..', '....', '....', '....', '....', '....', '....'),
  public: row('....', '....', '....', '....', '....', '....', '....', '....', '....'),
};

function row(...cells: string[]): Record<Collection, string> {
  return Object.fromEntries(COLLECTIONS.map((collection, index) => [collection, cells[index]!])) as Record<
    Collection,
    string
  >;
}

export function expected(role: Role, collection: Collection, action: Action): Grant {
  const letter = TABLE[role][collection][ACTIONS.indexOf(action)]!;
  if (letter === '.') return 'none';
  return letter === letter.toUpperCase() ? 'all' : 'some';
}

export const POLICY_OF: Record<Exclude<Role, 'public'>, string> = POLICY;
/** Directus's fixed id of the Public policy. */
export const PUBLIC_POLICY = 'abf8a154-5b1c-4a46-ac9c-7300570f4f17';

/**
 * The permission specs of every service-desk version, with the later versions' changes to earlier rows: access-rules
 * widens the customer's ticket update, auth the customer's read of themself (their preferences), workflows adds
 * the fields its transitions need, least-privilege narrows the staff's writes, customer-attachments lets customers
 * upload and attach.
 */
export function specs(): PermissionSpec[] {
  const all = serviceDesk.map((spec) => {
    if (spec.policy === POLICY.customer && spec.collection === 'tickets' && spec.action === 'update')
      return { ...spec, fields: CUSTOMER_TICKET_UPDATE_FIELDS };
    if (spec.policy === POLICY.customer && spec.collection === 'directus_users' && spec.action === 'read')
      return { ...spec, fields: [...new Set([...spec.fields, ...SELF_FIELDS])] };
    return spec;
  });
  return applyCustomerAttachments(applyReplacements([...all, ...accessRules, ...selfPermissions])).map((spec) => {
    const widened = widenedPermissions.find(
      (w) => w.policy === spec.policy && w.collection === spec.collection && w.action === spec.action,
    );
    return widened ? { ...spec, fields: [...new Set([...spec.fields, ...widened.add])] } : spec;
  });
}

const narrows = (rule: unknown) => !!rule && typeof rule === 'object' && Object.keys(rule).length > 0;

/** The grant a list of permissions gives: the shape both the specs and the live /permissions rows have. */
export function grantOf(
  rows: Array<{
    policy: string | null;
    collection: string;
    action: string;
    permissions?: unknown;
    validation?: unknown;
  }>,
  policy: string,
  collection: Collection,
  action: Action,
): Grant {
  const found = rows.filter((r) => r.policy === policy && r.collection === collection && r.action === action);
  if (found.length === 0) return 'none';
  return found.some((r) => !narrows(r.permissions) && !narrows(r.validation)) ? 'all' : 'some';
}

export const cells = (): Array<{ role: Role; collection: Collection; action: Action; grant: Grant }> =>
  ROLES.flatMap((role) =>
    COLLECTIONS.flatMap((collection) =>
      ACTIONS.map((action) => ({ role, collection, action, grant: expected(role, collection, action) })),
    ),
  );

// ---------------------------------------------------------------------------------------------------------------
// The field dimension: which fields of a collection a role reads, writes, filters and sorts on, from the same specs.

/** A field of a collection as /fields describes it (the schema is read from the live database). */
export interface FieldInfo {
  field: string;
  type: string;
  special: string[];
  /** The related collection of a many-to-one, else null. */
  related: string | null;
}

/** A field that holds data (not a presentation alias such as a divider). */
export const isData = (f: FieldInfo) => f.type !== 'alias' || !f.special.includes('no-data');
/** A column of the collection's own table (not a one-to-many or many-to-many alias). */
export const isColumn = (f: FieldInfo) => f.type !== 'alias';
/** Directus never hands these out as they are (special conceal or hash); the query guard refuses them to all. */
export const isConcealed = (f: FieldInfo) => f.special.includes('conceal') || f.special.includes('hash');

/** Roles whose policy has app access: Directus adds its minimal app permissions to them. */
export const APP_ACCESS: readonly Role[] = ['manager', 'agent', 'contentEditor'];
/**
 * Fields of their own user row that Directus's minimal app permissions (@directus/system-data,
 * appAccessMinimalPermissions) let an app user read, whatever their policy says.
 */
export const APP_OWN_USER_FIELDS = [
  'id',
  'first_name',
  'last_name',
  'last_page',
  'email',
  'password',
  'location',
  'title',
  'description',
  'tags',
  'provider',
  'preferences_divider',
  'avatar',
  'language',
  'appearance',
  'theme_light',
  'theme_dark',
  'tfa_secret',
  'status',
  'role',
];

function specOf(role: Role, collection: Collection, action: Action): PermissionSpec | null {
  if (role === 'public') return null;
  return (
    specs().find((s) => s.policy === POLICY_OF[role] && s.collection === collection && s.action === action) ?? null
  );
}

/** The fields a role's permission of this action names ('*': all), limited to those that exist; [] without one. */
export function grantedFields(role: Role, collection: Collection, action: Action, schema: FieldInfo[]): string[] {
  const spec = specOf(role, collection, action);
  if (!spec) return [];
  const named = spec.fields.includes('*') ? schema.map((f) => f.field) : spec.fields;
  return schema.filter((f) => isData(f) && named.includes(f.field)).map((f) => f.field);
}

/** Fields of one returned row a role reads: its read permission's, and on its own user row the app minimum. */
export function readableOnRow(role: Role, collection: Collection, schema: FieldInfo[], ownRow: boolean): string[] {
  const fields = new Set(grantedFields(role, collection, 'read', schema));
  if (collection === 'directus_users' && ownRow && APP_ACCESS.includes(role))
    for (const f of schema) if (isData(f) && APP_OWN_USER_FIELDS.includes(f.field)) fields.add(f.field);
  return [...fields];
}

/** Fields a role reads on some row: what a query may name in `fields` (Directus refuses any other). */
export const readableSomewhere = (role: Role, collection: Collection, schema: FieldInfo[]) =>
  readableOnRow(role, collection, schema, true);

/**
 * Fields a role may filter, sort or group on (decision 0015). At the root of the query: readable on every row it
 * can read (its read permission's fields; the app minimum covers only its own row). Through a join: readable on
 * every row of the related collection, i.e. named by a read permission without a row rule; the related key itself
 * is the foreign key. Never a concealed field.
 */
export function comparable(role: Role, collection: Collection, schema: FieldInfo[], joined: boolean): Set<string> {
  const spec = specOf(role, collection, 'read');
  if (!spec) return new Set();
  if (joined && spec.permissions && Object.keys(spec.permissions).length > 0) return new Set();
  return new Set(
    grantedFields(role, collection, 'read', schema).filter(
      (field) => !isConcealed(schema.find((f) => f.field === field)!),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Our own routes (/groundwork/v1): exports, imports and search take their rules from the table above; reports read
// rollup collections (extensions/service-desk/spec/reports/rollups.ts), so who runs them is a column of its own here,
// checked against the rollups' read permissions.

/** Who runs GET /groundwork/v1/reports/:report: all rows, their organization's rows only (some), or none. */
export const REPORT_READ: Record<Role, Grant> = {
  manager: 'all',
  agent: 'all',
  contentEditor: 'none',
  customer: 'some',
  integration: 'none',
  public: 'none',
};

/**
 * The rows a narrowed (some) grant of the table reaches in the matrix's fixtures: the customer of organization A's
 * own organization, its public messages, published articles. Rows planted outside it (organization B, an internal
 * note, a draft) only an `all` grant reaches.
 */
export const reachable = (grant: Grant, inside: boolean) => grant === 'all' || (grant === 'some' && inside);
