import { describe, expect, it } from '@jest/globals';
import { idOf, matchesCondition, matchesEventType, rulesForEvent, valueAt, type NotificationRule } from './rules.js';

describe('matchesEventType', () => {
  it.each([
    ['tickets.created', 'tickets.created', true],
    ['tickets.created', 'tickets.assigned', false],
    ['tickets.*', 'tickets.created', true],
    ['tickets.*', 'tickets', false],
    ['tickets.*', 'tickets.created.extra', false],
    ['workflow.*.solved', 'workflow.tickets.solved', true],
    ['workflow.*.solved', 'workflow.tickets.closed', false],
    ['workflow.**', 'workflow.kb_articles.in_review', true],
    ['workflow.**', 'sla.tickets.breached', false],
    ['**', 'anything.at.all', true],
    ['tickets', 'tickets.created', false],
  ])('%s against %s is %s', (pattern, type, expected) => {
    expect(matchesEventType(pattern, type)).toBe(expected);
  });
});

describe('valueAt and idOf', () => {
  it('reads dotted paths and refuses inherited properties', () => {
    const item = { ticket: { requester: { id: 'u1' } } };
    expect(valueAt(item, 'ticket.requester.id')).toBe('u1');
    expect(valueAt(item, 'ticket.missing.id')).toBeUndefined();
    expect(valueAt(item, 'constructor')).toBeUndefined();
    expect(idOf({ id: 'u1' })).toBe('u1');
    expect(idOf('u2')).toBe('u2');
    expect(idOf(7)).toBe('7');
    expect(idOf(null)).toBeNull();
    expect(idOf('')).toBeNull();
  });
});

describe('matchesCondition', () => {
  const facts = {
    data: { internal: false, author_is_staff: true, to: 'open' },
    item: { reviewer: null, assignee: { id: 'a1' } },
  };

  it('is true without a condition and when every entry holds', () => {
    expect(matchesCondition(null, facts)).toBe(true);
    expect(matchesCondition({ 'data.internal': false, 'data.author_is_staff': true }, facts)).toBe(true);
  });

  it('is false when one entry fails (an internal note is not a reply)', () => {
    expect(matchesCondition({ 'data.internal': true }, facts)).toBe(false);
    expect(matchesCondition({ 'data.internal': false, 'data.author_is_staff': false }, facts)).toBe(false);
  });

  it('supports _eq, _neq, _in, _nin and _null, comparing related rows by id', () => {
    expect(matchesCondition({ 'item.assignee': 'a1' }, facts)).toBe(true);
    expect(matchesCondition({ 'item.assignee': { _neq: 'a1' } }, facts)).toBe(false);
    expect(matchesCondition({ 'data.to': { _in: ['open', 'new'] } }, facts)).toBe(true);
    expect(matchesCondition({ 'data.to': { _nin: ['open'] } }, facts)).toBe(false);
    expect(matchesCondition({ 'item.reviewer': { _null: true } }, facts)).toBe(true);
    expect(matchesCondition({ 'item.missing': { _null: true } }, facts)).toBe(true);
    expect(matchesCondition({ 'item.assignee': { _null: true } }, facts)).toBe(false);
  });

  it('never matches an unknown operator (a typo must not widen an audience)', () => {
    expect(matchesCondition({ 'data.internal': { _equals: false } }, facts)).toBe(false);
  });
});

describe('rulesForEvent', () => {
  const rule = (id: string, event: string, enabled = true): NotificationRule => ({
    id,
    event,
    condition: null,
    audience: [],
    channels: ['email'],
    template: 't',
    digest: false,
    exclude_actor: true,
    enabled,
  });
  it('keeps enabled rules whose pattern matches', () => {
    const rules = [
      rule('a', 'tickets.created'),
      rule('b', 'tickets.*'),
      rule('c', 'tickets.created', false),
      rule('d', 'kb.*'),
    ];
    expect(rulesForEvent(rules, 'tickets.created').map((r) => r.id)).toEqual(['a', 'b']);
  });
});
