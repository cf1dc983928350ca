// Registers the query guard (decision 0015): before Directus reads items for a non-admin, the query's filter,
// sort, aggregate, groupBy and deep queries are checked against what the caller can read on every row they would
// be evaluated on (core/paths.ts). REST, GraphQL, exports and websocket subscriptions all read through
// ItemsService.readByQuery, which emits `<scope>.query`; a refused path is a 403 FORBIDDEN in Directus's envelope.
import type { Accountability, HookExtensionContext, RegisterFunctions, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { ForbiddenWithReasonError } from '../shared/errors.js';
import { QUERY_EVENTS } from '../shared/query-events.js';
import { accessFromGrants, type CollectionAccess, type ReadGrant } from './core/access.js';
import { describeRefusals, refusedPaths, usesFields, type QueryView, type SchemaView } from './core/paths.js';

// Directus adds these read permissions to every policy set with app access (@directus/system-data,
// appAccessMinimalPermissions): its own user row in full (tfa_secret included), and a few collections with rules.
const APP_MINIMAL_READS: Array<[string, ReadGrant]> = [
  ['directus_collections', { fields: ['*'], rowRule: false }],
  ['directus_fields', { fields: ['*'], rowRule: false }],
  ['directus_relations', { fields: ['*'], rowRule: false }],
  ['directus_translations', { fields: ['*'], rowRule: false }],
  ['directus_settings', { fields: ['*'], rowRule: false }],
  ['directus_activity', { fields: ['*'], rowRule: true }],
  ['directus_comments', { fields: ['*'], rowRule: true }],
  ['directus_presets', { fields: ['*'], rowRule: true }],
  ['directus_roles', { fields: ['*'], rowRule: true }],
  ['directus_notifications', { fields: ['*'], rowRule: true }],
  ['directus_shares', { fields: ['*'], rowRule: true }],
  [
    'directus_users',
    {
      fields: [
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
      ],
      rowRule: true,
    },
  ],
];

function csv(value: unknown): string[] | null {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return null;
  return value.split(',').map((entry) => entry.trim());
}

function hasRule(value: unknown): boolean {
  const rule = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return typeof rule === 'object' && rule !== null && Object.keys(rule).length > 0;
}

/** The caller's read grants per collection, from their policies (as Directus's fetchPolicies finds them). */
async function loadGrants(database: Knex, accountability: Accountability): Promise<Map<string, ReadGrant[]>> {
  const roles = accountability.roles ?? [];
  const user = accountability.user ?? null;
  const byRole = (builder: Knex.QueryBuilder) =>
    roles.length > 0 ? builder.whereIn('a.role', roles) : builder.whereNull('a.role').whereNull('a.user');
  const policies = (await database('directus_access as a')
    .join('directus_policies as p', 'p.id', 'a.policy')
    .select('p.id', 'p.ip_access')
    .where((builder) => {
      if (user) void builder.where('a.user', user).orWhere((inner) => void byRole(inner));
      else void byRole(builder);
    })) as Array<{ id: string; ip_access: unknown }>;
  const ipLimited = new Map(policies.map((policy) => [policy.id, (csv(policy.ip_access) ?? []).length > 0]));
  const rows = (await database('directus_permissions')
    .select('collection', 'fields', 'permissions', 'policy')
    .where('action', 'read')
    .whereIn('policy', [...ipLimited.keys()])) as Array<{
    collection: string;
    fields: unknown;
    permissions: unknown;
    policy: string;
  }>;
  const grants = new Map<string, ReadGrant[]>();
  const add = (collection: string, grant: ReadGrant) =>
    grants.set(collection, [...(grants.get(collection) ?? []), grant]);
  for (const row of rows) {
    add(row.collection, {
      fields: csv(row.fields),
      rowRule: hasRule(row.permissions),
      ipLimited: ipLimited.get(row.policy),
    });
  }
  if (accountability.app === true) for (const [collection, grant] of APP_MINIMAL_READS) add(collection, grant);
  return grants;
}

function schemaView(schema: SchemaOverview): SchemaView {
  return {
    relations: schema.relations,
    primaryKey: (collection) => schema.collections[collection]?.primary,
    concealed: (collection, field) => {
      const special = schema.collections[collection]?.fields[field]?.special ?? [];
      return special.includes('conceal') || special.includes('hash');
    },
  };
}

export function registerQueryGuard({ filter }: RegisterFunctions, context: HookExtensionContext): void {
  // One load per request: the accountability object is the request's (GraphQL's many reads share it).
  const grantsOf = new WeakMap<Accountability, Promise<Map<string, ReadGrant[]>>>();

  const guard = async (query: unknown, meta: Record<string, unknown>, ctx: Record<string, unknown>) => {
    const accountability = (ctx['accountability'] ?? null) as Accountability | null;
    const schema = ctx['schema'] as SchemaOverview | null;
    // Directus's own internal reads (no accountability) and admins see every field anyway.
    if (!accountability || accountability.admin === true || !schema || typeof query !== 'object' || !query)
      return query;
    // Share links read with the share's own permissions (Directus's getPermissionsForShare); grant no `share`
    // (docs/architecture.md, "Security"), so they are left to Directus here.
    if (accountability.share) return query;
    // A plain read names no field to compare on: no grants to load (most list and detail reads).
    if (!usesFields(query as QueryView)) return query;
    let pending = grantsOf.get(accountability);
    if (!pending) {
      pending = loadGrants(context.database, accountability);
      grantsOf.set(accountability, pending);
    }
    const grants = await pending;
    const cache = new Map<string, CollectionAccess | null>();
    const access = (collection: string) => {
      if (!cache.has(collection)) cache.set(collection, accessFromGrants(grants.get(collection) ?? []));
      return cache.get(collection)!;
    };
    const refusals = refusedPaths(String(meta['collection']), query as QueryView, access, schemaView(schema));
    if (refusals.length > 0) throw new ForbiddenWithReasonError({ reason: describeRefusals(refusals) });
    return query;
  };

  for (const event of QUERY_EVENTS) filter(event, guard);
}
