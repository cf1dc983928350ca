// Version ticket-assist (issue 13, decision 0052): the platform's "Ticket assist" interface (LLM suggestions,
// decision 0050) on the ticket form, as the alias field `tickets.assist` right after the ticket's facts (tags) and
// before the SLA timestamps, where an agent reading the ticket finds it. No permission changes: the app shows a
// field to a role whose read permission lists it, and agents and managers read tickets' `*` (so they see it) while
// customers and integrations read a named list without it and editors do not read tickets. Those are the roles the
// assist route serves (it checks that the caller may change the ticket's priority).
import { TICKET_ASSIST_INTERFACE_ID } from '../../../platform/src/llm/core/interface-id.js';
import type { VersionAuthor } from './types.js';

/** The field the panel goes after; the fields sorted after it move down by one. */
const AFTER = 'tags';

export const version: VersionAuthor = {
  name: 'ticket-assist',
  async author(send, log) {
    const fields = (await send('GET', '/fields/tickets')) as Array<{ field: string; meta: { sort: number | null } }>;
    const after = fields.find((field) => field.field === AFTER)?.meta.sort;
    if (typeof after !== 'number') throw new Error(`tickets.${AFTER} has no sort`);
    const moved = fields
      .filter((field) => typeof field.meta.sort === 'number' && field.meta.sort > after)
      .map((field) => ({ field: field.field, meta: { sort: field.meta.sort! + 1 } }));
    if (moved.length > 0) await send('PATCH', '/fields/tickets', moved);
    await send('POST', '/fields/tickets', {
      field: 'assist',
      type: 'alias',
      meta: {
        special: ['alias', 'no-data'],
        interface: TICKET_ASSIST_INTERFACE_ID,
        width: 'full',
        sort: after + 1,
        note: 'Suggestions from the LLM (GROUNDWORK_LLM_*): check them before using them',
        translations: [{ language: 'en-US', translation: 'Assist' }],
      },
    });
    log(`tickets.assist (${TICKET_ASSIST_INTERFACE_ID}) after ${AFTER}; ${moved.length} fields moved down`);
  },
};
