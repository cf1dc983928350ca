// What a user may do right now, computed the way Directus 11 computes it from a token's role
// (get-accountability-for-token: roles tree from the role up, admin/app from the policies attached to those roles
// or to the user, honouring ip_access), but from the user's current row instead of the role the token carries.
// Pure: the rows are given; the adapter reads them.
import { BlockList, isIP } from 'node:net';

export interface UserRow {
  id: string;
  status: string;
  role: string | null;
}

export interface RoleRow {
  id: string;
  parent: string | null;
}

/** A directus_access row joined with its policy's global flags. */
export interface AccessRow {
  role: string | null;
  user: string | null;
  admin_access: unknown;
  app_access: unknown;
  ip_access: unknown;
}

/** The accountability fields Directus derives from the token's role. */
export interface Access {
  role: string | null;
  roles: string[];
  admin: boolean;
  app: boolean;
}

/** Roles from the root down to `role` (Directus's order: policies are sorted by it). Cycles stop the walk. */
export function rolesTree(role: string | null, roles: readonly RoleRow[]): string[] {
  const parents = new Map(roles.map((row) => [row.id, row.parent]));
  const tree: string[] = [];
  let current = role;
  while (current && parents.has(current) && !tree.includes(current)) {
    tree.push(current);
    current = parents.get(current) ?? null;
  }
  return tree.reverse();
}

const truthy = (value: unknown): boolean => value === true || value === 'true' || value === 1 || value === '1';

/** True when ip lies in one of the networks (addresses, CIDR subnets, `a-b` ranges), as Directus's ipInNetworks. */
export function ipInNetworks(ip: string, networks: readonly string[]): boolean {
  const version = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  for (const raw of networks) {
    const network = raw.trim();
    const type = isIP(network.split(/[-/]/)[0] ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (network.includes('-')) {
      const [start = '', end = ''] = network.split('-');
      list.addRange(start, end, type);
    } else if (network.includes('/')) {
      const [address = '', prefix = ''] = network.split('/');
      list.addSubnet(address, Number.parseInt(prefix, 10), type);
    } else list.addAddress(network, type);
  }
  return list.check(ip, version);
}

function networksOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(',');
  return Array.isArray(value) ? value.map(String) : [];
}

/** admin/app from the access rows of the roles and of the user, skipping policies whose ip_access excludes ip. */
export function globalAccess(
  rows: readonly AccessRow[],
  who: { user: string; roles: readonly string[]; ip: string | null },
): { admin: boolean; app: boolean } {
  let admin = false;
  let app = false;
  for (const row of rows) {
    const applies = (row.role !== null && who.roles.includes(row.role)) || row.user === who.user;
    if (!applies) continue;
    if (who.ip && row.ip_access && !ipInNetworks(who.ip, networksOf(row.ip_access))) continue;
    admin ||= truthy(row.admin_access);
    app ||= admin || truthy(row.app_access);
  }
  return { admin, app };
}

export function currentAccess(
  user: UserRow,
  roles: readonly RoleRow[],
  rows: readonly AccessRow[],
  ip: string | null,
): Access {
  const tree = rolesTree(user.role, roles);
  return { role: user.role, roles: tree, ...globalAccess(rows, { user: user.id, roles: tree, ip }) };
}

/** True when the accountability already carries this access (nothing to correct). */
export function carriesAccess(accountability: Partial<Access>, access: Access): boolean {
  return (
    (accountability.role ?? null) === access.role &&
    accountability.admin === access.admin &&
    accountability.app === access.app &&
    (accountability.roles ?? []).join(',') === access.roles.join(',')
  );
}
