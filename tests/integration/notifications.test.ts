// The notification engine end to end on the fixture domain (no service desk): an instance of the fixture with its
// jobs worker, sending mail to the SMTP capture server. The events are the platform's own: the task workflow's moves
// (`workflow.tasks.doing`), published by its trigger in the write's transaction, fanned out into outbox rows (one per
// event × rule × recipient × channel) and delivered by jobs. The rules and the template are made here, through the
// REST API as an admin would, each for one project so the tests do not see each other's notifications; the fixture's
// audience group `project_members` comes from its test-only bundle (tests/extensions/groundwork-fixture).
// The service desk's own rules are tested in extensions/service-desk/tests/notifications.test.ts.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_MEMBERS_GROUP } from '../fixtures/domain/model.js';
import { useFixtureInstance } from './harness/fixture.js';
import { FAST_RETRIES, outboxFor, settled, useMailCapture, type OutboxRow } from './harness/notifications.js';
import { expectErrorEnvelope, until } from './http.js';

const mail = useMailCapture(FAST_RETRIES);
const fixture = useFixtureInstance({
  name: 'platform-notifications',
  env: mail.env,
  members: ['mia', 'max', 'lee', 'dee'],
});
const { api, ok, members } = fixture;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outbox = (item: string) => outboxFor(fixture.sql, item);
const settledOf = (item: string) => settled(fixture.sql, item);
const emails = (rows: OutboxRow[]) => rows.filter((row) => row.channel === 'email');

const TEMPLATE = 'platform-task-started';
const RULE = { owner: 'platform-owner-started', group: 'platform-members-started', digest: 'platform-digest-started' };
/** The project of each rule: a task's notifications follow its project. */
const project = { owner: '', group: '', digest: '' };

/** A task of `owner` in `inProject` (made by the admin), which its owner then starts: `workflow.tasks.doing`. */
async function startedTask(owner: keyof typeof members, title: string, inProject = project.owner): Promise<string> {
  const task = await newTask(owner, title, inProject);
  expect((await api(members[owner].token, 'PATCH', `/items/tasks/${task}`, { status: 'doing' })).status).toBe(200);
  return task;
}

async function newTask(owner: keyof typeof members, title: string, inProject: string): Promise<string> {
  const task = await ok<{ id: string }>(fixture.admin, 'POST', '/items/tasks', {
    title,
    project: inProject,
    owner: members[owner].id,
  });
  return task.id;
}

beforeAll(async () => {
  project.owner = fixture.project;
  for (const key of ['group', 'digest'] as const) {
    project[key] = (await ok<{ id: string }>(fixture.admin, 'POST', '/items/projects', { name: `${key} project` })).id;
  }
  await ok(fixture.admin, 'POST', '/items/notification_templates', {
    key: TEMPLATE,
    subject: 'Started: {{ item.title }}',
    body: 'Hello {{ recipient.first_name }}, {{ actor.first_name }} started {{ item.title }} in {{ item.project.name }}.',
  });
  const rule = (id: string, inProject: string, fields: object) => ({
    id,
    event: 'workflow.tasks.doing',
    condition: { 'item.project': inProject },
    template: TEMPLATE,
    digest: false,
    exclude_actor: false,
    enabled: true,
    ...fields,
  });
  await ok(fixture.admin, 'POST', '/items/notification_rules', [
    rule(RULE.owner, project.owner, { audience: [{ field: 'owner' }], channels: ['email', 'in_app'] }),
    // `team` is a group no domain registered.
    rule(RULE.group, project.group, {
      audience: [{ [PROJECT_MEMBERS_GROUP]: 'project' }, { team: 'project' }],
      channels: ['in_app'],
    }),
    // Emails of a digest-only rule wait for the daily digest, whatever the recipient's preferences.
    rule(RULE.digest, project.digest, { audience: [{ field: 'owner' }], channels: ['email'], digest: true }),
  ]);
});

