// Issue 10, findings 4 and 10, attacked as every staff role (not only customers) on the main test instance:
// ticket attachments (Content Editor: none; Agent: read, upload and attach, no change to an attachment), fields the
// database sets, the article review guard, a ticket's requester outside its organization, rating and reopening a
// colleague's ticket, and TOTP required for Managers (and Administrators). Decision 0014.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POLICY, ROLE } from '../spec/service-desk/access.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, freshOtp, getJson, mintApiKey } from '../../../tests/integration/http.js';
import { asAdmin, call, createDesk, ticketIn, type Desk } from './fixtures.js';

let desk: Desk;
let integration: string;
let colleague: { id: string; token: string };

async function login(email: string, password: string, otp?: string) {
  return getJson(`${harness().baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, ...(otp ? { otp } : {}) }),
  });
}

async function person(role: string, organization: string | null = null) {
  const email = `lp-${randomBytes(4).toString('hex')}@${desk.run}.example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await asAdmin<{ id: string }>(desk, 'POST', '/users', { email, password, role, organization });
  const session = await login(email, password);
  expect(session.status).toBe(200);
  return { id: user.id, email, password, token: (session.body.data as { access_token: string }).access_token };
}

async function upload(token: string, content: string, id?: string) {
  const form = new FormData();
  form.append('title', `lp-${content}`);
  form.append('file', new Blob([content], { type: 'text/plain' }), `${content}.txt`);
  return getJson(`${harness().baseUrl}/files${id ? `/${id}` : ''}`, {
    method: id ? 'PATCH' : 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

async function bytesOf(id: string): Promise<string> {
  const response = await fetch(`${harness().baseUrl}/assets/${id}`, {
    headers: { authorization: `Bearer ${desk.admin}` },
  });
  return response.text();
}

beforeAll(async () => {
  desk = await createDesk('lp');
  integration = (await mintApiKey(desk.admin, POLICY.integration)).key;
  colleague = await person(ROLE.customer, desk.org.id);
}, 120_000);

afterAll(async () => {
  await desk?.db.destroy();
});

// ---------------------------------------------------------------------------------------------------------------

describe('finding 4a: ticket attachments', () => {
  const files = { public: '', internal: '' };
  let message = '';

  beforeAll(async () => {
    const ticket = await ticketIn(desk, 'open');
    for (const internal of [false, true]) {
      const posted = await asAdmin<{ id: string }>(desk, 'POST', '/items/ticket_messages', {
        ticket,
        body: `lp-${internal ? 'note' : 'reply'}`,
        internal,
      });
      if (!internal) message = posted.id;
      const uploaded = await upload(desk.admin, `lp-original-${internal}-${desk.run}`);
      expect(uploaded.status).toBe(200);
      const file = (uploaded.body.data as { id: string }).id;
      await asAdmin(desk, 'POST', '/items/ticket_messages_files', {
        ticket_messages_id: posted.id,
        directus_files_id: file,
      });
      files[internal ? 'internal' : 'public'] = file;
    }
  });

  it('gives the Content Editor no ticket attachment, its junction or its bytes, and keeps their own uploads', async () => {
    const editor = desk.users.editor.token;
    for (const id of [files.public, files.internal]) {
      expect([id, (await call(editor, 'GET', `/files/${id}`)).status]).toEqual([id, 403]);
      expect([id, (await call(editor, 'GET', `/assets/${id}`)).status]).toEqual([id, 403]);
      expect([id, (await call(editor, 'PATCH', `/files/${id}`, { title: 'x' })).status]).toEqual([id, 403]);
      expect([id, (await upload(editor, `lp-replaced-${desk.run}`, id)).status]).toEqual([id, 403]);
      expect(await bytesOf(id)).toContain('lp-original');
    }
    const listed = await call(editor, 'GET', '/files?limit=-1&fields=id');
    const ids = (listed.body.data as Array<{ id: string }>).map((file) => file.id);
    expect(ids).not.toContain(files.public);
    expect(ids).not.toContain(files.internal);
    expect((await call(editor, 'GET', '/items/ticket_messages_files')).status).toBe(403);
    // Their own knowledge-base uploads still work.
    const own = await upload(editor, `lp-kb-${desk.run}`);
    expect(own.status).toBe(200);
    const ownId = (own.body.data as { id: string }).id;
    expect((await call(editor, 'PATCH', `/files/${ownId}`, { title: 'KB image' })).status).toBe(200);
    expect((await call(editor, 'GET', `/assets/${ownId}`)).status).toBe(200);
  });

  it('lets an Agent read every attachment and attach new uploads, but not change or replace an attachment', async () => {
    const agent = desk.users.agent.token;
    for (const id of [files.public, files.internal]) {
      expect([id, (await call(agent, 'GET', `/assets/${id}`)).status]).toEqual([id, 200]);
      expect([id, (await call(agent, 'PATCH', `/files/${id}`, { title: 'x' })).status]).toEqual([id, 403]);
      expect([id, (await upload(agent, `lp-replaced-${desk.run}`, id)).status]).toEqual([id, 403]);
      expect([id, (await call(agent, 'PATCH', '/files', { keys: [id], data: { title: 'x' } })).status]).toEqual([
        id,
        403,
      ]);
      expect(await bytesOf(id)).toContain('lp-original');
    }
    // Nor by pointing a new row at an attachment's bytes.
    const disk = (await asAdmin<{ filename_disk: string }>(desk, 'GET', `/files/${files.internal}`)).filename_disk;
    expect(
      (await call(agent, 'POST', '/files', { filename_disk: disk, storage: 'local', type: 'text/plain', title: 'x' }))
        .status,
    ).toBe(403);

    const fresh = await upload(agent, `lp-agent-${desk.run}`);
    expect(fresh.status).toBe(200);
    const freshId = (fresh.body.data as { id: string }).id;
    expect((await call(agent, 'PATCH', `/files/${freshId}`, { title: 'screenshot' })).status).toBe(200);
    const attached = await call(agent, 'POST', '/items/ticket_messages_files', {
      ticket_messages_id: message,
      directus_files_id: freshId,
    });
    expect(attached.status).toBe(200);
    // Attached now: the file is the ticket's evidence.
    expect((await call(agent, 'PATCH', `/files/${freshId}`, { title: 'changed' })).status).toBe(403);
    // Another agent's unattached upload is not theirs either.
    const others = await upload(desk.users.agent2.token, `lp-agent2-${desk.run}`);
    const othersId = (others.body.data as { id: string }).id;
    expect((await call(agent, 'PATCH', `/files/${othersId}`, { title: 'x' })).status).toBe(403);
  });

  it('keeps a Manager’s full file access, and refuses customers and the integration', async () => {
    expect(
      (await call(desk.users.manager.token, 'PATCH', `/files/${files.public}`, { description: 'ok' })).status,
    ).toBe(200);
    for (const token of [desk.users.customer.token, integration]) {
      expect((await call(token, 'PATCH', `/files/${files.public}`, { title: 'x' })).status).toBe(403);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('finding 4b: fields the database sets', () => {
  const stamps: Record<string, unknown> = {
    date_created: '2020-01-01T00:00:00.000Z',
    user_created: null,
    date_updated: '2020-01-01T00:00:00.000Z',
    user_updated: null,
    first_response_due_at: '2099-01-01T00:00:00.000Z',
    resolution_due_at: '2099-01-01T00:00:00.000Z',
    sla_state: 'breached',
    first_responded_at: '2020-01-01T00:00:00.000Z',
    solved_at: '2020-01-01T00:00:00.000Z',
    closed_at: '2020-01-01T00:00:00.000Z',
    number: 'SD-1',
  };

  it('refuses every non-admin role writing a ticket’s stamps, SLA fields or number, on update and create', async () => {
    const ticket = await ticketIn(desk, 'open');
    await desk.db('tickets').where({ id: ticket }).update({ requester: desk.users.customer.id });
    const before = await desk.db('tickets').where({ id: ticket }).first();
    const roles: Array<[string, string]> = [
      ['manager', desk.users.manager.token],
      ['agent', desk.users.agent.token],
      ['integration', integration],
      ['customer', desk.users.customer.token],
    ];
    for (const [role, token] of roles) {
      for (const [field, value] of Object.entries({ ...stamps, user_created: desk.users.agent2.id })) {
        const patched = await call(token, 'PATCH', `/items/tickets/${ticket}`, { [field]: value });
        expect([role, 'update', field, patched.status]).toEqual([role, 'update', field, 403]);
        const created = await call(token, 'POST', '/items/tickets', {
          subject: `lp stamp ${field}`,
          organization: desk.org.id,
          [field]: value,
        });
        expect([role, 'create', field, created.status]).toEqual([role, 'create', field, 403]);
      }
    }
    const after = await desk.db('tickets').where({ id: ticket }).first();
    expect(after).toEqual(before);
  });

  it('refuses staff rewriting the stamps of messages and articles, and an article’s author', async () => {
    const ticket = await ticketIn(desk, 'open');
    const message = await asAdmin<{ id: string }>(desk, 'POST', '/items/ticket_messages', { ticket, body: 'lp' });
    const article = await asAdmin<{ id: string }>(desk, 'POST', '/items/kb_articles', {
      title: `lp ${desk.run}`,
      slug: `lp-${randomUUID()}`,
      author: desk.users.editor.id,
    });
    const old = { date_created: '2020-01-01T00:00:00.000Z', user_created: desk.users.agent2.id };
    const cases: Array<[string, string, string, Record<string, unknown>]> = [];
    for (const [role, token] of [
      ['manager', desk.users.manager.token],
      ['agent', desk.users.agent.token],
    ] as const) {
      for (const [field, value] of Object.entries({
        ...old,
        date_updated: old.date_created,
        author: desk.users.agent2.id,
      }))
        cases.push([role, token, `/items/ticket_messages/${message.id}`, { [field]: value }]);
    }
    for (const [role, token] of [
      ['manager', desk.users.manager.token],
      ['editor', desk.users.editor.token],
      ['agent', desk.users.agent.token],
    ] as const) {
      for (const [field, value] of Object.entries({
        ...old,
        user_updated: desk.users.agent2.id,
        published_at: old.date_created,
        author: desk.users.editor2.id,
      }))
        cases.push([role, token, `/items/kb_articles/${article.id}`, { [field]: value }]);
    }
    for (const [role, token, route, body] of cases) {
      const response = await call(token, 'PATCH', route, body);
      expect([role, route, body, response.status]).toEqual([role, route, body, 403]);
    }
    const stored = await desk.db('kb_articles').where({ id: article.id }).first();
    expect(stored.author).toBe(desk.users.editor.id);
    expect(stored.published_at).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('finding 4d: a ticket’s requester belongs to its organization', () => {
  const refused = (response: { status: number; body: Record<string, unknown>; text: string }) => {
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, 'REQUESTER_NOT_IN_ORGANIZATION');
  };

  it('refuses creating one for a customer of another organization, for every role and path', async () => {
    const subject = `lp-foreign-${desk.run}`;
    const foreign = { subject, organization: desk.org.id, requester: desk.users.outsider.id };
    for (const token of [desk.admin, desk.users.manager.token, desk.users.agent.token, integration]) {
      refused(await call(token, 'POST', '/items/tickets', foreign));
      refused(
        await call(token, 'POST', '/items/tickets', [
          { subject, organization: desk.org.id, requester: desk.users.customer.id },
          foreign,
        ]),
      );
      // Directus types a many-to-one input by the caller's permissions (a key, or the related create input);
      // a variable of the wrong form is its INTERNAL_SERVER_ERROR, so each form is tried until one fits.
      const orgName = (await desk.db('organizations').where({ id: desk.org.id }).first()).name as string;
      const forms = [
        foreign,
        { ...foreign, organization: { id: desk.org.id, name: orgName } },
        { ...foreign, organization: { id: desk.org.id, name: orgName }, requester: { id: desk.users.outsider.id } },
        { ...foreign, requester: { id: desk.users.outsider.id } },
      ];
      let errors: Array<{ extensions?: { code?: string } }> = [];
      for (const data of forms) {
        const graphql = await call(token, 'POST', '/graphql', {
          query: 'mutation ($data: create_tickets_input!) { create_tickets_item(data: $data) { id } }',
          variables: { data },
        });
        errors = (graphql.body.errors as typeof errors | undefined) ?? [];
        if (!errors.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')) break;
      }
      expect(errors.map((error) => error.extensions?.code)).toContain('REQUESTER_NOT_IN_ORGANIZATION');
    }
    // Nested: a new ticket inside a new message.
    refused(await call(desk.users.agent.token, 'POST', '/items/ticket_messages', { body: 'lp', ticket: foreign }));
    expect(await desk.db('tickets').where({ subject })).toEqual([]);
  });

  it('refuses moving a ticket, or its requester, across organizations', async () => {
    const ticket = await ticketIn(desk, 'open');
    for (const token of [desk.users.manager.token, desk.users.agent.token]) {
      refused(await call(token, 'PATCH', `/items/tickets/${ticket}`, { requester: desk.users.outsider.id }));
      refused(await call(token, 'PATCH', `/items/tickets/${ticket}`, { organization: desk.otherOrg.id }));
      refused(
        await call(token, 'PATCH', '/items/tickets', { keys: [ticket], data: { organization: desk.otherOrg.id } }),
      );
    }
    expect(await desk.db('tickets').where({ id: ticket }).first()).toMatchObject({
      organization: desk.org.id,
      requester: desk.users.customer.id,
    });
    // Both together, consistently, is a real move.
    const moved = await call(desk.users.manager.token, 'PATCH', `/items/tickets/${ticket}`, {
      organization: desk.otherOrg.id,
      requester: desk.users.outsider.id,
    });
    expect(moved.status).toBe(200);
  });

  it('sees a requester moved earlier in the same batch (the rule reads each person once per transaction)', async () => {
    // The first ticket's nested write moves its requester to the other organization before the second is checked;
    // a memo of people kept across that write would let the second ticket through.
    const subject = `lp-moved-${desk.run}`;
    const response = await call(desk.admin, 'POST', '/items/tickets', [
      {
        subject,
        organization: desk.org.id,
        requester: { id: desk.users.customer.id, organization: desk.otherOrg.id },
      },
      { subject, organization: desk.org.id, requester: desk.users.customer.id },
    ]);
    refused(response);
    expect(await desk.db('tickets').where({ subject })).toEqual([]);
    expect(await desk.db('directus_users').where({ id: desk.users.customer.id }).first()).toMatchObject({
      organization: desk.org.id,
    });
  });

  it('allows a member of the organization, staff, and no requester', async () => {
    for (const requester of [desk.users.customer.id, desk.users.agent.id, null]) {
      const created = await call(desk.users.agent.token, 'POST', '/items/tickets', {
        subject: `lp-ok-${desk.run}`,
        organization: desk.org.id,
        requester,
      });
      expect([requester, created.status]).toEqual([requester, 200]);
    }
    const viaIntegration = await call(integration, 'POST', '/items/tickets', {
      subject: `lp-ok-${desk.run}`,
      organization: desk.org.id,
      requester: desk.users.customer.id,
    });
    expect(viaIntegration.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('finding 4c: the reviewer is never the author', () => {
  it('keeps the author of an article as created, and the writer cannot publish it', async () => {
    const editor = desk.users.editor.token;
    const slug = `lp-review-${randomUUID()}`;
    // Naming someone else as the author at creation is refused; without it the author is the creator.
    expect(
      (await call(editor, 'POST', '/items/kb_articles', { title: 'x', slug, author: desk.users.editor2.id })).status,
    ).toBe(403);
    const created = await call(editor, 'POST', '/items/kb_articles', { title: 'Review me', slug });
    expect(created.status).toBe(200);
    const id = (created.body.data as { id: string }).id;
    expect((await desk.db('kb_articles').where({ id }).first()).author).toBe(desk.users.editor.id);
    for (const token of [editor, desk.users.manager.token]) {
      expect((await call(token, 'PATCH', `/items/kb_articles/${id}`, { author: desk.users.editor2.id })).status).toBe(
        403,
      );
    }
    expect((await call(editor, 'PATCH', `/items/kb_articles/${id}`, { status: 'in_review' })).status).toBe(200);
    expect((await call(editor, 'PATCH', `/items/kb_articles/${id}`, { status: 'published' })).status).toBe(409);
    // Even when an admin names another author, the writer (user_created) stays their own article's author.
    await asAdmin(desk, 'PATCH', `/items/kb_articles/${id}`, { author: desk.users.editor2.id });
    const own = await call(editor, 'PATCH', `/items/kb_articles/${id}`, { status: 'published' });
    expect(own.status).toBe(409);
    expect((await desk.db('kb_articles').where({ id }).first()).status).toBe('in_review');
  });

  it('lets another editor publish it', async () => {
    const created = await call(desk.users.editor.token, 'POST', '/items/kb_articles', {
      title: 'Peer reviewed',
      slug: `lp-peer-${randomUUID()}`,
    });
    const id = (created.body.data as { id: string }).id;
    expect(
      (await call(desk.users.editor.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'in_review' })).status,
    ).toBe(200);
    expect(
      (await call(desk.users.editor2.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'published' })).status,
    ).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('finding 4e: only the requester rates or reopens a ticket', () => {
  it('refuses a colleague and another organization, and lets the requester', async () => {
    const ticket = await ticketIn(desk, 'solved', { solvedDaysAgo: 1 });
    for (const [who, token] of [
      ['colleague', colleague.token],
      ['outsider', desk.users.outsider.token],
    ] as const) {
      for (const body of [{ satisfaction: 1 }, { status: 'open' }, { status: 'open', workflow_comment: 'again' }]) {
        const response = await call(token, 'PATCH', `/items/tickets/${ticket}`, body);
        expect([who, body, response.status]).toEqual([who, body, 403]);
      }
    }
    expect(await desk.db('tickets').where({ id: ticket }).first()).toMatchObject({
      status: 'solved',
      satisfaction: null,
    });

    // Colleagues still reply in public on their organization's tickets, by both paths.
    expect(
      (await call(colleague.token, 'POST', '/items/ticket_messages', { ticket, body: 'lp colleague' })).status,
    ).toBe(200);
    const nested = await call(colleague.token, 'PATCH', `/items/tickets/${ticket}`, {
      messages: { create: [{ body: 'lp colleague nested' }] },
    });
    expect(nested.status).toBe(200);

    const own = desk.users.customer.token;
    expect((await call(own, 'PATCH', `/items/tickets/${ticket}`, { satisfaction: 5 })).status).toBe(200);
    expect((await call(own, 'PATCH', `/items/tickets/${ticket}`, { status: 'open' })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('finding 10: TOTP required for Managers and Administrators', () => {
  const claims = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  it('marks the Manager and Administrator policies, not the others', async () => {
    const policies = await asAdmin<Array<{ id: string; admin_access: boolean; enforce_tfa: boolean }>>(
      desk,
      'GET',
      '/policies?limit=-1&fields=id,admin_access,enforce_tfa',
    );
    const enforced = (id: string) => policies.find((policy) => policy.id === id)?.enforce_tfa;
    expect(enforced(POLICY.manager)).toBe(true);
    expect(policies.filter((policy) => policy.admin_access).every((policy) => policy.enforce_tfa)).toBe(true);
    for (const id of [POLICY.agent, POLICY.contentEditor, POLICY.customer, POLICY.integration])
      expect([id, enforced(id)]).toEqual([id, false]);
  });

  it('sends a Manager without TOTP to set it up, as Directus enforces it, and never lets them turn it off', async () => {
    const manager = await person(ROLE.manager);
    // Directus marks the session and the app's globals; the admin app then allows only its TOTP setup page.
    expect(claims(manager.token).enforce_tfa).toBe(true);
    const globals = await call(manager.token, 'GET', '/policies/me/globals');
    expect(globals.body.data).toMatchObject({ enforce_tfa: true });
    const agentGlobals = await call(desk.users.agent.token, 'GET', '/policies/me/globals');
    expect(agentGlobals.body.data).toMatchObject({ enforce_tfa: false });

    const generated = await call(manager.token, 'POST', '/users/me/tfa/generate', { password: manager.password });
    const secret = (generated.body.data as { secret: string }).secret;
    expect(
      (await call(manager.token, 'POST', '/users/me/tfa/enable', { secret, otp: await freshOtp(secret) })).status,
    ).toBe(204);
    expect((await login(manager.email, manager.password)).status).toBe(401);
    const session = await login(manager.email, manager.password, await freshOtp(secret));
    expect(session.status).toBe(200);
    const token = (session.body.data as { access_token: string }).access_token;
    expect(claims(token).enforce_tfa).toBeUndefined();

    const disabled = await call(token, 'POST', '/users/me/tfa/disable', { otp: await freshOtp(secret) });
    expect(disabled.status).toBe(403);
    expectErrorEnvelope(disabled, 'TFA_REQUIRED');
    expect((await call(token, 'PATCH', '/users/me', { tfa_secret: null })).status).toBeGreaterThanOrEqual(400);
    expect((await desk.db('directus_users').where({ id: manager.id }).first()).tfa_secret).not.toBeNull();

    // An administrator resets it (a lost phone).
    expect((await call(desk.admin, 'POST', `/users/${manager.id}/tfa/disable`)).status).toBe(204);
    expect((await desk.db('directus_users').where({ id: manager.id }).first()).tfa_secret).toBeNull();
  });

  it('lets an Agent turn their own TOTP off with a current code (POST /users/me/tfa/disable)', async () => {
    const agent = await person(ROLE.agent);
    expect(claims(agent.token).enforce_tfa).toBeUndefined();
    const generated = await call(agent.token, 'POST', '/users/me/tfa/generate', { password: agent.password });
    const secret = (generated.body.data as { secret: string }).secret;
    await call(agent.token, 'POST', '/users/me/tfa/enable', { secret, otp: await freshOtp(secret) });
    // PATCH /users/me cannot do it: Directus refuses a manual tfa_secret change.
    const patched = await call(agent.token, 'PATCH', '/users/me', { tfa_secret: null });
    expect(patched.status).toBe(400);
    expect((await call(agent.token, 'POST', '/users/me/tfa/disable', { otp: '000000' })).status).toBe(400);
    const off = await call(agent.token, 'POST', '/users/me/tfa/disable', { otp: await freshOtp(secret) });
    expect(off.status).toBe(204);
    expect((await login(agent.email, agent.password)).status).toBe(200);
  });
});
