// The admin app interface "Ticket assist" (src/llm/app/interface.ts); the domain's ticket form places it.
export const TICKET_ASSIST_INTERFACE_ID = 'groundwork-ticket-assist';