describe('a rule', () => {
  it('delivers an email and an in-app notification to its audience, rendered from its template', async () => {
    const title = `Plan ${randomUUID()}`;
    const task = await startedTask('mia', title);
    const email = await mail.server.waitFor((one) => one.text.includes(title));
    expect(email.to).toEqual([members.mia.email]);
    expect(email.subject).toBe(`Started: ${title}`);
    expect(email.text).toContain(`Hello mia, mia started ${title} in Fixture project.`);
    const inApp = await until('the in-app notification', async () => {
      const rows = await fixture.sql('directus_notifications').where({ item: task }).select();
      return rows.length > 0 && rows;
    });
    expect(inApp).toEqual([
      expect.objectContaining({ recipient: members.mia.id, collection: 'tasks', subject: `Started: ${title}` }),
    ]);
    const rows = await settledOf(task);
    expect(rows.map((row) => [row.rule, row.recipient, row.channel, row.status]).sort()).toEqual([
      [RULE.owner, members.mia.id, 'email', 'sent'],
      [RULE.owner, members.mia.id, 'in_app', 'sent'],
    ]);
    await sleep(1000);
    expect(mail.containing(title)).toHaveLength(1);
  });

  it('a write that is rolled back publishes nothing and sends nothing', async () => {
    const title = `Rolled back ${randomUUID()}`;
    const moved = await newTask('mia', title, project.owner);
    const illegal = await newTask('mia', `Illegal ${randomUUID()}`, project.owner);
    // One transaction: the first task's move publishes its event, then the second's (todo -> done is no transition)
    // fails, and the whole batch rolls back.
    const failed = await api(members.mia.token, 'PATCH', '/items/tasks', [
      { id: moved, status: 'doing' },
      { id: illegal, status: 'done' },
    ]);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(failed.status).toBeLessThan(500);
    expect((await fixture.sql('tasks').where({ id: moved }).first()).status).toBe('todo');
    expect(await fixture.sql('groundwork.domain_event').where({ item: moved }).select()).toEqual([]);
    expect(await outbox(moved)).toEqual([]);
    // The same move again, alone: its one email arrives; the rolled-back one would have arrived by then as well.
    expect((await api(members.mia.token, 'PATCH', `/items/tasks/${moved}`, { status: 'doing' })).status).toBe(200);
    await mail.server.waitFor((one) => one.text.includes(title));
    await settledOf(moved);
    await sleep(1000);
    expect(mail.containing(title)).toHaveLength(1);
    expect(await fixture.sql('groundwork.domain_event').where({ item: moved }).select()).toHaveLength(1);
  });
});

describe('SMTP down', () => {
  it('retries while the server is down; once it is back every email arrives exactly once', async () => {
    await mail.server.stop();
    const titles = [1, 2, 3].map((n) => `Outage ${n} ${randomUUID()}`);
    const tasks: string[] = [];
    for (const title of titles) tasks.push(await startedTask('max', title));

    // Each email was tried and failed at least twice (retries with backoff), and is still waiting, not lost.
    await until(
      'failed attempts while SMTP is down',
      async () => {
        const rows = emails((await Promise.all(tasks.map(outbox))).flat());
        return (
          rows.length === 3 && rows.every((row) => row.attempts >= 2 && row.status === 'pending' && row.last_error)
        );
      },
      45_000,
    );
    expect(mail.server.messages.filter((one) => titles.some((title) => one.text.includes(title)))).toHaveLength(0);

    await mail.server.start();
    const backAt = Date.now();
    for (const title of titles) await mail.server.waitFor((one) => one.text.includes(title), 60_000);
    // The figure for docs/operations.md "Resilience": SMTP back to every waiting email delivered.
    console.log(JSON.stringify({ resilience: 'smtp-outage', emails: 3, allDeliveredMs: Date.now() - backAt }));
    const rows = emails((await Promise.all(tasks.map(settledOf))).flat());
    expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
    // Every one was tried while the server was down (failed attempts recorded) and then sent by a retry.
    expect(rows.every((row) => row.attempts >= 3 && row.last_error === null)).toBe(true);
    await sleep(3000);
    for (const title of titles) expect(mail.containing(title)).toHaveLength(1);
  });

  it('a re-run delivery job or a re-dispatched event sends nothing twice', async () => {
    const { sql } = fixture;
    const title = `Re-run ${randomUUID()}`;
    const task = await startedTask('max', title);
    await mail.server.waitFor((one) => one.text.includes(title));
    const [row] = emails(await settledOf(task));
    const event = await sql('groundwork.domain_event').where({ item: task }).first();

    // The same job again, as a crashed worker's retry or an admin's re-run would enqueue it.
    const result = await sql.raw('select public.groundwork_enqueue(?, ?::jsonb) as id', [
      'notifications.deliver',
      JSON.stringify({ id: row!.id }),
    ]);
    const job = String(result.rows[0].id);
    // The event dispatched again, as after a lease that ran out: open in the outbox once more.
    await sql.transaction(async (trx) => {
      await trx('groundwork.domain_event').where({ id: event.id }).update({ dispatched_at: null, attempts: 0 });
      await trx.raw("select pg_notify('groundwork_events', '')");
    });
    await until('re-run job completed and event dispatched again', async () => {
      const [state] = await sql('pgboss.job').where({ id: job }).select('state');
      const [again] = await sql('groundwork.domain_event').where({ id: event.id }).select('dispatched_at');
      return state?.state === 'completed' && again?.dispatched_at !== null;
    });
    await sleep(1500);
    expect(mail.containing(title)).toHaveLength(1);
    expect(await outbox(task)).toHaveLength(2); // the email and the in-app row, once each
    expect(await sql('directus_notifications').where({ item: task }).select()).toHaveLength(1);
  });
});

