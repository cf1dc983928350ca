// GET /groundwork/v1/metrics on the fixture domain (one instance with METRICS_TOKEN for the file): who may read it,
// the Prometheus text format, route templates instead of raw paths, and the jobs and outbox gauges.
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { useFixtureInstance } from './harness/fixture.js';
import { expectErrorEnvelope, getJson } from './http.js';
import { probe, PROBE_ENV, PROBE_EXTENSIONS } from './jobs-support.js';

const TOKEN = 'fixture-metrics-token-0123456789-abcdef';
const fixture = useFixtureInstance({
  name: 'metrics',
  env: { ...PROBE_ENV, METRICS_TOKEN: TOKEN },
  testExtensions: PROBE_EXTENSIONS,
  members: ['mia'],
});

const metricsUrl = () => `${fixture.instance.baseUrl}/groundwork/v1/metrics`;
const scrape = (token?: string) =>
  getJson(metricsUrl(), token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

/** The value of the first series whose name and labels match (all of `labels`, in any order). */
function seriesValue(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function until(what: string, check: (body: string) => boolean, timeoutMs = 30000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const { text } = await scrape(TOKEN);
    if (check(text)) return text;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('GET /groundwork/v1/metrics', () => {
  it('refuses a caller without a token, a wrong token and a non-admin user', async () => {
    const anonymous = await scrape();
    expect(anonymous.status).toBe(403);
    expectErrorEnvelope(anonymous, 'FORBIDDEN');
    const wrong = await scrape(`${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong, 'INVALID_CREDENTIALS');
    const member = await scrape(fixture.members.mia.token);
    expect(member.status).toBe(403);
    expect(member.text).not.toContain('groundwork_');
  });

  it('gives the Prometheus text format with the scrape token, process metrics included', async () => {
    const response = await scrape(TOKEN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.text).toContain('# TYPE groundwork_http_request_duration_seconds histogram');
    expect(response.text).toContain('process_cpu_seconds_total');
    expect(seriesValue(response.text, 'groundwork_db_pool_max_connections', {})).toBeGreaterThan(0);
    expect(seriesValue(response.text, 'groundwork_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
    expect(seriesValue(response.text, 'groundwork_notifications', { channel: 'email', status: 'failed' })).toBe(0);
    expect(seriesValue(response.text, 'groundwork_ready', {})).toBe(1);
    expect(seriesValue(response.text, 'groundwork_dependency_up', { dependency: 'postgres' })).toBe(1);
    for (const collector of ['readiness', 'jobs', 'events', 'notifications', 'db_pool'])
      expect(seriesValue(response.text, 'groundwork_metrics_collector_errors_total', { collector })).toBe(0);
  });

  it('counts an item request under its route template, with no id in any label', async () => {
    const task = await fixture.newTask(fixture.members.mia.id, 'Measured task');
    const read = await fixture.api(fixture.admin, 'GET', `/items/tasks/${task}?fields=id`);
    expect(read.status).toBe(200);
    await fixture.api(fixture.admin, 'GET', `/items/tasks/${randomUUID()}`);
    const { text } = await scrape(TOKEN);
    const labels = { method: 'GET', route: '/items/:collection/:id' };
    expect(
      seriesValue(text, 'groundwork_http_request_duration_seconds_count', { ...labels, status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      seriesValue(text, 'groundwork_http_request_duration_seconds_count', { ...labels, status_class: '4xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(task);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).not.toMatch(/route="[^"]*tasks/);
  });

  it('shows a failing job in the failure counter and the dead-letter gauge', async () => {
    await probe(fixture.instance.baseUrl, fixture.admin, { jobs: [{ key: `metrics-${randomUUID()}`, failTimes: 10 }] });
    const text = await until(
      'the probe job to be dead',
      (body) => (seriesValue(body, 'groundwork_jobs', { queue: 'groundwork.probe', state: 'dead' }) ?? 0) >= 1,
    );
    // retryLimit 2: three attempts, each one counted.
    expect(seriesValue(text, 'groundwork_job_failures_total', { queue: 'groundwork.probe' })).toBe(3);
    expect(seriesValue(text, 'groundwork_jobs_oldest_queued_age_seconds', { queue: 'groundwork.probe' })).toBe(0);
    expect(text).not.toContain('__pgboss__');
  });

  it('shows dead events and the outbox lag', async () => {
    await fixture.sql('groundwork.domain_event').insert({
      type: 'metrics.test',
      collection: 'tasks',
      item: randomUUID(),
      dead_at: fixture.sql.fn.now(),
    });
    const { text } = await scrape(TOKEN);
    expect(seriesValue(text, 'groundwork_events_outbox', { state: 'dead' })).toBe(1);
    expect(seriesValue(text, 'groundwork_events_outbox_lag_seconds', {})).toBeGreaterThanOrEqual(0);
  });

  it('lets an admin read it with their own token', async () => {
    const response = await scrape(fixture.admin);
    expect(response.status).toBe(200);
    expect(response.text).toContain('groundwork_jobs{');
  });
});
