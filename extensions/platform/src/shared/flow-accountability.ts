// The accountability a Flow operation acts with. Directus gives the flow's: "$trigger" is the user who set the flow
// off, a role is that role's. Only a flow an admin set to "full access" (or a schedule, which has no user) gets none,
// and then our operations act as an admin, because that is what the admin configured.
import type { Accountability } from '@directus/types';

const FULL_ACCESS: Accountability = { user: null, role: null, roles: [], admin: true, app: false, ip: null };

export const flowAccountability = (given: Accountability | null): Accountability => given ?? FULL_ACCESS;
