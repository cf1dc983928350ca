import { describe, expect, it } from '@jest/globals';
import { jobSamples, notificationSamples, outboxSamples, poolSamples, readinessSamples } from './sources.js';

const value = (samples: ReturnType<typeof jobSamples>, name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v))?.value;

describe('jobSamples', () => {
  const rows = [
    { name: 'mail', state: 'created', due: '3', scheduled: '2', oldest_seconds: '12.5' },
    { name: 'mail', state: 'retry', due: 1, scheduled: 1, oldest_seconds: null },
    { name: 'mail', state: 'active', due: 4, scheduled: 0, oldest_seconds: null },
    { name: 'mail', state: 'failed', due: 6, scheduled: 0, oldest_seconds: null },
    { name: 'mail.dead', state: 'created', due: 2, scheduled: 0, oldest_seconds: '100' },
    { name: 'mail.dead', state: 'completed', due: 9, scheduled: 0, oldest_seconds: null },
    { name: '__pgboss__send-it', state: 'created', due: 7, scheduled: 0, oldest_seconds: '1' },
    { name: 'unknown', state: 'created', due: 1, scheduled: 0, oldest_seconds: null },
  ];

  it('counts each queue by state, dead letters under their source queue', () => {
    const samples = jobSamples(rows, ['mail', 'mail.dead', 'idle']);
    expect(value(samples, 'groundwork_jobs', { queue: 'mail', state: 'queued' })).toBe(3);
    expect(value(samples, 'groundwork_jobs', { queue: 'mail', state: 'scheduled' })).toBe(2);
    expect(value(samples, 'groundwork_jobs', { queue: 'mail', state: 'retrying' })).toBe(2);
    expect(value(samples, 'groundwork_jobs', { queue: 'mail', state: 'active' })).toBe(4);
    expect(value(samples, 'groundwork_jobs', { queue: 'mail', state: 'failed' })).toBe(6);
    expect(value(samples, 'groundwork_jobs', { queue: 'mail', state: 'dead' })).toBe(2);
    expect(value(samples, 'groundwork_jobs_oldest_queued_age_seconds', { queue: 'mail' })).toBe(12.5);
    expect(value(samples, 'groundwork_jobs_oldest_queued_age_seconds', { queue: 'unknown' })).toBe(0);
  });

  it('gives every known queue zeros, and leaves pg-boss plumbing out', () => {
    const samples = jobSamples(rows, ['mail', 'idle']);
    expect(value(samples, 'groundwork_jobs', { queue: 'idle', state: 'dead' })).toBe(0);
    expect(samples.filter((s) => s.labels?.queue === 'idle')).toHaveLength(7);
    expect(samples.some((s) => String(s.labels?.queue).startsWith('__pgboss__'))).toBe(false);
    expect(samples.some((s) => s.labels?.queue === 'mail.dead')).toBe(false);
  });
});

describe('outboxSamples', () => {
  it('reports open, dead and lag', () => {
    expect(outboxSamples({ open: '4', dead: 1, oldest_seconds: '2.5' })).toEqual([
      { name: 'groundwork_events_outbox', labels: { state: 'open' }, value: 4 },
      { name: 'groundwork_events_outbox', labels: { state: 'dead' }, value: 1 },
      { name: 'groundwork_events_outbox_lag_seconds', value: 2.5 },
    ]);
    expect(outboxSamples({ open: 0, dead: 0, oldest_seconds: null })[2]!.value).toBe(0);
  });
});

describe('notificationSamples', () => {
  it('counts the known channels and statuses only, zeros included', () => {
    const samples = notificationSamples(
      [
        { channel: 'email', status: 'sent', count: '5' },
        { channel: 'email', status: 'failed', count: 2 },
        { channel: 'sms', status: 'sent', count: 1 },
        { channel: 'email', status: 'weird', count: 1 },
      ],
      ['email', 'in_app'],
    );
    expect(samples).toHaveLength(14);
    expect(value(samples, 'groundwork_notifications', { channel: 'email', status: 'sent' })).toBe(5);
    expect(value(samples, 'groundwork_notifications', { channel: 'email', status: 'failed' })).toBe(2);
    expect(value(samples, 'groundwork_notifications', { channel: 'in_app', status: 'failed' })).toBe(0);
    expect(samples.some((s) => s.labels?.channel === 'sms' || s.labels?.status === 'weird')).toBe(false);
  });
});

describe('poolSamples', () => {
  it('reports the pool', () => {
    const samples = poolSamples({ used: 2, free: 3, pendingAcquires: 1, pendingCreates: 0, max: 10 });
    expect(value(samples, 'groundwork_db_pool_connections', { state: 'used' })).toBe(2);
    expect(value(samples, 'groundwork_db_pool_connections', { state: 'pending' })).toBe(1);
    expect(value(samples, 'groundwork_db_pool_max_connections')).toBe(10);
  });
});

describe('readinessSamples', () => {
  it('reports readiness and each dependency', () => {
    expect(
      readinessSamples({ status: 'unavailable', checks: { postgres: { status: 'up' }, redis: { status: 'down' } } }),
    ).toEqual([
      { name: 'groundwork_ready', value: 0 },
      { name: 'groundwork_dependency_up', labels: { dependency: 'postgres' }, value: 1 },
      { name: 'groundwork_dependency_up', labels: { dependency: 'redis' }, value: 0 },
    ]);
    expect(readinessSamples({ status: 'ready', checks: {} })[0]!.value).toBe(1);
  });
});
