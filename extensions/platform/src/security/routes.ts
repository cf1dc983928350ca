// HTTP adapter: GET /groundwork/v1/security/events, admins only (decision 0019). Parse, ask the store, respond.
import type { Router } from 'express';
import { ForbiddenError, InvalidCredentialsError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { listSecurityEventsQuery } from './core/contract.js';
import type { SecurityEventRow, SecurityStore } from './store.js';

const view = (row: SecurityEventRow) => ({
  ...row,
  id: String(row.id),
  occurred_at: new Date(row.occurred_at).toISOString(),
});

export function registerSecurityRoutes(router: Router, { store }: { store: SecurityStore }): void {
  router.get(
    '/v1/security/events',
    route(async (req, res) => {
      // Authorization before input parsing: a non-admin learns nothing about the filters.
      if (!req.accountability?.user && !req.accountability?.admin) throw new InvalidCredentialsError();
      if (req.accountability.admin !== true) throw new ForbiddenError();
      const filter = parseInput(listSecurityEventsQuery, req.query, 'query');
      const { rows, nextCursor } = await store.list(filter);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ data: rows.map(view), meta: { next_cursor: nextCursor } });
    }),
  );
}
