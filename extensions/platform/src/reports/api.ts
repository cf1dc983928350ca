// The report route as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { reportParams, reportQuery, reportResponse } from './core/contract.js';

export const reportRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/reports/{report}',
    operationId: 'groundworkReport',
    summary:
      "A report the domain defines (groundwork.report_definitions), summed from its rollup collection with the caller's own permissions: a caller who may not read the rollup gets 403, and only the rows they may read are summed.",
    tag: 'Reports',
    public: false,
    params: reportParams,
    query: reportQuery,
    responses: {
      200: {
        description: 'The rows, and how fresh they are (csv and xlsx: the file, the time in X-Report-As-Of).',
        schema: reportResponse,
      },
      400: { description: 'A bad date, range, interval, group_by, filter or format (INVALID_QUERY).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'The caller may not read this report (FORBIDDEN).' },
      404: { description: 'No such report (NOT_FOUND).' },
      503: { description: 'A report definition is invalid (SERVICE_UNAVAILABLE).' },
    },
  },
];