describe('the SMTP window', () => {
  it('a claimed email is left to its attempt within the lease, then sent once more with the same Message-ID', async () => {
    const { sql } = fixture;
    // A row as a worker leaves it when it dies after claiming (and maybe after the SMTP server accepted it).
    const id = randomUUID();
    const marker = `window-${randomUUID()}`;
    await sql('notification_outbox').insert({
      id,
      key: `test:${id}`,
      event_type: 'test.window',
      recipient: members.mia.id,
      channel: 'email',
      status: 'sending',
      subject: 'Window test',
      body: marker,
      attempts: 1,
      last_attempt_at: sql.fn.now(),
    });
    await sql.raw('select public.groundwork_enqueue(?, ?::jsonb)', ['notifications.deliver', JSON.stringify({ id })]);
    // Within the lease the job backs off instead of sending a second copy.
    await until('a refused attempt', async () => {
      const jobs = await sql('pgboss.job').where({ name: 'notifications.deliver' }).whereRaw("data->>'id' = ?", [id]);
      return jobs.some((job) => job.retry_count > 0);
    });
    expect(mail.containing(marker)).toHaveLength(0);
    // The lease lapses (the attempt is taken as dead): the retry sends it, once.
    await sql('notification_outbox')
      .where({ id })
      .update({ last_attempt_at: sql.raw("now() - interval '1 hour'") });
    const sent = await mail.server.waitFor((one) => one.text.includes(marker), 30_000);
    const row = await until('sent', () => sql('notification_outbox').where({ id, status: 'sent' }).first());
    expect(row.message_id).toBe(`<${id}@127.0.0.1>`);
    expect(sent.subject).toBe('Window test');
    expect(sent.to).toEqual([members.mia.email]);
    expect(sent.messageId).toBe(row.message_id);
    await sleep(1500);
    expect(mail.containing(marker)).toHaveLength(1);
  });
});

describe('preferences', () => {
  it("email off for the rule's event: the email is recorded as skipped and not sent; in-app still goes", async () => {
    const preference = await ok<{ id: number }>(fixture.admin, 'POST', '/items/notification_preferences', {
      user: members.mia.id,
      event: 'workflow.tasks.doing',
      email: false,
    });
    try {
      const title = `Muted ${randomUUID()}`;
      const task = await startedTask('mia', title);
      const rows = await settledOf(task);
      expect(rows.map((row) => [row.recipient, row.channel, row.status]).sort()).toEqual([
        [members.mia.id, 'email', 'skipped'],
        [members.mia.id, 'in_app', 'sent'],
      ]);
      await sleep(1000);
      expect(mail.containing(title)).toHaveLength(0);
    } finally {
      await ok(fixture.admin, 'DELETE', `/items/notification_preferences/${preference.id}`);
    }
  });
});

