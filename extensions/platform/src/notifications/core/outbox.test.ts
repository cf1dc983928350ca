import { describe, expect, it } from '@jest/globals';
import type { Person } from './audience.js';
import {
  applyBurstLimit,
  burstKey,
  decideAttempt,
  DEFAULT_BURST_LIMIT,
  digestKey,
  fanOutNeeds,
  groupForDigest,
  isPermanentMailError,
  notificationKey,
  planFanOut,
} from './outbox.js';
import type { Preference } from './preferences.js';
import type { NotificationRule } from './rules.js';

const person = (id: string, role: string, email: string | null = `${id}@example.com`): Person => ({
  id,
  email,
  first_name: id,
  last_name: null,
  role,
  status: 'active',
});
const rule = (values: Partial<NotificationRule>): NotificationRule => ({
  id: 'r',
  event: 'ticket_messages.created',
  condition: null,
  audience: [],
  channels: ['email'],
  template: 'tpl',
  digest: false,
  exclude_actor: true,
  enabled: true,
  ...values,
});

const agentReply = rule({
  id: 'agent-reply',
  condition: { 'data.internal': false, 'data.author_is_staff': true },
  audience: [{ field: 'ticket.requester' }],
});
const customerReply = rule({
  id: 'customer-reply',
  condition: { 'data.internal': false, 'data.author_is_staff': false },
  audience: [{ field: 'ticket.assignee' }],
  channels: ['in_app', 'email'],
});
const people = [person('ava', 'customer'), person('agent1', 'agent'), person('nomail', 'customer', null)];
const item = { ticket: { requester: 'ava', assignee: 'agent1' } };
const event = (data: Record<string, unknown>, actor = 'agent1') => ({
  id: 'evt-1',
  type: 'ticket_messages.created',
  collection: 'ticket_messages',
  item: 'm1',
  actor,
  data,
});

describe('notificationKey', () => {
  it('is one key per event × rule × recipient × channel', () => {
    const keys = new Set([
      notificationKey('e1', 'r1', 'u1', 'email'),
      notificationKey('e1', 'r1', 'u1', 'in_app'),
      notificationKey('e1', 'r1', 'u2', 'email'),
      notificationKey('e1', 'r2', 'u1', 'email'),
      notificationKey('e2', 'r1', 'u1', 'email'),
    ]);
    expect(keys.size).toBe(5);
    expect(notificationKey('e1', 'r1', 'u1', 'email')).toBe(notificationKey('e1', 'r1', 'u1', 'email'));
  });
});

describe('planFanOut', () => {
  const rules = [agentReply, customerReply];

  it("an agent's public reply emails the requester, once", () => {
    const planned = planFanOut({
      event: event({ internal: false, author_is_staff: true }),
      rules,
      item,
      people,
      preferences: [],
    });
    expect(planned.map((p) => [p.rule, p.recipient.id, p.channel, p.status])).toEqual([
      ['agent-reply', 'ava', 'email', 'pending'],
    ]);
    expect(planned[0]!.key).toBe('evt-1:agent-reply:ava:email');
  });

  it('an internal note notifies no customer', () => {
    expect(
      planFanOut({ event: event({ internal: true, author_is_staff: true }), rules, item, people, preferences: [] }),
    ).toEqual([]);
  });

  it("a customer's reply reaches the assignee in-app and by email", () => {
    const planned = planFanOut({
      event: event({ internal: false, author_is_staff: false }, 'ava'),
      rules,
      item,
      people,
      preferences: [],
    });
    expect(planned.map((p) => [p.recipient.id, p.channel])).toEqual([
      ['agent1', 'in_app'],
      ['agent1', 'email'],
    ]);
  });

  it('marks channels the recipient turned off as skipped and digest users as held', () => {
    const off: Preference = {
      user: 'agent1',
      event: 'ticket_messages.created',
      email: false,
      in_app: true,
      digest: false,
    };
    const planned = planFanOut({
      event: event({ internal: false, author_is_staff: false }, 'ava'),
      rules,
      item,
      people,
      preferences: [off],
    });
    expect(planned.map((p) => [p.channel, p.status])).toEqual([
      ['in_app', 'pending'],
      ['email', 'skipped'],
    ]);
    const digest: Preference = { user: 'ava', event: '*', email: true, in_app: true, digest: true };
    const held = planFanOut({
      event: event({ internal: false, author_is_staff: true }),
      rules,
      item,
      people,
      preferences: [digest],
    });
    expect(held.map((p) => p.status)).toEqual(['held']);
  });

  it('skips email for a recipient without an address', () => {
    const planned = planFanOut({
      event: event({ internal: false, author_is_staff: true }),
      rules,
      item: { ticket: { requester: 'nomail' } },
      people,
      preferences: [],
    });
    expect(planned).toEqual([]);
  });

  it('is the same plan every time (so a re-run inserts the same keys)', () => {
    const input = {
      event: event({ internal: false, author_is_staff: false }, 'ava'),
      rules,
      item,
      people,
      preferences: [],
    };
    expect(planFanOut(input).map((p) => p.key)).toEqual(planFanOut(input).map((p) => p.key));
  });

  it('ignores rules without a template', () => {
    const planned = planFanOut({
      event: event({ internal: false, author_is_staff: true }),
      rules: [{ ...agentReply, template: null }],
      item,
      people,
      preferences: [],
    });
    expect(planned).toEqual([]);
  });

  it('says which people to load', () => {
    expect(fanOutNeeds(rules, event({ internal: false, author_is_staff: true }), item)).toEqual({
      users: ['ava'],
      roles: [],
      groups: {},
    });
  });
});

