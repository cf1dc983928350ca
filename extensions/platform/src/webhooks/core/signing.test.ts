import { describe, expect, it } from '@jest/globals';
import { generateSecret, messageId, payloadOf, secretKey, sign, signedHeaders } from './signing.js';

// The example of the Standard Webhooks spec and of Svix's documentation ("Verifying manually").
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it("matches the spec's published example", () => {
    expect(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('signs with every live secret during a rotation, space-separated', () => {
    const other = generateSecret();
    const headers = signedHeaders([SPEC.secret, other], SPEC.id, SPEC.timestamp, SPEC.body);
    expect(headers['webhook-id']).toBe(SPEC.id);
    expect(headers['webhook-timestamp']).toBe('1614265330');
    expect(headers['webhook-signature'].split(' ')).toEqual([
      SPEC.signature,
      sign(other, SPEC.id, SPEC.timestamp, SPEC.body),
    ]);
    expect(() => signedHeaders([], SPEC.id, SPEC.timestamp, SPEC.body)).toThrow(/no secret/);
  });

  it('generates whsec_ secrets of 24 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKey(secret)).toHaveLength(24);
    expect(generateSecret()).not.toBe(secret);
  });

  it('refuses keys that are not whsec_ secrets', () => {
    expect(() => secretKey('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whsec_/);
    expect(() => secretKey('whsec_c2hvcnQ=')).toThrow(/16 bytes/);
  });

  it('gives one stable message id per event and subscription', () => {
    const id = messageId('e1', 's1');
    expect(id).toMatch(/^msg_[\w-]{24}$/);
    expect(messageId('e1', 's1')).toBe(id);
    expect(messageId('e1', 's2')).not.toBe(id);
    expect(messageId('e2', 's1')).not.toBe(id);
  });

  it('wraps an event in type, timestamp and data', () => {
    expect(
      payloadOf({
        id: 'e1',
        type: 'workflow.tasks.doing',
        occurredAt: '2026-12-03T06:00:00.000Z',
        collection: 'tasks',
        item: '7',
        actor: null,
        data: { from: 'todo' },
      }),
    ).toEqual({
      type: 'workflow.tasks.doing',
      timestamp: '2026-12-03T06:00:00.000Z',
      data: { event_id: 'e1', collection: 'tasks', item: '7', actor: null, from: 'todo' },
    });
  });
});
