// HTTP adapter for notifications under /groundwork/v1/notifications.
import type { EndpointExtensionContext } from '@directus/types';
import type { Router } from 'express';
import { enqueue } from '../jobs/index.js';
import { ForbiddenError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { digestRunBody } from './contract.js';
import { DIGEST_QUEUE } from './digest.js';

export function registerNotificationRoutes(router: Router, context: EndpointExtensionContext): void {
  router.post(
    '/v1/notifications/digest',
    route(async (req, res) => {
      if (!req.accountability?.admin) throw new ForbiddenError();
      const body = req.body && Object.keys(req.body as object).length ? req.body : undefined;
      parseInput(digestRunBody, body, 'body');
      // One queued run at a time; a second request while one waits gets null.
      const job = await enqueue(
        context.database,
        DIGEST_QUEUE,
        { requestedBy: req.accountability.user ?? null },
        {
          singletonKey: 'on-demand',
        },
      );
      res.status(202).json({ data: { job } });
    }),
  );
}
