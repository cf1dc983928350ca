import { describe, expect, it } from '@jest/globals';
import { exportedSeriesNames, metricNamesInExpr, PLATFORM_GAUGES } from './promql.js';

describe('metricNamesInExpr', () => {
  it.each([
    ['up == 0', ['up']],
    [
      'histogram_quantile(0.95, sum by (le, route) (rate(groundwork_http_request_duration_seconds_bucket{route!~"/admin.*"}[5m])))',
      ['groundwork_http_request_duration_seconds_bucket'],
    ],
    ['sum(rate(a_count{status_class="5xx"}[$__rate_interval])) / sum(rate(a_count[5m])) > 0.05', ['a_count']],
    ['increase(x_total[10m]) > 0 and on (instance) y offset 5m', ['x_total', 'y']],
    ['max without (queue) (delta(groundwork_jobs{state="dead"}[15m])) > 0', ['groundwork_jobs']],
    ['sum(a) by (state) unless b', ['a', 'b']],
  ])('%s', (expr, names) => {
    expect(metricNamesInExpr(expr).sort()).toEqual([...names].sort());
  });
});

describe('exportedSeriesNames', () => {
  it('lists the histogram series, the gauges and the default metrics', async () => {
    const names = await exportedSeriesNames(PLATFORM_GAUGES);
    for (const name of [
      'groundwork_http_request_duration_seconds_bucket',
      'groundwork_http_request_duration_seconds_count',
      'groundwork_jobs',
      'groundwork_events_outbox_lag_seconds',
      'groundwork_db_pool_connections',
      'groundwork_metrics_collector_errors_total',
      'groundwork_job_failures_total',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'up',
    ])
      expect(names).toContain(name);
    expect(names).not.toContain('groundwork_http_request_duration_seconds');
  });
});
