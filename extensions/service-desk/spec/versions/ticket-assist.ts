// Version ticket-assist (issue 13, decision 0052): the platform's "Ticket assist" interface (LLM suggestions,
// decision 0050) on the ticket form, as the alias field `tickets.assist` right above the thread (`messages`), where an
// agent about to answer wants a suggested reply. No permission changes: the app shows a field to a role whose read
// permission lists it, and agents and managers read tickets' `*` (so they see it) while customers and integrations
// read a named list without it and editors do not read tickets. Those are the roles the assist route serves (it
// checks that the caller may change the ticket's priority).
import { TICKET_ASSIST_INTERFACE_ID } from '../../../platform/src/llm/core/interface-id.js';
import type { VersionAuthor } from './types.js';

/**
 * The panel takes the sort of `date_updated`, a hidden field just before `messages`, rather than moving the fields
 * after it down: a changed sort makes `schema apply` alter the whole field, column included, and the SLA and report
 * triggers on tickets forbid altering their columns. A hidden field sharing the sort shows nothing.
 */
const SORT_OF = 'date_updated';

export const version: VersionAuthor = {
  name: 'ticket-assist',
  async author(send, log) {
    const fields = (await send('GET', '/fields/tickets')) as Array<{
      field: string;
      meta: { sort: number | null; hidden: boolean };
    }>;
    const place = fields.find((field) => field.field === SORT_OF)?.meta;
    const thread = fields.find((field) => field.field === 'messages')?.meta.sort;
    if (!place?.hidden || typeof place.sort !== 'number' || typeof thread !== 'number' || place.sort >= thread)
      throw new Error(`tickets.${SORT_OF} is no longer a hidden field just before messages: place the panel anew`);
    await send('POST', '/fields/tickets', {
      field: 'assist',
      type: 'alias',
      meta: {
        special: ['alias', 'no-data'],
        interface: TICKET_ASSIST_INTERFACE_ID,
        width: 'full',
        sort: place.sort,
        note: 'Suggestions from the LLM (GROUNDWORK_LLM_*): check them before using them',
        translations: [{ language: 'en-US', translation: 'Assist' }],
      },
    });
    log(`tickets.assist (${TICKET_ASSIST_INTERFACE_ID}) at sort ${place.sort}, above the thread`);
  },
};
