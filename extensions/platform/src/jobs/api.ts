// The jobs routes as documented in OpenAPI (built from the same zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import { jobIdParams, jobList, listJobsQuery, queueCounts, retryResult } from './core/contract.js';

export const jobsRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/jobs',
    operationId: 'groundworkListJobs',
    summary:
      'Background jobs, newest first, with status, attempts and last error. Staff (app users) only; payloads for admins.',
    tag: 'Jobs',
    public: false,
    query: listJobsQuery,
    responses: {
      200: { description: 'Jobs.', schema: jobList },
      400: { description: 'Bad filter (INVALID_QUERY).' },
      403: { description: 'Not staff (FORBIDDEN).' },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/jobs/queues',
    operationId: 'groundworkJobQueues',
    summary: 'Each queue with its queued, active, retrying, failed and dead job counts. Staff only.',
    tag: 'Jobs',
    public: false,
    responses: {
      200: { description: 'Queues.', schema: queueCounts },
      403: { description: 'Not staff (FORBIDDEN).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/jobs/{id}/retry',
    operationId: 'groundworkRetryDeadJob',
    summary: 'Move a dead job back to the queue it failed in, with fresh attempts. Admins only.',
    tag: 'Jobs',
    public: false,
    params: jobIdParams,
    responses: {
      200: { description: 'Requeued.', schema: retryResult },
      400: { description: 'Not a job id (INVALID_PARAMS).' },
      403: { description: 'Not an admin (FORBIDDEN).' },
      404: { description: 'No dead job with this id (NOT_FOUND).' },
    },
  },
  {
    method: 'delete',
    path: '/groundwork/v1/jobs/{id}',
    operationId: 'groundworkDiscardDeadJob',
    summary: 'Discard a dead job for good. Admins only.',
    tag: 'Jobs',
    public: false,
    params: jobIdParams,
    responses: {
      204: { description: 'Discarded.' },
      400: { description: 'Not a job id (INVALID_PARAMS).' },
      403: { description: 'Not an admin (FORBIDDEN).' },
      404: { description: 'No dead job with this id (NOT_FOUND).' },
    },
  },
];
