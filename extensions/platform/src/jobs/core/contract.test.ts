import { describe, expect, it } from '@jest/globals';
import { toInputIssues } from '../../shared/issues.js';
import { jobIdParams, jobView, listJobsQuery } from './contract.js';
import { deadLetterQueue } from './names.js';

// What a caller of GET /groundwork/v1/jobs reads in the 400 for a bad query.
function issuesOf(query: unknown) {
  const result = listJobsQuery.safeParse(query);
  if (result.success) throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
  return toInputIssues(result.error);
}

describe('listJobsQuery', () => {
  it('defaults to the newest 100 jobs of every queue and status', () => {
    expect(listJobsQuery.parse({})).toEqual({ limit: 100, offset: 0 });
  });

  it('reads limit and offset from query strings', () => {
    expect(listJobsQuery.parse({ status: 'dead', queue: 'groundwork.events', limit: '20', offset: '40' })).toEqual({
      status: 'dead',
      queue: 'groundwork.events',
      limit: 20,
      offset: 40,
    });
  });

  it('refuses a limit outside 1..500 or not whole, and a negative offset, saying what is allowed', () => {
    for (const limit of ['0', '501', '2.5', 'all']) {
      expect(issuesOf({ limit })).toEqual([{ path: 'limit', message: 'must be a whole number between 1 and 500' }]);
    }
    expect(issuesOf({ offset: '-1' })).toEqual([{ path: 'offset', message: 'must be a whole number >= 0' }]);
  });

  it('refuses an unknown status, listing the statuses', () => {
    const [issue] = issuesOf({ status: 'stuck' });
    expect(issue?.path).toBe('status');
    expect(issue?.message).toBe(
      'must be one of queued, scheduled, active, retrying, completed, cancelled, failed, dead',
    );
  });

  it('refuses a queue name with characters no queue has, or longer than 120, and takes a dead-letter queue', () => {
    expect(issuesOf({ queue: "events' or 1=1" })).toEqual([{ path: 'queue', message: 'must be a queue name' }]);
    expect(issuesOf({ queue: 'x'.repeat(121) })).toEqual([{ path: 'queue', message: 'must be a queue name' }]);
    const dead = deadLetterQueue('notifications.deliver');
    expect(listJobsQuery.parse({ queue: dead }).queue).toBe(dead);
  });
});

describe('jobIdParams and jobView', () => {
  it('takes only a uuid as a job id', () => {
    expect(jobIdParams.parse({ id: '0b6f2c1e-3e0a-4a43-9c43-6f1f5f2f6e10' })).toEqual({
      id: '0b6f2c1e-3e0a-4a43-9c43-6f1f5f2f6e10',
    });
    expect(jobIdParams.safeParse({ id: '42' }).error?.issues[0]?.message).toBe('must be a job id (uuid)');
  });

  it('its documented example is a valid job (the payload is optional: admins only)', () => {
    expect(jobView.safeParse(jobView.meta()?.example).success).toBe(true);
    expect(jobView.safeParse({ ...(jobView.meta()?.example as object), status: 'stuck' }).success).toBe(false);
  });
});
