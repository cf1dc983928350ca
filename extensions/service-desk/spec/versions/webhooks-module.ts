// Version module webhooks-module (issue 13): the platform's "Webhooks" app module in the service desk's module bar,
// before Settings, as transfer-module put "Import / Export" there (Directus shows a custom module only once the bar
// lists it, and the bar is the domain's setting). Unlike API keys and Security, it goes on the bar: staff who run
// integrations look for it there. The module registers for admins only (its routes and collections answer admins
// only), so other users never see the entry.
import { withModule, type ModuleBarEntry } from '../../../platform/src/jobs/core/module-bar.js';
import { WEBHOOKS_MODULE_ID } from '../../../platform/src/webhooks/core/module-id.js';
import type { VersionAuthor } from './types.js';

export const version: VersionAuthor = {
  name: 'webhooks-module',
  async author(send, log) {
    const current = (await send('GET', '/settings?fields=module_bar')) as { module_bar: ModuleBarEntry[] | null };
    const next = withModule(current.module_bar, WEBHOOKS_MODULE_ID);
    if (next) await send('PATCH', '/settings', { module_bar: next });
    log(`module bar: ${WEBHOOKS_MODULE_ID} ${next ? 'added' : 'already there'}`);
  },
};
