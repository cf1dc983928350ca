// HTTP adapter: GET /groundwork/v1/reports/:report (issue 12, decision 0044): a report the domain defines, summed
// from its rollup collection with the caller's own Directus permissions, as JSON or CSV.
import type { Router } from 'express';
import {
  InvalidCredentialsError,
  InvalidQueryError,
  NotFoundError,
  ServiceUnavailableError,
} from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { aggregateQuery, buildReport, resolveRange } from './core/compute.js';
import { reportParams, reportQuery } from './core/contract.js';
import { reportCsv } from './core/csv.js';
import type { ReportStore } from './store.js';

export function registerReportRoutes(router: Router, store: ReportStore): void {
  router.get(
    '/v1/reports/:report',
    route(async (req, res) => {
      const accountability = req.accountability;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const { report } = parseInput(reportParams, req.params, 'params');
      const input = parseInput(reportQuery, req.query, 'query');
      const loaded = await store.definitions();
      if (!loaded.ok) {
        const reason = loaded.problems.map((problem) => `${problem.name}: ${problem.message}`).join('; ');
        throw new ServiceUnavailableError({ service: 'reports', reason: `bad report definition (${reason})` });
      }
      const definition = loaded.definitions.find((candidate) => candidate.name === report);
      if (!definition) throw new NotFoundError({ what: 'Report' });
      const clock = await store.now();
      const resolved = resolveRange(definition, input, clock.today);
      if (!resolved.ok) throw new InvalidQueryError({ issues: [{ path: resolved.path, message: resolved.message }] });
      // Directus's 403 when the caller may not read the rollup (or one of its fields): that is who may run it.
      const rows = await store.aggregate(
        definition.collection,
        aggregateQuery(definition, resolved.range),
        accountability,
        req.schema!,
      );
      const data = buildReport(definition, resolved.range, rows, clock.today);
      if (input.format === 'csv') {
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.setHeader('content-disposition', `attachment; filename="${report}.csv"`);
        res.setHeader('x-report-as-of', clock.asOf);
        res.send(reportCsv(data));
        return;
      }
      res.json({
        data,
        meta: {
          report: definition.name,
          title: definition.title,
          from: resolved.range.from,
          to: resolved.range.to,
          interval: resolved.range.interval,
          group_by: resolved.range.groupBy,
          freshness: 'transactional',
          as_of: clock.asOf,
          notes: definition.notes,
        },
      });
    }),
  );
}