describe('decideAttempt', () => {
  const lease = 60_000;
  const now = 1_000_000;
  it('sends a pending row', () => {
    expect(decideAttempt({ status: 'pending', lastAttemptAt: null }, now, lease)).toEqual({
      kind: 'send',
      resend: false,
    });
  });
  it('never sends a row that is sent, digested, skipped, failed or held', () => {
    for (const status of ['sent', 'digested', 'skipped', 'failed', 'held'] as const) {
      expect(decideAttempt({ status, lastAttemptAt: now - 1 }, now, lease).kind).toBe('done');
    }
  });
  it('waits while another attempt holds the lease, and resends once it lapsed', () => {
    expect(decideAttempt({ status: 'sending', lastAttemptAt: now - 1000 }, now, lease)).toEqual({ kind: 'busy' });
    expect(decideAttempt({ status: 'sending', lastAttemptAt: now - lease - 1 }, now, lease)).toEqual({
      kind: 'send',
      resend: true,
    });
  });
});

describe('isPermanentMailError', () => {
  it('treats SMTP 5xx as permanent and connection errors as temporary', () => {
    expect(isPermanentMailError({ responseCode: 550 })).toBe(true);
    expect(isPermanentMailError({ responseCode: 451 })).toBe(false);
    expect(isPermanentMailError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isPermanentMailError(null)).toBe(false);
  });
});

describe('digest', () => {
  it('groups held notifications by recipient, oldest first, one key per run and recipient', () => {
    const row = (id: string, recipient: string, date: string) => ({
      id,
      recipient,
      subject: id,
      body: '',
      event_type: 'tickets.created',
      date_created: date,
    });
    const groups = groupForDigest([
      row('b', 'u1', '2026-01-02'),
      row('a', 'u1', '2026-01-01'),
      row('c', 'u2', '2026-01-01'),
    ]);
    expect([...groups.keys()]).toEqual(['u1', 'u2']);
    expect(groups.get('u1')!.map((r) => r.id)).toEqual(['a', 'b']);
    expect(digestKey('job-1', 'u1')).not.toBe(digestKey('job-2', 'u1'));
  });
});

describe('applyBurstLimit', () => {
  const ava = person('ava', 'agent');
  const row = (channel: 'email' | 'in_app', index: number, ruleId = 'sla') => ({
    key: `e${index}:${ruleId}:ava:${channel}`,
    rule: ruleId,
    template: 'tpl',
    recipient: ava,
    channel,
    status: 'pending' as const,
  });
  const statuses = (rows: Array<{ status: string }>) => rows.map((one) => one.status);

  it('delivers up to the default limit at once, then holds emails for the digest and skips in-app, with a note', () => {
    const recent = new Map([[burstKey('sla', 'ava', 'email'), DEFAULT_BURST_LIMIT - 1]]);
    const planned = [row('email', 1), row('email', 2), row('in_app', 1)];
    const limited = applyBurstLimit(planned, [rule({ id: 'sla' })], new Map(recent));
    expect(statuses(limited)).toEqual(['pending', 'held', 'pending']);
    expect(limited[1]?.note).toMatch(/burst limit of 10/);
    const flooded = new Map([[burstKey('sla', 'ava', 'in_app'), DEFAULT_BURST_LIMIT]]);
    expect(statuses(applyBurstLimit([row('in_app', 3)], [rule({ id: 'sla' })], flooded))).toEqual(['skipped']);
  });

  it("counts per rule and takes the rule's own limit; 0 is no limit", () => {
    const recent = new Map([
      [burstKey('sla', 'ava', 'email'), 2],
      [burstKey('other', 'ava', 'email'), 500],
    ]);
    const rules = [rule({ id: 'sla', burst_limit: 3 }), rule({ id: 'other', burst_limit: 0 })];
    const limited = applyBurstLimit([row('email', 1), row('email', 2), row('email', 3, 'other')], rules, recent);
    expect(statuses(limited)).toEqual(['pending', 'held', 'pending']);
  });

  it('leaves rows the recipient or the rule already held or skipped as they are', () => {
    const held = { ...row('email', 1), status: 'held' as const };
    const recent = new Map([[burstKey('sla', 'ava', 'email'), 99]]);
    expect(applyBurstLimit([held], [rule({ id: 'sla' })], recent)).toEqual([held]);
  });
});
