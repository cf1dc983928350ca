// The ticket rules' errors, in Directus's envelope.
import { createError } from '@directus/errors';

export const REQUESTER_NOT_IN_ORGANIZATION = 'REQUESTER_NOT_IN_ORGANIZATION';

// 400: the write names a requester who would receive another organization's ticket; the reason says what to change.
export const RequesterNotInOrganizationError = createError<{ reason: string }>(
  REQUESTER_NOT_IN_ORGANIZATION,
  (e) => `The ticket's requester must belong to its organization: ${e.reason}.`,
  400,
);

// Directus's own code and message for a refused write, so a refusal says nothing about the ticket.
export const TicketForbiddenError = createError('FORBIDDEN', "You don't have permission to access this.", 403);
