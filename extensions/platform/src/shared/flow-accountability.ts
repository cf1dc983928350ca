// The accountability a Flow operation acts with. Directus passes the trigger's: the caller of a webhook or manual
// flow (the public's when no one signed in), the user whose write fired an event flow, the calling flow's for a
// "trigger flow" operation. (A flow's own `accountability` setting only chooses what Directus logs.) Only a flow
// with no caller gets none: a schedule, or an event the system raised itself. Then our operations act as an admin,
// because the flow is what an admin configured to run unattended.
import type { Accountability } from '@directus/types';

/** An admin acting for no user: unattended system work (also the cache purger's, cache-purge/index.ts). */
export const FULL_ACCESS: Accountability = { user: null, role: null, roles: [], admin: true, app: false, ip: null };

export const flowAccountability = (given: Accountability | null): Accountability => given ?? FULL_ACCESS;
