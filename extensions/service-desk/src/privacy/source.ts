// The service desk's share of a user's personal data (BE-301 export): their organization, the tickets they
// requested, and the messages they wrote (internal notes included for staff). Read with the caller's
// accountability: every role may read its own tickets and messages, so the permissions stay the only gate.
import type { Knex } from 'knex';
import type { ErasureRequest } from '../../../platform/src/privacy/core/erasure.js';
import type { PersonalDataRequest } from '../../../platform/src/privacy/routes.js';
import { eraseServiceDeskData } from './erasure.js';

type Row = Record<string, unknown>;

export const serviceDeskPersonalData = {
  name: 'service-desk',
  async collect({ user, req, context }: PersonalDataRequest): Promise<Record<string, unknown>> {
    const options = { schema: req.schema!, accountability: req.accountability ?? null, knex: context.database };
    const items = (collection: string) => new context.services.ItemsService(collection, options);
    // The organization column belongs to this domain; the caller's own row says which one is theirs.
    const account = (await context.database('directus_users').where({ id: user }).first('organization')) as
      | { organization: string | null }
      | undefined;
    const organization = account?.organization
      ? ((
          (await items('organizations').readByQuery({
            filter: { id: { _eq: account.organization } },
            limit: 1,
          })) as Row[]
        )[0] ?? { id: account.organization })
      : null;
    const [tickets, messages] = await Promise.all([
      items('tickets').readByQuery({ filter: { requester: { _eq: user } }, limit: -1, sort: ['date_created'] }),
      items('ticket_messages').readByQuery({ filter: { author: { _eq: user } }, limit: -1, sort: ['date_created'] }),
    ]);
    return { organization, tickets: tickets as Row[], messages: messages as Row[] };
  },
  erase: (request: ErasureRequest<Knex>) => eraseServiceDeskData(request),
};
