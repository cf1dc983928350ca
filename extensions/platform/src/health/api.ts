// The health routes as documented in OpenAPI (built from the same zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import { KNOWN_CHECKS, livenessResponse, readinessQuery, readinessReport, runningVersions } from './core/contract.js';

export const healthRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/health/live',
    operationId: 'groundworkLiveness',
    summary: 'Liveness: the process answers. Touches no dependency.',
    tag: 'Health',
    public: true,
    responses: { 200: { description: 'Alive.', schema: livenessResponse } },
  },
  {
    method: 'get',
    path: '/groundwork/v1/health/ready',
    operationId: 'groundworkReadiness',
    summary: 'Readiness: PostgreSQL (and Redis, when configured) answer within GROUNDWORK_HEALTH_TIMEOUT_MS.',
    tag: 'Health',
    public: true,
    query: readinessQuery(KNOWN_CHECKS),
    responses: {
      200: { description: 'Every selected dependency is up.', schema: readinessReport },
      400: { description: 'Unknown check name (INVALID_QUERY).' },
      503: { description: 'A dependency is down; the body names it.', schema: readinessReport },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/health/version',
    operationId: 'groundworkVersion',
    summary: 'The running Groundwork, Directus and Node versions. Admins only.',
    tag: 'Health',
    public: false,
    responses: {
      200: { description: 'Versions.', schema: runningVersions },
      403: { description: 'Not an admin (FORBIDDEN).' },
    },
  },
];
