// What an inbound email becomes in the service desk (decision 0049), registered with the platform
// (platformApi.inbound): a new ticket, or a public reply on the ticket it answers. The write runs with the sender's
// own customer accountability, so the customer's permissions and the replies/tickets hooks apply exactly as in the
// portal: an email cannot do what its sender could not do signed in. Reads that find the sender and the ticket
// use the database directly: nobody is signed in yet, and they decide only which accountability to use.
import type { Knex } from 'knex';
import type { InboundHandler, InboundTools } from '../../../platform/src/inbound/contract.js';
import { CUSTOMER_ROLE } from '../shared/roles.js';
import { chooseTarget, decideSender, domainOf, ticketNumberIn, ticketSubject } from './core/target.js';

interface Logger {
  info(object: object, message: string): void;
}

async function senderOf(database: Knex, address: string) {
  const user = (await database('directus_users')
    .whereRaw('lower(email) = ?', [address])
    .first('id', 'status', 'role', 'organization')) as
    | { id: string; status: string; role: string | null; organization: string | null }
    | undefined;
  return user
    ? { id: user.id, status: user.status, customer: user.role === CUSTOMER_ROLE, organization: user.organization }
    : null;
}

async function ticketsOfSent(database: Knex, sent: Array<{ collection: string; item: string }>): Promise<string[]> {
  const tickets = sent.filter((entry) => entry.collection === 'tickets').map((entry) => entry.item);
  const messages = sent.filter((entry) => entry.collection === 'ticket_messages').map((entry) => entry.item);
  if (messages.length > 0) {
    const rows = (await database('ticket_messages').whereIn('id', messages).select('ticket')) as Array<{
      ticket: string;
    }>;
    tickets.push(...rows.map((row) => row.ticket));
  }
  return [...new Set(tickets)];
}

/** Files the platform stored, linked to the message the sender wrote (the link hook records it on each file). */
async function attach(tools: InboundTools, message: string, files: string[]): Promise<void> {
  if (files.length === 0) return;
  // System write: customers may not link files (decision 0007); the message is the sender's own, just written.
  const links = new tools.services.ItemsService('ticket_messages_files', { schema: await tools.getSchema() });
  await links.createMany(files.map((file) => ({ ticket_messages_id: message, directus_files_id: file })));
}

export function inboundEmailHandler(logger: Logger): InboundHandler {
  return async (email, tools) => {
    const { database } = tools;
    const user = await senderOf(database, email.from.address);
    const domain = domainOf(email.from.address);
    const domainOrganization = domain
      ? (((await database('organizations').whereRaw('lower(domain) = ?', [domain]).first('id')) as { id: string })
          ?.id ?? null)
      : null;
    const sender = decideSender(user, domainOrganization, tools.unknownSenders);
    if (sender.kind === 'refuse' || sender.kind === 'hold') {
      return { status: sender.kind === 'refuse' ? 'refused' : 'held', reason: sender.reason };
    }
    if (sender.kind === 'create-contact') {
      // System write: nobody is signed in. A draft user cannot sign in; staff activate (or delete) the contact.
      const users = new tools.services.UsersService({ schema: await tools.getSchema() });
      const id = await users.createOne({
        email: email.from.address,
        first_name: email.from.name.slice(0, 50) || null,
        role: CUSTOMER_ROLE,
        organization: sender.organization,
        status: 'draft',
      });
      logger.info({ user: id }, 'inbound email: pending contact created');
      return { status: 'held', reason: 'the sender was added as a pending contact; staff activate it' };
    }
    const accountability = await tools.accountabilityFor(sender.user);
    if (!accountability) return { status: 'refused', reason: 'the sender cannot act (inactive or admin)' };
    const schema = await tools.getSchema();

    const number = ticketNumberIn(email.subject);
    const referenced = number
      ? (((await database('tickets').where({ number }).first('id')) as { id: string } | undefined)?.id ?? null)
      : null;
    const target = chooseTarget(await ticketsOfSent(database, email.sentFor), referenced);
    const messages = new tools.services.ItemsService('ticket_messages', { schema, accountability });
    const body = email.text || '(no text)';

    if (target.kind === 'reply') {
      const ticket = (await database('tickets').where({ id: target.ticket }).first('organization')) as
        | { organization: string | null }
        | undefined;
      // Said here as well as by the replies hook (which would answer 403): a reference to another organization's
      // ticket (a spoofed subject) is recorded as refused, and nothing is written.
      if (!ticket || ticket.organization !== sender.organization) {
        logger.info({ by: target.by }, 'inbound email refused: the ticket is not of the sender organization');
        return { status: 'refused', reason: "the referenced ticket is not of the sender's organization" };
      }
      const files = email.attachmentCount > 0 ? await tools.storeAttachments(accountability) : [];
      const message = String(await messages.createOne({ ticket: target.ticket, body }));
      await attach(tools, message, files);
      return { status: 'accepted', collection: 'ticket_messages', item: message };
    }

    const files = email.attachmentCount > 0 ? await tools.storeAttachments(accountability) : [];
    const tickets = new tools.services.ItemsService('tickets', { schema, accountability });
    const ticket = String(
      await tickets.createOne({
        subject: ticketSubject(email.subject),
        description: body,
        organization: sender.organization,
      }),
    );
    // System write of one server fact the customer's permission presets as `portal`: the ticket came by email.
    await database('tickets').where({ id: ticket }).update({ channel: 'email' });
    if (files.length > 0) {
      const message = String(await messages.createOne({ ticket, body: 'Attachments sent with the email.' }));
      await attach(tools, message, files);
    }
    return { status: 'accepted', collection: 'tickets', item: ticket };
  };
}
