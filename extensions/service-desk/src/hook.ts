// The service desk's hooks. Each rule lives in its own folder (pure core + this adapter registration); this file
// only wires them to Directus's events.
import { defineHook } from '@directus/extensions-sdk';
import { registerSlaJobs } from './sla/jobs.js';
import { registerWorkflowGuards } from './workflow-guards/register.js';

export default defineHook((register, context) => {
  const logger = context.logger.child({ capability: 'service-desk' });

  // Workflows: guards named in the tickets and kb_articles definitions.
  registerWorkflowGuards();
  // SLA: due times are a database trigger (snapshot version workflows); breach scan and auto-close are jobs.
  register.init('app.after', () => registerSlaJobs(context, logger.child({ rule: 'sla' })));
});
