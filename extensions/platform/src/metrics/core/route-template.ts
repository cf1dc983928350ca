// The route template a request is counted under: `/items/tickets/7f3c…` is `/items/:collection/:id`. Labels must
// stay few (every distinct label set is a time series Prometheus keeps), so a path never reaches a label as it came:
// each output segment is a known literal word or a placeholder, the depth is capped, and a path outside the API's
// known families is `/other`. Pure.

/** Directus's routers (api/dist/app.js) and ours: the first segment of every path we count under its own name. */
const FAMILIES = new Set([
  'access',
  'activity',
  'ai',
  'assets',
  'auth',
  'collections',
  'comments',
  'dashboards',
  'deployments',
  'extensions',
  'fields',
  'files',
  'flows',
  'folders',
  'graphql',
  'groundwork',
  'items',
  'mcp',
  'metrics',
  'notifications',
  'operations',
  'panels',
  'permissions',
  'policies',
  'presets',
  'relations',
  'revisions',
  'roles',
  'schema',
  'server',
  'settings',
  'shares',
  'translations',
  'users',
  'utils',
  'versions',
  'websocket',
]);

/** Words kept as they are after the family: the fixed parts of Directus's and our routes. */
export const LITERALS: ReadonlySet<string> = new Set([
  // Directus
  'accept',
  'apply',
  'cache',
  'callback',
  'clear',
  'compare',
  'diff',
  'export',
  'generate',
  'hash',
  'health',
  'import',
  'info',
  'invite',
  'item',
  'login',
  'logout',
  'me',
  'oas',
  'password',
  'ping',
  'promote',
  'random',
  'refresh',
  'register',
  'request',
  'reset',
  'revert',
  'save',
  'snapshot',
  'sort',
  'specs',
  'string',
  'system',
  'tfa',
  'disable',
  'enable',
  'track',
  'trigger',
  'tus',
  'verify',
  'verify-email',
  'webhooks',
  // Groundwork (/groundwork/v1/...)
  'v1',
  'api-keys',
  'deactivate',
  'digest',
  'erasure',
  'events',
  'jobs',
  'live',
  'metrics',
  'notifications',
  'openapi.json',
  'queues',
  'ready',
  'retry',
  'revoke',
  'security',
  'transitions',
  'users',
  'version',
  'workflows',
]);

/** Placeholder names by position after a prefix, where `:id` would say less than the route does. */
const PARAMS: Array<{ prefix: string[]; names: string[] }> = [
  { prefix: ['items'], names: [':collection', ':id'] },
  { prefix: ['collections'], names: [':collection'] },
  { prefix: ['fields'], names: [':collection', ':field'] },
  { prefix: ['relations'], names: [':collection', ':field'] },
  { prefix: ['auth', 'login'], names: [':provider'] },
  { prefix: ['groundwork', 'v1', 'workflows'], names: [':collection', ':id'] },
];

/** Segments beyond this depth fold into `/*`. */
export const MAX_SEGMENTS = 6;

export const OTHER_ROUTE = '/other';

function placeholder(family: string[], position: number): string {
  for (const { prefix, names } of PARAMS) {
    if (prefix.length > family.length || !prefix.every((word, index) => family[index] === word)) continue;
    // Only the segments right after the prefix are named by it.
    if (family.length === prefix.length) return names[position] ?? ':id';
  }
  return ':id';
}

/** The template of a request path (query string ignored). */
export function routeTemplate(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const segments = bare.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return '/';
  const [first, ...rest] = segments.map((segment) => safeDecode(segment).toLowerCase());
  if (first === 'admin') return '/admin/*';
  if (!FAMILIES.has(first!)) return OTHER_ROUTE;
  const out = [first!];
  // The literal words seen so far (the prefix placeholders are named after) and the placeholders since.
  const literals = [first!];
  let sinceLiteral = 0;
  for (const segment of rest) {
    if (out.length >= MAX_SEGMENTS) {
      out.push('*');
      break;
    }
    if (LITERALS.has(segment)) {
      out.push(segment);
      literals.push(segment);
      sinceLiteral = 0;
    } else {
      out.push(placeholder(literals, sinceLiteral));
      sinceLiteral += 1;
    }
  }
  return `/${out.join('/')}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'SEARCH']);

/** HTTP methods as a label: the standard ones, anything else `OTHER`. */
export function methodLabel(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : 'OTHER';
}

/** `2xx`, `4xx`…: the status as a label of five values. */
export function statusClass(status: number): string {
  const hundreds = Math.floor(status / 100);
  return hundreds >= 1 && hundreds <= 5 ? `${hundreds}xx` : 'other';
}
