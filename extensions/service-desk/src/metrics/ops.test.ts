// ops/grafana/groundwork.json names only series the metrics endpoint exports on the service desk (the platform's and
// this domain's gauges): a renamed metric fails here instead of leaving an empty panel.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { exportedSeriesNames, metricNamesInExpr, PLATFORM_GAUGES } from '../../../platform/src/metrics/core/promql.js';
import { TICKET_GAUGES } from './core/gauges.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

describe('ops/grafana/groundwork.json', () => {
  const dashboard = JSON.parse(readFileSync(path.join(root, 'ops/grafana/groundwork.json'), 'utf8')) as Dashboard;

  it('has the panels operators look at', () => {
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n');
    for (const metric of [
      'groundwork_http_request_duration_seconds_count',
      'groundwork_http_request_duration_seconds_bucket',
      'groundwork_jobs',
      'groundwork_events_outbox_lag_seconds',
      'groundwork_notifications',
      'groundwork_db_pool_connections',
      'groundwork_service_desk_open_tickets',
      'groundwork_service_desk_sla_tickets',
    ])
      expect(exprs).toContain(metric);
  });

  it('names only exported series in every panel', async () => {
    const exported = await exportedSeriesNames([...PLATFORM_GAUGES, ...TICKET_GAUGES]);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const names = metricNamesInExpr(expr);
        expect({ panel: panel.title, names: names.length > 0 }).toEqual({ panel: panel.title, names: true });
        expect({ panel: panel.title, unknown: names.filter((name) => !exported.has(name)) }).toEqual({
          panel: panel.title,
          unknown: [],
        });
      }
    }
  });
});
