// Proof that Groundwork is a platform (issue 9): a second, minimal domain (tests/fixtures/domain: projects and
// tasks, a Member role with a row rule, a task workflow with a guard, one notification) on an instance that loads
// only the platform bundle and the fixture's test-only guard extension, migrated through the fixture's own line.
// Workflows, history, notifications, row rules and the snapshot check all work without the service desk.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../scripts/lib/paths.js';
import { FIXTURE_LINE, useFixtureInstance } from './harness/fixture.js';
import { until } from './http.js';

const tsxCli = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

const fixture = useFixtureInstance({ name: 'platform-fixture', members: ['mia', 'max'] });
const { api, ok, members, newTask, graphql } = fixture;

const historyOf = (item: string): Promise<Array<{ from: string | null; to: string; actor: string | null }>> =>
  fixture.sql('workflow_history').where({ collection: 'tasks', item }).orderBy('id').select('from', 'to', 'actor');

/** `npm run snapshot:check` on the fixture's line against this instance's database: exit code and output. */
function snapshotCheck(): Promise<{ code: number | null; output: string }> {
  const { db } = fixture;
  const url = `postgres://${db.user}@${db.host}:${db.port}/${db.database}`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [tsxCli, 'scripts/snapshot.ts', '--check', '--dir', FIXTURE_LINE, '--database-url', url],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('an instance of the fixture domain', () => {
  it('loads the platform bundle and not the service desk', async () => {
    const collections = (await fixture.sql('directus_collections').pluck('collection')) as string[];
    expect(collections).toEqual(expect.arrayContaining(['projects', 'tasks', 'workflow_definitions']));
    expect(collections).not.toContain('tickets');
    const links = fixture.instance.env.EXTENSIONS_PATH as string;
    expect(links).toContain(path.join('.test-runs', 'platform-fixture'));
    expect(readdirSync(links).sort()).toEqual(['groundwork-fixture', 'platform']);
  });
});

describe('the task workflow', () => {
  it('allows a legal move and records it in the history', async () => {
    const task = await newTask(members.mia.id, 'legal move');
    const moved = await api(members.mia.token, 'PATCH', `/items/tasks/${task}`, { status: 'doing' });
    expect(moved.status).toBe(200);
    expect((await fixture.sql('tasks').where({ id: task }).first()).status).toBe('doing');
    expect(await historyOf(task)).toEqual([
      { from: null, to: 'todo', actor: expect.any(String) },
      { from: 'todo', to: 'doing', actor: members.mia.id },
    ]);
  });

  it('refuses a move the definition does not have, with a 4xx and nothing recorded', async () => {
    const task = await newTask(members.mia.id, 'illegal move', 3);
    const refused = await api(members.mia.token, 'PATCH', `/items/tasks/${task}`, { status: 'done' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect((await fixture.sql('tasks').where({ id: task }).first()).status).toBe('todo');
    expect(await historyOf(task)).toHaveLength(1);
  });

  it("refuses a move the fixture's guard blocks, and allows it once the guard passes", async () => {
    const task = await newTask(members.mia.id, 'guarded move');
    expect((await api(members.mia.token, 'PATCH', `/items/tasks/${task}`, { status: 'doing' })).status).toBe(200);
    const blocked = await api(members.mia.token, 'PATCH', `/items/tasks/${task}`, { status: 'done' });
    expect(blocked.status).toBeGreaterThanOrEqual(400);
    expect(blocked.status).toBeLessThan(500);
    expect(blocked.text).toContain('the task has no estimate');
    expect((await fixture.sql('tasks').where({ id: task }).first()).status).toBe('doing');

    expect((await api(members.mia.token, 'PATCH', `/items/tasks/${task}`, { estimate: 2 })).status).toBe(200);
    expect((await api(members.mia.token, 'PATCH', `/items/tasks/${task}`, { status: 'done' })).status).toBe(200);
    expect((await historyOf(task)).map((row) => row.to)).toEqual(['todo', 'doing', 'done']);
  });
});

describe('the notification rule', () => {
  it("delivers the finished task to its owner in-app, from the fixture's template", async () => {
    const task = await newTask(members.max.id, 'notified task', 5);
    expect((await api(members.max.token, 'PATCH', `/items/tasks/${task}`, { status: 'doing' })).status).toBe(200);
    expect(await fixture.sql('directus_notifications').where({ item: task })).toEqual([]); // only `done` notifies
    expect((await api(members.max.token, 'PATCH', `/items/tasks/${task}`, { status: 'done' })).status).toBe(200);
    const [note] = await until(`the notification of ${task}`, async () => {
      const rows = await fixture.sql('directus_notifications').where({ item: task }).select();
      return rows.length > 0 && rows;
    });
    expect(note).toMatchObject({
      recipient: members.max.id,
      collection: 'tasks',
      subject: 'Task done: notified task',
    });
    expect(note.message).toContain('notified task (5 h) is done.');
    const outbox = await fixture.sql('notification_outbox').where({ item: task }).select('rule', 'channel', 'status');
    expect(outbox).toEqual([{ rule: 'fixture-task-done', channel: 'in_app', status: 'sent' }]);
  });
});

describe("the Member role's row rule", () => {
  let miaTask: string;
  beforeAll(async () => {
    miaTask = await newTask(members.mia.id, 'mia only');
  });

  it('lets a member read and update their own task', async () => {
    const read = await api(members.mia.token, 'GET', `/items/tasks/${miaTask}`);
    expect(read.status).toBe(200);
    const updated = await api(members.mia.token, 'PATCH', `/items/tasks/${miaTask}`, { title: 'mia renamed' });
    expect(updated.status).toBe(200);
  });

  it("hides another member's task over REST and refuses to update it", async () => {
    expect((await api(members.max.token, 'GET', `/items/tasks/${miaTask}`)).status).toBe(403);
    const listed = await ok<Array<{ id: string }>>(members.max.token, 'GET', '/items/tasks?fields=id&limit=-1');
    expect(listed.map((row) => row.id)).not.toContain(miaTask);
    const update = await api(members.max.token, 'PATCH', `/items/tasks/${miaTask}`, { title: 'taken over' });
    expect(update.status).toBe(403);
    expect((await fixture.sql('tasks').where({ id: miaTask }).first()).title).toBe('mia renamed');
  });

  it("hides another member's task over GraphQL and refuses to update it", async () => {
    const own = await graphql(members.mia.token, `{ tasks_by_id(id: "${miaTask}") { id } }`);
    expect(own.body).toEqual({ data: { tasks_by_id: { id: miaTask } } });
    const other = await graphql(members.max.token, `{ tasks_by_id(id: "${miaTask}") { id } }`);
    expect((other.body.data as { tasks_by_id: unknown } | undefined)?.tasks_by_id ?? null).toBeNull();
    const listed = await graphql(members.max.token, '{ tasks(limit: -1) { id } }');
    expect((listed.body.data as { tasks: Array<{ id: string }> }).tasks.map((row) => row.id)).not.toContain(miaTask);
    const update = await graphql(
      members.max.token,
      `mutation { update_tasks_item(id: "${miaTask}", data: { title: "taken over" }) { id } }`,
    );
    expect(update.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
    expect((await fixture.sql('tasks').where({ id: miaTask }).first()).title).toBe('mia renamed');
  });
});

describe("the fixture's snapshot line", () => {
  it('snapshot:check finds no drift, and finds a change made after the migrate', async () => {
    const clean = await snapshotCheck();
    expect({ code: clean.code, output: clean.output }).toEqual({ code: 0, output: expect.stringContaining('matches') });
    await ok(fixture.admin, 'POST', '/fields/projects', { field: 'drifted', type: 'string', meta: {}, schema: {} });
    const drifted = await snapshotCheck();
    expect(drifted.code).toBe(1);
    expect(drifted.output).toContain('drifted');
  }, 120_000);
});
