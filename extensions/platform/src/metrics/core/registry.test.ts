import { describe, expect, it, jest } from '@jest/globals';
import { COLLECTOR_ERRORS, createMetrics, withTimeout, type Collector } from './registry.js';

const queueCollector = (collect: Collector['collect'], name = 'queues'): Collector => ({
  name,
  gauges: [{ name: `groundwork_test_${name}`, help: 'Test gauge.', labelNames: ['queue'] }],
  collect,
});

describe('createMetrics', () => {
  it('renders the HTTP histogram in the text format', async () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    metrics.observeRequest({ method: 'GET', route: '/items/:collection/:id', statusClass: '2xx', seconds: 0.03 });
    const { body, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain(
      'groundwork_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/items/:collection/:id",status_class="2xx"} 1',
    );
    expect(body).toContain(`${COLLECTOR_ERRORS}`);
  });

  it('adds the default process metrics when asked', async () => {
    const { body } = await createMetrics({ timeoutMs: 100, defaultMetrics: true }).scrape();
    expect(body).toContain('process_cpu_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('fills gauges from collectors on each scrape, replacing the last figures', async () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    let samples = [{ name: 'groundwork_test_queues', labels: { queue: 'a' }, value: 3 }];
    metrics.addCollector(queueCollector(() => samples));
    expect((await metrics.scrape()).body).toContain('groundwork_test_queues{queue="a"} 3');
    samples = [{ name: 'groundwork_test_queues', labels: { queue: 'b' }, value: 1 }];
    const { body } = await metrics.scrape();
    expect(body).toContain('groundwork_test_queues{queue="b"} 1');
    expect(body).not.toContain('queue="a"');
  });

  it('skips non-finite values', async () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    metrics.addCollector(
      queueCollector(() => [{ name: 'groundwork_test_queues', labels: { queue: 'a' }, value: NaN }]),
    );
    expect((await metrics.scrape()).body).not.toContain('queue="a"');
  });

  it('one failing or late collector clears its gauges, counts an error, and the scrape goes on', async () => {
    const errors: string[] = [];
    const metrics = createMetrics({ timeoutMs: 20, onCollectorError: (name) => errors.push(name) });
    let fail = false;
    metrics.addCollector(
      queueCollector(() => {
        if (fail) throw new Error('database down');
        return [{ name: 'groundwork_test_broken', labels: { queue: 'x' }, value: 5 }];
      }, 'broken'),
    );
    metrics.addCollector(queueCollector(() => new Promise(() => undefined), 'slow'));
    metrics.addCollector(
      queueCollector(() => [{ name: 'groundwork_test_fine', labels: { queue: 'y' }, value: 1 }], 'fine'),
    );
    metrics.addCollector(queueCollector(() => [{ name: 'groundwork_undeclared', value: 1 }], 'wrong'));
    expect((await metrics.scrape()).body).toContain('groundwork_test_broken{queue="x"} 5');
    fail = true;
    const { body } = await metrics.scrape();
    expect(body).not.toContain('groundwork_test_broken{');
    expect(body).toContain('groundwork_test_fine{queue="y"} 1');
    expect(body).toContain(`${COLLECTOR_ERRORS}{collector="broken"} 1`);
    expect(body).toContain(`${COLLECTOR_ERRORS}{collector="slow"} 2`);
    expect(body).toContain(`${COLLECTOR_ERRORS}{collector="wrong"} 2`);
    expect(body).toContain(`${COLLECTOR_ERRORS}{collector="fine"} 0`);
    expect(body).toMatch(/groundwork_metrics_collector_duration_seconds\{collector="fine"\} \d/);
    expect(errors.sort()).toEqual(['broken', 'slow', 'slow', 'wrong', 'wrong']);
  });

  it('shares one collection between overlapping scrapes', async () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    const collect = jest.fn(async () => [{ name: 'groundwork_test_queues', labels: { queue: 'a' }, value: 1 }]);
    metrics.addCollector(queueCollector(collect));
    await Promise.all([metrics.scrape(), metrics.scrape()]);
    expect(collect).toHaveBeenCalledTimes(1);
    await metrics.scrape();
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('counts job failures by queue', async () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    metrics.jobFailed('mail');
    metrics.jobFailed('mail');
    expect((await metrics.scrape()).body).toContain('groundwork_job_failures_total{queue="mail"} 2');
  });

  it('refuses bad or duplicate names', () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    const gauge = (name: string, labelNames: string[] = []) => ({
      name: 'c',
      gauges: [{ name, help: 'h', labelNames }],
      collect: () => [],
    });
    expect(() => metrics.addCollector(gauge('tickets_open'))).toThrow(/must match/);
    expect(() => metrics.addCollector(gauge('groundwork_http_request_duration_seconds'))).toThrow(/already/);
    expect(() => metrics.addCollector(gauge('groundwork_x', ['Bad-Label']))).toThrow(/bad label/);
    expect(() => metrics.addCollector({ ...gauge('groundwork_x'), name: 'Bad Name' })).toThrow(/bad collector name/);
    metrics.addCollector(gauge('groundwork_x'));
    expect(() => metrics.addCollector(gauge('groundwork_y'))).toThrow(/already registered/);
    expect(() =>
      metrics.addCollector({
        name: 'd',
        gauges: [
          { name: 'groundwork_z', help: 'h' },
          { name: 'groundwork_z', help: 'h' },
        ],
        collect: () => [],
      }),
    ).toThrow(/already registered/);
  });
});

describe('withTimeout', () => {
  it('passes results and errors through', async () => {
    await expect(withTimeout(() => 1, 50)).resolves.toBe(1);
    await expect(
      withTimeout(() => {
        throw new Error('boom');
      }, 50),
    ).rejects.toThrow('boom');
    await expect(withTimeout(() => new Promise(() => undefined), 10)).rejects.toThrow('no answer within 10 ms');
  });
});
