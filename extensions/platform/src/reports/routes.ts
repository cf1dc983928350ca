// HTTP adapter: GET /groundwork/v1/reports/:report (issue 12, decision 0044): a report the domain defines, summed
// from its rollup collection with the caller's own Directus permissions, as JSON, CSV or XLSX (decision 0056).
import type { SchemaOverview } from '@directus/types';
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
import { reportCsv, reportTable } from './core/csv.js';
import { writeXlsx } from '../shared/xlsx.js';
import type { ReportStore } from './store.js';

/** The rollup's uuid columns, from Directus's schema: a filter on them takes uuids only (a 400, not a cast error). */
function uuidFields(schema: SchemaOverview, collection: string): Set<string> {
  const fields = schema.collections[collection]?.fields ?? {};
  return new Set(
    Object.values(fields)
      .filter((field) => field.type === 'uuid')
      .map((field) => field.field),
  );
}

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
      const resolved = resolveRange(definition, input, clock.today, uuidFields(req.schema!, definition.collection));
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
      if (input.format === 'xlsx') {
        const { header, records } = reportTable(data);
        res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.setHeader('content-disposition', `attachment; filename="${report}.xlsx"`);
        res.setHeader('x-report-as-of', clock.asOf);
        await writeXlsx(res, report.slice(0, 31), header, [records]);
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
          filter: resolved.range.filter,
          freshness: 'transactional',
          as_of: clock.asOf,
          notes: definition.notes,
        },
      });
    }),
  );
}
