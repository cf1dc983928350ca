// The service desk's demo data on `npm start`'s first run (scripts/lib/first-start-demo.ts): the same deterministic
// set as `npm run seed`, and the demo integration key, shown once.
import type pg from 'pg';
import type { FirstStartDemo } from '../../../scripts/lib/first-start-demo.js';
import { buildDemo, DEMO_PASSWORD } from './core/demo.js';
import { demoStorageRoot, ensureDemoData } from './database.js';

export const writeDemoData: FirstStartDemo['writeDemoData'] = async (
  client: pg.Client,
  env: Record<string, string | undefined>,
) => {
  const demo = await ensureDemoData(client, buildDemo(), DEMO_PASSWORD, demoStorageRoot(env));
  return [
    ...(demo.written
      ? [`demo data written (logins in README, password ${DEMO_PASSWORD}); npm run seed adds more`]
      : []),
    `demo integration API key (shown once; npm run seed makes a new one): ${demo.integrationKey}`,
  ];
};
