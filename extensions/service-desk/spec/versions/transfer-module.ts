// Version module transfer-module (issue 11, item 6): the platform's "Import / Export" app module in the service
// desk's module bar, before Settings. Directus shows a custom module only once the bar lists it, and the bar is part
// of the domain's settings (the platform's line does not capture directus_settings). Every signed-in staff member
// sees it; the routes behind it apply the caller's own permissions. The API keys and Security modules stay off the
// bar: their routes answer admins only, and admins can enable them in Settings.
import { withModule, type ModuleBarEntry } from '../../../platform/src/jobs/core/module-bar.js';
import { TRANSFER_MODULE_ID } from '../../../platform/src/transfer/core/module-id.js';
import type { VersionAuthor } from './types.js';

export const version: VersionAuthor = {
  name: 'transfer-module',
  async author(send, log) {
    const current = (await send('GET', '/settings?fields=module_bar')) as { module_bar: ModuleBarEntry[] | null };
    const next = withModule(current.module_bar, TRANSFER_MODULE_ID);
    if (next) await send('PATCH', '/settings', { module_bar: next });
    log(`module bar: ${TRANSFER_MODULE_ID} ${next ? 'added' : 'already there'}`);
  },
};
