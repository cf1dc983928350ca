// An instance of the fixture domain (tests/fixtures/domain: projects and tasks, a Member role with a row rule, a task
// workflow with a guard, one notification rule) for the platform's own tests: it loads the platform bundle and the
// fixture's test-only extension, never the service desk, on a copy of the stack's fixture template.
import { afterAll, beforeAll } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import type { DirectusInstance, StartOptions } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { MEMBER_ROLE } from '../../fixtures/domain/model.js';
import { fixtureTestDatabase, harness } from './context.js';
import { FIXTURE_LINE } from './fixture-line.js';
import { adminToken, bearerClient, getJson, login } from '../http.js';

export { FIXTURE_LINE };
export const FIXTURE_PASSWORD = 'fixture-test-password';

export interface Member {
  id: string;
  email: string;
  token: string;
}

export interface FixtureOptions {
  /** Names the instance's folder under .test-runs and its database. */
  name: string;
  env?: Record<string, string>;
  /** Test-only extensions besides groundwork-fixture (e.g. groundwork-probe). */
  testExtensions?: string[];
  /** Members (role Member) to create, by name: `<name>@fixture.example.com`. */
  members?: string[];
}

export interface FixtureInstance<M extends string = string> {
  instance: DirectusInstance;
  db: PgConnection;
  /** A knex on the instance's database (pool of 2). */
  sql: Knex;
  /** The test admin's access token. */
  admin: string;
  members: Record<M, Member>;
  /** A project made by the admin, for tasks. */
  project: string;
  api: ReturnType<typeof bearerClient>['api'];
  ok: ReturnType<typeof bearerClient>['ok'];
  /** POST /graphql as `token`. */
  graphql(token: string, query: string): ReturnType<typeof getJson>;
  /** A task made by the admin, owned by `owner`. */
  newTask(owner: string, title: string, estimate?: number | null): Promise<string>;
  login(email: string): Promise<string>;
}

/** Starts a fixture instance in beforeAll and stops it (and drops its database) in afterAll. */
export function useFixtureInstance<M extends string>(options: FixtureOptions & { members?: M[] }): FixtureInstance<M> {
  const fixture = {} as FixtureInstance<M>;
  const { api, ok } = bearerClient(() => fixture.instance.baseUrl);
  Object.assign(fixture, { api, ok, members: {} });

  fixture.login = (email) => login(fixture.instance.baseUrl, email, FIXTURE_PASSWORD);
  fixture.graphql = (token, query) =>
    getJson(`${fixture.instance.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
  fixture.newTask = async (owner, title, estimate = null) =>
    (
      await ok<{ id: string }>(fixture.admin, 'POST', '/items/tasks', {
        title,
        project: fixture.project,
        owner,
        estimate,
      })
    ).id;

  beforeAll(async () => {
    fixture.db = await fixtureTestDatabase(options.name);
    const start: Omit<StartOptions, 'bootstrap' | 'afterBootstrap'> & { dir: string } = {
      db: fixture.db,
      name: options.name,
      dir: FIXTURE_LINE,
      env: { GROUNDWORK_SNAPSHOTS_DIR: FIXTURE_LINE, JOBS_POLLING_INTERVAL_SECONDS: '0.5', ...options.env },
      shipped: ['platform'],
      testExtensions: ['groundwork-fixture', ...(options.testExtensions ?? [])],
    };
    fixture.instance = await startMigratedInstance(start);
    fixture.sql = knexFactory({ client: 'pg', connection: { ...fixture.db }, pool: { min: 0, max: 2 } });
    fixture.admin = await adminToken(fixture.instance.baseUrl);
    fixture.project = (
      await ok<{ id: string }>(fixture.admin, 'POST', '/items/projects', { name: 'Fixture project' })
    ).id;
    for (const name of options.members ?? []) {
      const email = `${name}@fixture.example.com`;
      const user = await ok<{ id: string }>(fixture.admin, 'POST', '/users', {
        email,
        password: FIXTURE_PASSWORD,
        first_name: name,
        role: MEMBER_ROLE,
        status: 'active',
      });
      fixture.members[name] = { id: user.id, email, token: await fixture.login(email) };
    }
  }, 300_000);

  afterAll(async () => {
    await fixture.instance?.stop();
    await fixture.sql?.destroy();
    if (fixture.db) await dropDatabase(harness().server, fixture.db.database);
  });

  return fixture;
}
