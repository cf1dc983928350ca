// The service desk's hooks. Each rule lives in its own folder (pure core + this adapter registration); this file
// only wires them to Directus's events.
import { defineHook } from '@directus/extensions-sdk';
import { guardCustomerLinks, linkAfterCreate, linkOnCreate } from './attachments/hook.js';
import { registerQuotaOwners } from './attachments/quota.js';
import { registerAudienceGroups } from './audience-groups.js';
import { inboundEmailHandler } from './inbound/handler.js';
import { platform } from './platform.js';
import { serviceDeskPersonalData } from './privacy/source.js';
import { registerTicketGauges } from './metrics/register.js';
import { guardReplies } from './replies/hook.js';
import { guardSubscriptions } from './subscriptions/hook.js';
import { registrationFilter } from './registration/hook.js';
import { registerSlaJobs } from './sla/jobs.js';
import { registerAbandonedUploadCleanup } from './attachments/cleanup.js';
import { registerWorkflowGuards } from './workflow-guards/register.js';
import { forgetPeople, PEOPLE_CHANGING_EVENTS, requesterOnCreate, ticketUpdate } from './tickets/hook.js';

export default defineHook((register, context) => {
  const logger = context.logger.child({ capability: 'service-desk' });
  logger.debug('service-desk rules loaded');

  // replies: customers reply in public, as themselves, on their organization's tickets only.
  register.filter('ticket_messages.items.create', guardReplies(context.logger.child({ capability: 'replies' })));

  // attachments: a file remembers the message it was attached to (the customer read rule follows that link).
  // Customers attach only their own unattached uploads to their own public messages (checked before the link).
  register.filter(
    'ticket_messages_files.items.create',
    guardCustomerLinks(context.logger.child({ capability: 'attachments' })),
  );
  register.filter('ticket_messages_files.items.create', linkOnCreate());
  register.action(
    'ticket_messages_files.items.create',
    linkAfterCreate(context.logger.child({ capability: 'attachments' })),
  );

  // tickets: the requester belongs to the ticket's organization; only the requester rates or reopens it.
  const tickets = context.logger.child({ capability: 'tickets' });
  register.filter('tickets.items.create', requesterOnCreate(tickets));
  register.filter('tickets.items.update', ticketUpdate(tickets));
  for (const event of PEOPLE_CHANGING_EVENTS) register.filter(event, forgetPeople());

  // subscriptions: customers' websocket subscriptions carry no delete events (those skip row permissions).
  register.filter('websocket.message', guardSubscriptions(context.logger.child({ capability: 'subscriptions' })));

  // registration: public sign-ups join the organization of their email domain (registration/).
  register.filter('users.create', registrationFilter(logger.child({ rule: 'registration' })));

  // privacy: the export of a user's personal data asks this domain for its part (the platform names no domain table).
  register.init('app.before', () => platform().privacy.register(serviceDeskPersonalData));
  // notifications: rules may name `organization` (its users); the platform reads no domain column.
  register.init('app.before', registerAudienceGroups);
  // inbound email: what an email becomes (a ticket, a reply), written as its sender (inbound/handler.ts).
  register.init('app.before', () =>
    platform().inbound.register(inboundEmailHandler(logger.child({ capability: 'inbound-email' }))),
  );
  // files: customers' uploads count against their organization's storage quota (the platform asks; 0047).
  register.init('app.before', registerQuotaOwners);
  // metrics: open tickets by status and priority, and SLA breaches, as gauges of the platform's metrics endpoint.
  register.init('app.before', () => registerTicketGauges(context.database));

  // Workflows: guards named in the tickets and kb_articles definitions.
  registerWorkflowGuards();
  // SLA: due times are a database trigger (snapshot version workflows); breach scan and auto-close are jobs.
  register.init('app.after', () => registerSlaJobs(context, logger.child({ rule: 'sla' })));
  // files: customers' uploads never linked to a message are deleted after a grace period (attachments/cleanup.ts).
  register.init('app.after', () =>
    registerAbandonedUploadCleanup(context, logger.child({ capability: 'abandoned-uploads' })),
  );
});