describe('audience groups (decision 0028)', () => {
  it("a rule naming a group the domain registered reaches the group's users; an unregistered group nobody", async () => {
    // The group project's members are the owners of its tasks: mia and max. Lee owns a task of another project only.
    await newTask('max', `Max's ${randomUUID()}`, project.group);
    await newTask('lee', `Lee's ${randomUUID()}`, project.owner);
    const task = await startedTask('mia', `Group ${randomUUID()}`, project.group);
    const rows = await settledOf(task);
    expect(rows.map((row) => [row.rule, row.recipient, row.channel]).sort()).toEqual(
      [
        [RULE.group, members.mia.id, 'in_app'],
        [RULE.group, members.max.id, 'in_app'],
      ].sort(),
    );
    const inApp = await fixture.sql('directus_notifications').where({ item: task }).pluck('recipient');
    expect(inApp.sort()).toEqual([members.mia.id, members.max.id].sort());
    // The unregistered group is named in a warning, so a typo in a rule shows.
    await until('the warning naming `team`', async () =>
      fixture.instance
        .output()
        .some(
          (line) =>
            line.includes('a notification rule names an audience group no domain registered') && line.includes('team'),
        ),
    );
  });
});

describe('daily digest', () => {
  it('is for admins to trigger', async () => {
    const refused = await api(members.dee.token, 'POST', '/groundwork/v1/notifications/digest');
    expect(refused.status).toBe(403);
    expectErrorEnvelope(refused, 'FORBIDDEN');
    const bad = await api(fixture.admin, 'POST', '/groundwork/v1/notifications/digest', { when: 'now' });
    expect(bad.status).toBe(400);
    expectErrorEnvelope(bad, 'INVALID_PAYLOAD');
  });

  it("groups a digest user's emails, and a digest-only rule's, into one email per recipient", async () => {
    await ok(fixture.admin, 'POST', '/items/notification_preferences', {
      user: members.dee.id,
      event: '*',
      digest: true,
    });
    const titles = [`Digest a ${randomUUID()}`, `Digest b ${randomUUID()}`];
    const tasks: string[] = [];
    for (const title of titles) tasks.push(await startedTask('dee', title));
    const digestOnly = `Digest-only ${randomUUID()}`;
    tasks.push(await startedTask('lee', digestOnly, project.digest));
    const held = emails((await Promise.all(tasks.map(settledOf))).flat());
    expect(held.map((row) => [row.recipient, row.status])).toEqual([
      [members.dee.id, 'held'],
      [members.dee.id, 'held'],
      [members.lee.id, 'held'],
    ]);
    expect([...titles, digestOnly].flatMap(mail.containing)).toEqual([]);

    const run = await api(fixture.admin, 'POST', '/groundwork/v1/notifications/digest');
    expect(run.status).toBe(202);
    const isDigest = (one: { subject: string }) => one.subject.startsWith('Your daily digest');
    const deeDigest = await mail.server.waitFor((one) => one.to.includes(members.dee.email) && isDigest(one));
    // The fixture has no `digest` template: the platform's own renders it.
    expect(deeDigest.subject).toBe('Your daily digest: 2 notifications');
    for (const title of titles) expect(deeDigest.text).toContain(`Started: ${title}`);
    const leeDigest = await mail.server.waitFor((one) => one.to.includes(members.lee.email) && isDigest(one));
    expect(leeDigest.subject).toBe('Your daily digest: 1 notification');
    expect(leeDigest.text).toContain(`Started: ${digestOnly}`);

    const after = await fixture.sql('notification_outbox').whereIn(
      'id',
      held.map((row) => row.id),
    );
    expect(after.map((row) => [row.status, typeof row.digest])).toEqual([
      ['digested', 'string'],
      ['digested', 'string'],
      ['digested', 'string'],
    ]);

    // A second run finds nothing held: no second digest.
    expect((await api(fixture.admin, 'POST', '/groundwork/v1/notifications/digest')).status).toBe(202);
    await sleep(3000);
    const digests = mail.server.messages.filter(isDigest).map((one) => one.to);
    expect(digests.sort()).toEqual([[members.dee.email], [members.lee.email]]);
  });
});
