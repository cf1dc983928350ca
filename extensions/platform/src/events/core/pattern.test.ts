import { describe, expect, it } from '@jest/globals';
import { assertEventPattern, assertEventType, matchesEventPattern } from './pattern.js';

describe('event patterns', () => {
  it('matches an exact type', () => {
    expect(matchesEventPattern('ticket.created', 'ticket.created')).toBe(true);
    expect(matchesEventPattern('ticket.created', 'ticket.created.late')).toBe(false);
    expect(matchesEventPattern('ticket.created', 'ticket.update')).toBe(false);
  });

  it('matches a prefix and everything below it, but not a longer word', () => {
    expect(matchesEventPattern('ticket.*', 'ticket.created')).toBe(true);
    expect(matchesEventPattern('ticket.*', 'ticket.message.public')).toBe(true);
    expect(matchesEventPattern('ticket.*', 'ticket')).toBe(true);
    expect(matchesEventPattern('ticket.*', 'tickets.created')).toBe(false);
    expect(matchesEventPattern('*', 'anything.at.all')).toBe(true);
  });

  it('refuses malformed types and patterns', () => {
    expect(() => assertEventType('ticket.created')).not.toThrow();
    for (const bad of ['', 'ticket.', '.ticket', 'ticket..created', 'ticket created', 'ticket.*']) {
      expect(() => assertEventType(bad)).toThrow();
    }
    expect(() => assertEventPattern('ticket.*')).not.toThrow();
    expect(() => assertEventPattern('*')).not.toThrow();
    expect(() => assertEventPattern('ticket.*.x')).toThrow();
    expect(() => assertEventPattern('*.created')).toThrow();
  });
});
