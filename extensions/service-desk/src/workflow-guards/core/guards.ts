// The service desk's workflow guards (named in the workflow definitions). Pure: they see the item's stored
// fields, the actor and the clock.
import type { GuardInput } from '../../../../platform/src/workflows/core/machine.js';

export const REOPEN_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

/** A customer may reopen a solved ticket only within 7 days of it being solved. */
export const reopenWithin7Days = {
  fields: ['solved_at'],
  check({ item, now }: GuardInput): string | null {
    const solvedAt = item.solved_at ? new Date(String(item.solved_at)) : null;
    if (!solvedAt || Number.isNaN(solvedAt.getTime())) return 'the ticket has no solved time, so it cannot be reopened';
    return now.getTime() - solvedAt.getTime() > REOPEN_WINDOW_DAYS * DAY_MS
      ? `a solved ticket can be reopened only within ${REOPEN_WINDOW_DAYS} days`
      : null;
  },
};

/**
 * The reviewer of an article is neither its author nor whoever created it (the person who wrote it), both read from
 * the stored row: renaming the author cannot make the writer their own reviewer.
 */
export const reviewerNotAuthor = {
  fields: ['author', 'user_created'],
  check({ item, actor }: GuardInput): string | null {
    if (actor.user === null) return null;
    return item.author === actor.user || item.user_created === actor.user
      ? 'the author of an article cannot review it'
      : null;
  },
};

export const serviceDeskGuards = {
  reopen_within_7_days: reopenWithin7Days,
  reviewer_not_author: reviewerNotAuthor,
};
