// What Directus adds to Express requests before our routes run (see @directus/api's middleware).
import type { Accountability, SchemaOverview } from '@directus/types';

declare global {
  namespace Express {
    interface Request {
      /** Set by the platform hook from x-request-id (or generated); pino-http reuses it. */
      id?: string;
      accountability?: Accountability;
      schema?: SchemaOverview;
    }
  }
}

export {};
