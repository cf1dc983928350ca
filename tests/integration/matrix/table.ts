// The access matrix as a declarative table: role × collection × action → all, some (a row filter or a validation
// narrows it) or none. tests/integration/access-matrix.test.ts generates its cases from this table and checks the
// table against the permission specs of the snapshot versions (scripts/domain/service-desk/access.ts,
// scripts/domain/versions/access-rules.ts, auth.ts and least-privilege.ts) and against the live /permissions, so none
// of the three can drift.
import {
  POLICY,
  permissions as serviceDesk,
  type PermissionSpec,
} from '../../../scripts/domain/service-desk/access.js';
import {
  CUSTOMER_TICKET_UPDATE_FIELDS,
  permissions as accessRules,
} from '../../../scripts/domain/versions/access-rules.js';
import { selfPermissions } from '../../../scripts/domain/versions/auth.js';
import { applyReplacements } from '../../../scripts/domain/versions/least-privilege.js';

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
  customer: row('r...', '....', 'rcu.', 'rc..', 'R...', 'r...', '....', 'r...', 'r.u.'),
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

/** The permission specs of every service-desk version, with the later version's change to an earlier row. */
export function specs(): PermissionSpec[] {
  const all = serviceDesk.map((spec) =>
    spec.policy === POLICY.customer && spec.collection === 'tickets' && spec.action === 'update'
      ? { ...spec, fields: CUSTOMER_TICKET_UPDATE_FIELDS }
      : spec,
  );
  return applyReplacements([...all, ...accessRules, ...selfPermissions]);
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
