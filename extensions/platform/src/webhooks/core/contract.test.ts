import { describe, expect, it } from '@jest/globals';
import { createSubscriptionBody, replayRangeBody, rotateSecretBody, subscriptionInputIssues } from './contract.js';

describe('the webhooks contract', () => {
  it('takes an http(s) URL and event patterns', () => {
    expect(
      createSubscriptionBody.safeParse({ url: 'https://hooks.example.com/in', events: ['ticket.*', '*'] }).success,
    ).toBe(true);
  });

  it('refuses other schemes, credentials, bad patterns and unknown fields', () => {
    const bad = [
      { url: 'ftp://example.com', events: ['*'] },
      { url: 'https://u:p@example.com', events: ['*'] },
      { url: 'not a url', events: ['*'] },
      { url: 'https://example.com', events: [] },
      { url: 'https://example.com', events: ['ticket.**'] },
      { url: 'https://example.com', events: ['*'], secret: 'whsec_mine' },
    ];
    for (const body of bad) expect([body, createSubscriptionBody.safeParse(body).success]).toEqual([body, false]);
  });

  it('checks /items payloads: whole on create, the fields present on update', () => {
    expect(subscriptionInputIssues({ url: 'https://example.com', events: ['*'] }, false)).toEqual([]);
    expect(subscriptionInputIssues({ enabled: false }, true)).toEqual([]);
    expect(subscriptionInputIssues({ enabled: false }, false).map((issue) => issue.path)).toEqual(['url', 'events']);
    expect(subscriptionInputIssues({ url: 'gopher://x' }, true)).toEqual([
      { path: 'url', message: 'must be an http(s) URL without credentials' },
    ]);
  });

  it('bounds the rotation overlap', () => {
    expect(rotateSecretBody.safeParse({}).success).toBe(true);
    expect(rotateSecretBody.safeParse({ overlapSeconds: 60 }).success).toBe(true);
    expect(rotateSecretBody.safeParse({ overlapSeconds: -1 }).success).toBe(false);
  });

  it('takes a replay range with from before to, failed and skipped by default', () => {
    const parsed = replayRangeBody.parse({ from: '2026-12-03T06:00:00Z', to: '2026-12-03T07:00:00+00:30' });
    expect(parsed.statuses).toEqual(['failed', 'skipped']);
    // Offsets count: 07:00+01:00 is 06:00Z, not after from.
    expect(replayRangeBody.safeParse({ from: '2026-12-03T06:00:00Z', to: '2026-12-03T07:00:00+01:00' }).success).toBe(
      false,
    );
    expect(replayRangeBody.safeParse({ from: '2026-12-03T07:00:00Z', to: '2026-12-03T06:00:00Z' }).success).toBe(false);
    expect(replayRangeBody.safeParse({ from: 'yesterday', to: '2026-12-03T06:00:00Z' }).success).toBe(false);
    expect(
      replayRangeBody.safeParse({ from: '2026-12-03T06:00:00Z', to: '2026-12-03T07:00:00Z', statuses: ['pending'] })
        .success,
    ).toBe(false);
  });
});
