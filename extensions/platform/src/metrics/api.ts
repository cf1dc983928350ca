// The metrics route as documented in OpenAPI.
import type { RouteDoc } from '../openapi/core/document.js';

export const metricsRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/metrics',
    operationId: 'groundworkMetrics',
    summary:
      "Prometheus metrics (text format) of this instance. With METRICS_TOKEN set: that token as a bearer, or an admin's token; without it the route answers 404.",
    tag: 'Health',
    public: false,
    responses: {
      200: { description: 'The Prometheus text exposition format (text/plain; version=0.0.4).' },
      401: { description: 'A bearer token that is neither the metrics token nor a valid user token.' },
      403: { description: 'Not an admin and no metrics token (FORBIDDEN).' },
      404: { description: 'METRICS_TOKEN is not set: metrics are off.' },
    },
  },
];
