// `npm run bench:workflow-sql`: where a transition's database time goes, one statement at a time on one connection
// (no HTTP, no Directus in the loop): an UPDATE of the state with and without the workflow trigger, the filter's
// SELECT, groundwork_publish_event alone and a history insert alone, 2,000 calls each, against `select 1`. The
// UPDATE names an agent as the actor (user_updated), as Directus does, so the trigger reads the actor's roles.
// database is migrated and Directus booted once on it (the platform makes the triggers and the jobs functions),
// then stopped. Options: --calls N (default 2000), --smoke (20 calls, for CI). Database server: BENCH_DATABASE_URL,
// else the embedded PostgreSQL.
import { randomUUID } from 'node:crypto';
import { ROLE } from '../../extensions/service-desk/spec/service-desk/access.js';
import { openDatabase } from '../snapshots/database.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { benchServer } from './lib/server.js';

const { smoke, values } = readBenchOptions({ calls: { full: '2000', smoke: '20' } });
const calls = wholeNumber('calls', values.calls);

const bench = await benchServer('bench');
const db = await bench.database('wfprof');
const instance = await startMigratedInstance({ db, name: 'bench-workflow-sql', env: { LOG_LEVEL: 'warn' } });
await instance.stop();
const knex = openDatabase(db);
const org = randomUUID();
await knex('organizations').insert({ id: org, name: 'o' });
const agent = randomUUID();
await knex('directus_users').insert({ id: agent, email: 'agent@bench.example.com', role: ROLE.agent });
const ids = Array.from({ length: calls }, () => randomUUID());
await knex('tickets').insert(ids.map((id) => ({ id, subject: 's', status: 'open', organization: org })));
async function time(label: string, fn: (id: string, i: number) => Promise<unknown>) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < ids.length; i++) await fn(ids[i]!, i);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`${label}: ${(ms / ids.length).toFixed(3)} ms per call`);
}
const toggle = (to: string) => (id: string) =>
  knex('tickets').where({ id }).update({ status: to, user_updated: agent });
await time('update with workflow trigger (open→pending)', toggle('pending'));
await knex.raw('alter table tickets disable trigger groundwork_workflow_update');
await time('update without workflow trigger (pending→open)', toggle('open'));
await knex.raw('alter table tickets enable trigger groundwork_workflow_update');
await time('filter select', (id) => knex('tickets').select('id', 'status', 'solved_at').whereIn('id', [id]));
await time('groundwork_publish_event alone', (id) =>
  knex.raw(`select public.groundwork_publish_event('workflow.tickets.open', 'tickets', ?, null, '{}'::jsonb)`, [id]),
);
await time('history insert alone', (id) =>
  knex('workflow_history').insert({ collection: 'tickets', item: id, from: 'a', to: 'b' }),
);
await time('select 1', () => knex.raw('select 1'));
await knex.destroy();
await bench.close();
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);
