import { describe, expect, it } from '@jest/globals';
import {
  bossQueueSettings,
  errorMessage,
  jobStatus,
  retryDelayRange,
  retryDelaySeconds,
  statesForStatus,
} from './queue-config.js';

describe('bossQueueSettings', () => {
  it('applies the defaults: retries with backoff, a dead-letter queue, NOTIFY on', () => {
    expect(bossQueueSettings('mail.send')).toEqual({
      name: 'mail.send',
      retryLimit: 5,
      retryDelay: 10,
      retryBackoff: true,
      retryDelayMax: 3600,
      expireInSeconds: 900,
      deadLetter: 'mail.send.dead',
      notify: true,
    });
  });

  it('takes the queue options', () => {
    expect(
      bossQueueSettings('q', { retryLimit: 0, retryDelaySeconds: 2, retryBackoff: false, expireInSeconds: 5 }),
    ).toEqual(expect.objectContaining({ retryLimit: 0, retryDelay: 2, retryBackoff: false, expireInSeconds: 5 }));
  });

  it('refuses options pg-boss would refuse later, at registration', () => {
    expect(() => bossQueueSettings('q', { retryLimit: -1 })).toThrow(/retryLimit/);
    expect(() => bossQueueSettings('q', { retryLimit: 1.5 })).toThrow(/retryLimit/);
    expect(() => bossQueueSettings('q', { expireInSeconds: 0 })).toThrow(/expireInSeconds/);
    expect(() => bossQueueSettings('q', { concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe('retryDelayRange', () => {
  const settings = { retryDelay: 10, retryBackoff: true, retryDelayMax: 3600 };

  it('doubles with each retry, within the jitter band', () => {
    expect(retryDelayRange(settings, 1)).toEqual({ min: 10, max: 20 });
    expect(retryDelayRange(settings, 2)).toEqual({ min: 20, max: 40 });
    expect(retryDelayRange(settings, 5)).toEqual({ min: 160, max: 320 });
  });

  it('is capped by the maximum delay', () => {
    expect(retryDelayRange(settings, 12)).toEqual({ min: 3600, max: 3600 });
  });

  it('is fixed without backoff, and at least 1 s with it', () => {
    expect(retryDelayRange({ ...settings, retryBackoff: false }, 4)).toEqual({ min: 10, max: 10 });
    expect(retryDelayRange({ ...settings, retryDelay: 0 }, 1)).toEqual({ min: 1, max: 2 });
  });
});

describe('jobStatus', () => {
  const now = new Date('2026-11-26T10:00:00Z');
  const past = new Date('2026-11-26T09:00:00Z');
  const future = new Date('2026-11-26T11:00:00Z');

  it('maps pg-boss states of a working queue', () => {
    expect(jobStatus('q', 'created', past, now)).toBe('queued');
    expect(jobStatus('q', 'created', future, now)).toBe('scheduled');
    expect(jobStatus('q', 'retry', future, now)).toBe('retrying');
    expect(jobStatus('q', 'active', past, now)).toBe('active');
    expect(jobStatus('q', 'completed', past, now)).toBe('completed');
    expect(jobStatus('q', 'failed', past, now)).toBe('failed');
    expect(jobStatus('q', 'cancelled', past, now)).toBe('cancelled');
  });

  it('calls a waiting job of a dead-letter queue dead', () => {
    expect(jobStatus('q.dead', 'created', past, now)).toBe('dead');
    expect(jobStatus('q.dead', 'retry', past, now)).toBe('dead');
    expect(jobStatus('q.dead', 'completed', past, now)).toBe('completed');
  });

  it('selects the matching states for each status filter', () => {
    expect(statesForStatus('dead')).toEqual({ deadLetter: true, states: ['created', 'retry'] });
    expect(statesForStatus('queued')).toEqual({ deadLetter: false, states: ['created'] });
    expect(statesForStatus('retrying')).toEqual({ deadLetter: false, states: ['retry'] });
    expect(statesForStatus('failed')).toEqual({ deadLetter: false, states: ['failed'] });
  });
});

describe('errorMessage', () => {
  it('reads the message of a serialised error and never the stack', () => {
    expect(errorMessage({ name: 'Error', message: 'boom', stack: 'Error: boom\n at x.js:1' })).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(null)).toBeNull();
    expect(errorMessage({ value: 1 })).toBeNull();
  });
});

describe('retryDelaySeconds', () => {
  const settings = { retryDelay: 10, retryBackoff: true, retryDelayMax: 3600 };

  it('picks a point in the jitter band of that retry', () => {
    expect(retryDelaySeconds(settings, 1, 0)).toBe(10);
    expect(retryDelaySeconds(settings, 1, 1)).toBe(20);
    expect(retryDelaySeconds(settings, 3, 0.5)).toBe(60);
    expect(retryDelaySeconds(settings, 30, 1)).toBe(3600);
    expect(retryDelaySeconds({ ...settings, retryBackoff: false }, 4, 0.9)).toBe(10);
  });

  it('keeps a random value outside 0..1 inside the band', () => {
    expect(retryDelaySeconds(settings, 1, -3)).toBe(10);
    expect(retryDelaySeconds(settings, 1, 7)).toBe(20);
    const picked = retryDelaySeconds(settings, 2);
    expect(picked).toBeGreaterThanOrEqual(20);
    expect(picked).toBeLessThanOrEqual(40);
  });
});

describe('bossQueueSettings heartbeat', () => {
  it('passes a heartbeat of at least 10 seconds to pg-boss, and refuses a shorter one at registration', () => {
    expect(bossQueueSettings('imports.run', { heartbeatSeconds: 30 }).heartbeatSeconds).toBe(30);
    expect(bossQueueSettings('imports.run')).not.toHaveProperty('heartbeatSeconds');
    expect(() => bossQueueSettings('imports.run', { heartbeatSeconds: 5 })).toThrow(/heartbeatSeconds/);
  });
});
