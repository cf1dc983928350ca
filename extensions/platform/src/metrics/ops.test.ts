// ops/prometheus/alerts.yml names only series the metrics endpoint exports: a renamed or removed metric fails here
// instead of leaving an alert that can never fire.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { exportedSeriesNames, metricNamesInExpr, PLATFORM_GAUGES } from './core/promql.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }>;
}

describe('ops/prometheus/alerts.yml', () => {
  const file = parse(readFileSync(path.join(root, 'ops/prometheus/alerts.yml'), 'utf8')) as RuleFile;
  const rules = file.groups.flatMap((group) => group.rules);

  it('has the alerts for the failure modes', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'GroundworkInstanceDown',
        'GroundworkNotReady',
        'GroundworkHighErrorRate',
        'GroundworkDeadJobsGrowing',
        'GroundworkEventsOutboxLag',
        'GroundworkNotificationFailures',
        'GroundworkDbPoolSaturated',
      ]),
    );
  });

  it('names only series the endpoint exports, in every expression', async () => {
    const exported = await exportedSeriesNames(PLATFORM_GAUGES);
    for (const rule of rules) {
      const names = metricNamesInExpr(rule.expr);
      expect({ alert: rule.alert, names: names.length > 0 }).toEqual({ alert: rule.alert, names: true });
      expect({ alert: rule.alert, unknown: names.filter((name) => !exported.has(name)) }).toEqual({
        alert: rule.alert,
        unknown: [],
      });
    }
  });
});
