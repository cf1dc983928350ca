// Platform version `webhooks` (issue 13, outgoing webhooks): subscriptions and the delivery log, in the admin app's
// Platform folder (made by version `navigation`). Admins only: no policy grants them (decision 0037).
import { createCollections, type VersionAuthor } from '../types.js';
import { webhookCollections, webhookRelations } from '../webhooks.js';

export const version: VersionAuthor = {
  name: 'webhooks',
  async author(send, log) {
    await createCollections(send, log, webhookCollections, webhookRelations);
    const names = [
      { collection: 'webhook_subscriptions', singular: 'Webhook subscription', plural: 'Webhook subscriptions' },
      { collection: 'webhook_deliveries', singular: 'Webhook delivery', plural: 'Webhook deliveries' },
    ];
    for (const [index, entry] of names.entries()) {
      await send('PATCH', `/collections/${entry.collection}`, {
        meta: {
          group: 'groundwork_platform',
          sort: 20 + index,
          translations: [
            { language: 'en-US', translation: entry.plural, singular: entry.singular, plural: entry.plural },
          ],
        },
      });
    }
    log('webhook collections in the Platform folder');
  },
};
