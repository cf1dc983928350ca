import { describe, expect, it } from '@jest/globals';
import {
  assertQueueName,
  deadLetterQueue,
  isDeadLetterQueue,
  isInternalQueue,
  singletonKey,
  sourceOfDeadLetterQueue,
} from './names.js';

describe('queue names', () => {
  it('accepts dotted names and refuses what pg-boss would refuse, and our dead-letter suffix', () => {
    expect(() => assertQueueName('notifications.deliver')).not.toThrow();
    expect(() => assertQueueName('a/b-c_d.e')).not.toThrow();
    for (const bad of ['', '.leading', 'has space', "quote'", 'x'.repeat(101), 'tickets.dead']) {
      expect(() => assertQueueName(bad)).toThrow();
    }
  });

  it("tells pg-boss's own queues apart, which no queue of ours can be named like", () => {
    expect(isInternalQueue('__pgboss__send-it')).toBe(true);
    expect(isInternalQueue('notifications.deliver')).toBe(false);
    expect(() => assertQueueName('__pgboss__mine')).toThrow(/starting with a letter or digit/);
  });

  it('maps a queue to its dead-letter queue and back', () => {
    expect(deadLetterQueue('sla.check')).toBe('sla.check.dead');
    expect(isDeadLetterQueue('sla.check.dead')).toBe(true);
    expect(isDeadLetterQueue('sla.check')).toBe(false);
    expect(sourceOfDeadLetterQueue('sla.check.dead')).toBe('sla.check');
    expect(sourceOfDeadLetterQueue('sla.check')).toBeNull();
  });
});

describe('singletonKey', () => {
  it('joins parts with colons', () => {
    expect(singletonKey('ticket', 'abc', 'created')).toBe('ticket:abc:created');
    expect(singletonKey('digest', 2026, 11, 26)).toBe('digest:2026:11:26');
  });

  it('keeps different part lists apart even when they contain the separator', () => {
    expect(singletonKey('a:b', 'c')).not.toBe(singletonKey('a', 'b:c'));
    expect(singletonKey('a\\', ':b')).not.toBe(singletonKey('a\\:', 'b'));
  });

  it('needs at least one part', () => {
    expect(() => singletonKey()).toThrow();
  });
});
