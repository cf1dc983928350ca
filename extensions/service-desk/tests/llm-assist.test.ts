// Issue 13 (LLM adapter, decision 0050): POST /groundwork/v1/assist/tickets/:id/{reply,summary,triage} on a real
// Directus configured against a local fake OpenAI-compatible provider (tests/integration/harness/fake-llm.ts); no
// vendor is called. Shown here over HTTP: the SSE stream of each assist; what left for the provider (the caller's
// readable data only, redacted); refusals as every role; the cache; the budgets; the fallback to the second model,
// the circuit breaker, timeouts, and failures before and during the stream.
//
// The fake listens on 127.0.0.1, which the project's deny list refuses: this instance's IMPORT_IP_DENY_LIST is the
// project's list without loopback (as webhooks.test.ts does); timeouts and the breaker are shortened through their
// own variables, as any deployment may: no test switch (decision 0024).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, startInstance, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { defaultAnswer, useFakeLlm } from '../../../tests/integration/harness/fake-llm.js';
import { expectErrorEnvelope, getJson } from '../../../tests/integration/http.js';
import { estimateTokens } from '../../platform/src/llm/core/prompts.js';
import { ROLE } from '../spec/service-desk/access.js';
import { asAdmin, call, createDesk, type Desk } from './fixtures.js';

const LOOPBACK_ALLOWED_DENY_LIST =
  '0.0.0.0/8,::,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,fc00::/7,fe80::/10';
const USER_DAILY_TOKENS = 50000;
const MAX_OUTPUT_TOKENS = 200;
// Long enough that the request after the one that opens a breaker still finds it open on a loaded machine.
const BREAKER_COOLDOWN_MS = 5000;
const FIRST_BYTE_TIMEOUT_MS = 1000;
const API_KEY = 'fake-provider-key-for-tests';

const fake = useFakeLlm();
let instance: DirectusInstance;
let desk: Desk;
let admin: string;
const tokens = {} as Record<
  'manager' | 'agent' | 'agent2' | 'agent3' | 'editor' | 'customer' | 'outsider' | 'integration' | 'restricted',
  string
>;
const ids = {} as Record<'ticket' | 'otherTicket' | 'published' | 'draft' | 'agent3', string>;
// Starts with a letter: eight random hex characters are all digits one run in 43, and a lone 8-digit number is
// (rightly) redacted as a phone number.
const marker = `m${randomBytes(4).toString('hex')}`;
const TEXT = {
  publicReply: `public-reply-${marker}`,
  internalNote: `internal-note-${marker}`,
  email: `jane.${marker}@customer-example.com`,
  phone: '+1 415 555 2671',
  key: `gw_${randomBytes(16).toString('hex')}`,
  article: `Toner smear guide ${marker}`,
  draft: `Draft toner notes ${marker}`,
};

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}
interface AssistAnswer {
  status: number;
  events: SseEvent[];
  text: string;
  body: Record<string, unknown>;
  contentType: string;
  ms: number;
}

async function assist(
  token: string,
  ticket: string,
  kind: string,
  body: unknown = { fresh: true },
): Promise<AssistAnswer> {
  const started = Date.now();
  const response = await fetch(`${instance.baseUrl}/groundwork/v1/assist/tickets/${ticket}/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const events = contentType.startsWith('text/event-stream')
    ? text
        .split('\n\n')
        .filter(Boolean)
        .map((block) => {
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
          return { event, data };
        })
    : [];
  let parsed: Record<string, unknown> = {};
  if (contentType.includes('json')) parsed = JSON.parse(text) as Record<string, unknown>;
  return { status: response.status, events, text, body: parsed, contentType, ms: Date.now() - started };
}

const streamed = (answer: AssistAnswer) =>
  answer.events
    .filter((event) => event.event === 'delta')
    .map((event) => event.data.text)
    .join('');
const kinds = (answer: AssistAnswer) => answer.events.map((event) => event.event);

/** A login on this instance (tokens are signed per instance): the password is set by this instance's admin. */
async function loginHere(userId: string, email: string): Promise<string> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const patched = await getJson(`${instance.baseUrl}/users/${userId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  if (patched.status !== 200) throw new Error(`password of ${email}: ${patched.status}`);
  const login = await getJson(`${instance.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status}`);
  return (login.body.data as { access_token: string }).access_token;
}

async function userWithRole(role: string, label: string): Promise<{ id: string; email: string }> {
  const email = `${label}-${desk.run}@${desk.run}.example.com`;
  const user = await asAdmin<{ id: string }>(desk, 'POST', '/users', { email, password: 'unused-1234567', role });
  return { id: user.id, email };
}

beforeAll(async () => {
  desk = await createDesk('llm');
  ids.ticket = randomUUID();
  ids.otherTicket = randomUUID();
  await desk.db('tickets').insert([
    {
      id: ids.ticket,
      subject: `Printer toner smear ${marker}`,
      description: `Please call ${TEXT.phone} or write to ${TEXT.email}; my key ${TEXT.key} is in the logs.`,
      status: 'open',
      priority: 'normal',
      organization: desk.org.id,
      requester: desk.users.customer.id,
    },
    {
      id: ids.otherTicket,
      subject: `Other organization's toner ${marker}`,
      status: 'open',
      priority: 'normal',
      organization: desk.otherOrg.id,
      requester: desk.users.outsider.id,
    },
  ]);
  await desk.db('ticket_messages').insert([
    { id: randomUUID(), ticket: ids.ticket, body: TEXT.publicReply, internal: false },
    { id: randomUUID(), ticket: ids.ticket, body: TEXT.internalNote, internal: true },
  ]);
  ids.published = randomUUID();
  ids.draft = randomUUID();
  await desk.db('kb_articles').insert([
    {
      id: ids.published,
      title: TEXT.article,
      slug: `a-${ids.published}`,
      body: 'Shake the toner.',
      status: 'published',
    },
    { id: ids.draft, title: TEXT.draft, slug: `a-${ids.draft}`, body: 'Not yet.', status: 'draft' },
  ]);

  // A role that may change tickets of the desk's organization but may not read internal notes.
  const policy = await asAdmin<{ id: string }>(desk, 'POST', '/policies', {
    name: `Assist restricted ${desk.run}`,
    app_access: false,
    admin_access: false,
  });
  const ownOrg = { organization: { _eq: desk.org.id } };
  for (const permission of [
    { collection: 'tickets', action: 'read', fields: ['*'], permissions: ownOrg },
    { collection: 'tickets', action: 'update', fields: ['priority'], permissions: ownOrg },
    {
      collection: 'ticket_messages',
      action: 'read',
      fields: ['id', 'ticket', 'body', 'date_created'],
      permissions: { internal: { _eq: false } },
    },
    { collection: 'kb_articles', action: 'read', fields: ['*'], permissions: { status: { _eq: 'published' } } },
  ])
    await asAdmin(desk, 'POST', '/permissions', { policy: policy.id, ...permission });
  const role = await asAdmin<{ id: string }>(desk, 'POST', '/roles', {
    name: `Assist restricted ${desk.run}`,
    policies: { create: [{ policy: policy.id }] },
  });
  const restricted = await userWithRole(role.id, 'restricted');
  const integration = await userWithRole(ROLE.integration, 'integration');
  const agent3 = await userWithRole(ROLE.agent, 'agent3');

  instance = await startInstance({
    db: harness().db,
    name: 'llm-assist',
    env: {
      IMPORT_IP_DENY_LIST: LOOPBACK_ALLOWED_DENY_LIST,
      GROUNDWORK_LLM_BASE_URL: fake.baseUrl(),
      GROUNDWORK_LLM_API_KEY: API_KEY,
      GROUNDWORK_LLM_MODELS: 'primary,secondary',
      GROUNDWORK_LLM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
      GROUNDWORK_LLM_TIMEOUT_MS: '5000',
      GROUNDWORK_LLM_USER_DAILY_TOKENS: String(USER_DAILY_TOKENS),
      GROUNDWORK_LLM_MAX_OUTPUT_TOKENS: String(MAX_OUTPUT_TOKENS),
      GROUNDWORK_LLM_BREAKER_FAILURES: '2',
      GROUNDWORK_LLM_BREAKER_COOLDOWN_SECONDS: String(BREAKER_COOLDOWN_MS / 1000),
    },
  });
  admin = await adminToken(instance.baseUrl);
  for (const key of ['manager', 'agent', 'agent2', 'editor', 'customer', 'outsider'] as const)
    tokens[key] = await loginHere(desk.users[key].id, desk.users[key].email);
  tokens.integration = await loginHere(integration.id, integration.email);
  tokens.restricted = await loginHere(restricted.id, restricted.email);
  tokens.agent3 = await loginHere(agent3.id, agent3.email);
  ids.agent3 = agent3.id;
});

afterAll(async () => {
  await instance?.stop();
  await desk?.db.destroy();
});

describe('off unless configured', () => {
  it('answers 404 LLM_NOT_CONFIGURED on an instance without GROUNDWORK_LLM_*', async () => {
    const response = await call(
      desk.users.agent.token,
      'POST',
      `/groundwork/v1/assist/tickets/${ids.ticket}/summary`,
      {},
    );
    expect(response.status).toBe(404);
    expectErrorEnvelope(response, 'LLM_NOT_CONFIGURED');
  });
});

describe('the assists, streamed', () => {
  it('suggests a reply from the thread and the published KB article, with the redacted prompt as the provider saw it', async () => {
    const before = fake.requests.length;
    const answer = await assist(tokens.agent, ids.ticket, 'reply');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    expect(kinds(answer)[0]).toBe('meta');
    expect(kinds(answer).at(-1)).toBe('done');
    expect(answer.events[0]!.data).toMatchObject({ assist: 'reply', model: 'primary', cached: false });
    expect(answer.events[0]!.data.redacted).toEqual({ email: 1, phone: 1, secret: 1 });
    expect(streamed(answer)).toBe('Suggested by primary: please try restarting the device.');

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    const request = sent[0]!;
    expect(request).toMatchObject({ model: 'primary', stream: true, authorization: `Bearer ${API_KEY}` });
    expect(request.prompt).toContain(`Printer toner smear ${marker}`);
    expect(request.prompt).toContain(TEXT.publicReply);
    expect(request.prompt).toContain(`(internal note) ${TEXT.internalNote}`); // agents read internal notes
    expect(request.prompt).toContain(TEXT.article);
    expect(request.prompt).not.toContain(TEXT.draft);
    // Redaction: nothing personal or secret left, placeholders instead.
    for (const value of [TEXT.email, TEXT.phone, TEXT.key, TEXT.key.slice(3)])
      expect(request.prompt).not.toContain(value);
    for (const placeholder of ['[redacted email]', '[redacted phone]', '[redacted secret]'])
      expect(request.prompt).toContain(placeholder);
  });

  it('summarizes for a manager, and records the usage the provider reported', async () => {
    const answer = await assist(tokens.manager, ids.ticket, 'summary');
    expect(answer.status).toBe(200);
    expect(kinds(answer)).toEqual([
      'meta',
      ...kinds(answer)
        .slice(1, -1)
        .map(() => 'delta'),
      'done',
    ]);
    const done = answer.events.at(-1)!.data;
    expect(done).toMatchObject({ model: 'primary', cached: false, usage: { estimated: false } });
    const rows = await desk.db('llm_usage').where({ scope: 'user', subject: desk.users.manager.id });
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].tokens)).toBe((done.usage as { total_tokens: number }).total_tokens);
    const org = await desk.db('llm_usage').where({ scope: 'organization', subject: desk.org.id });
    expect(Number(org[0].tokens)).toBeGreaterThan(0);
  });

  it('triages into a JSON result event with the caller-readable category and tag names in the prompt', async () => {
    const before = fake.requests.length;
    const answer = await assist(tokens.agent, ids.ticket, 'triage');
    expect(answer.status).toBe(200);
    const result = answer.events.find((event) => event.event === 'result');
    expect(result?.data).toEqual({
      priority: 'high',
      category: 'Hardware',
      tags: ['printer', 'jam'],
      reason: 'Blocks work.',
    });
    expect(fake.requests[before]!.prompt).toContain('Categories:');
  });

  it('ends a triage whose answer is not the JSON asked for with an invalid_model_output error', async () => {
    fake.answer = () => 'I would say it is quite urgent.';
    try {
      const answer = await assist(tokens.agent, ids.ticket, 'triage');
      expect(answer.status).toBe(200);
      expect(answer.events.at(-1)).toEqual({
        event: 'error',
        data: expect.objectContaining({ code: 'invalid_model_output' }),
      });
    } finally {
      fake.answer = defaultAnswer;
    }
  });

  it('answers a repeat from the cache by prompt hash, without calling the provider', async () => {
    const first = await assist(tokens.agent, ids.ticket, 'summary', {});
    expect(first.status).toBe(200);
    const before = fake.requests.length;
    const again = await assist(tokens.agent2, ids.ticket, 'summary', {});
    expect(again.status).toBe(200);
    expect(fake.requests.length).toBe(before);
    expect(again.events[0]!.data).toMatchObject({ cached: true });
    expect(streamed(again)).toBe(streamed(first));
    // `fresh` asks the provider again.
    const fresh = await assist(tokens.agent, ids.ticket, 'summary', { fresh: true });
    expect(fresh.events[0]!.data).toMatchObject({ cached: false });
    expect(fake.requests.length).toBe(before + 1);
  });
});

describe('what the model sees is what the caller may read', () => {
  it('leaves out the internal note for a role that cannot read it', async () => {
    const before = fake.requests.length;
    const answer = await assist(tokens.restricted, ids.ticket, 'reply');
    expect(answer.status).toBe(200);
    const prompt = fake.requests[before]!.prompt;
    expect(prompt).toContain(TEXT.publicReply);
    expect(prompt).not.toContain(TEXT.internalNote);
    expect(prompt).toContain(TEXT.article);
  });

  it('refuses a ticket the caller cannot read (403), sending nothing', async () => {
    const before = fake.requests.length;
    const answer = await assist(tokens.restricted, ids.otherTicket, 'reply');
    expect(answer.status).toBe(403);
    expect((answer.body.errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('FORBIDDEN');
    const missing = await assist(tokens.agent, randomUUID(), 'summary');
    expect(missing.status).toBe(403);
    expect(fake.requests.length).toBe(before);
  });

  it.each(['customer', 'outsider', 'editor', 'integration'] as const)(
    'refuses the %s role (403), sending nothing',
    async (who) => {
      const before = fake.requests.length;
      for (const kind of ['reply', 'summary', 'triage']) {
        const answer = await assist(tokens[who], ids.ticket, kind);
        expect(answer.status).toBe(403);
        expect(answer.text).not.toContain(marker);
      }
      expect(fake.requests.length).toBe(before);
    },
  );

  it('refuses an anonymous caller (401) and bad input (400)', async () => {
    const anonymous = await fetch(`${instance.baseUrl}/groundwork/v1/assist/tickets/${ids.ticket}/reply`, {
      method: 'POST',
    });
    expect(anonymous.status).toBe(401);
    expect((await assist(tokens.agent, 'not-a-uuid', 'reply')).status).toBe(400);
    expect((await assist(tokens.agent, ids.ticket, 'poem')).status).toBe(400);
    const badBody = await assist(tokens.agent, ids.ticket, 'reply', { fresh: 'yes', extra: 1 });
    expect(badBody.status).toBe(400);
    expect((badBody.body.errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'INVALID_PAYLOAD',
    );
  });
});

describe('budgets', () => {
  it("refuses with 429 once the user's tokens for today are spent, sending nothing", async () => {
    const day = new Date().toISOString().slice(0, 10);
    await desk
      .db('llm_usage')
      .insert({ day, scope: 'user', subject: desk.users.agent2.id, tokens: USER_DAILY_TOKENS, requests: 1 });
    const before = fake.requests.length;
    const answer = await assist(tokens.agent2, ids.ticket, 'reply');
    expect(answer.status).toBe(429);
    expect((answer.body.errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'LLM_BUDGET_EXCEEDED',
    );
    expect(fake.requests.length).toBe(before);
  });

  it("refuses with 429 once the ticket's organization's tokens are spent", async () => {
    const day = new Date().toISOString().slice(0, 10);
    await desk
      .db('llm_usage')
      .insert({ day, scope: 'organization', subject: desk.otherOrg.id, tokens: 1_000_000, requests: 1 });
    const before = fake.requests.length;
    const answer = await assist(tokens.manager, ids.otherTicket, 'summary');
    expect(answer.status).toBe(429);
    expect(JSON.stringify(answer.body)).toContain('organization');
    expect(fake.requests.length).toBe(before);
  });
});

describe('budgets under concurrent requests', () => {
  it('lets parallel requests through only while their reservations fit: the budget is never overshot', async () => {
    // What one summary reserves (its estimated prompt plus the answer's maximum), from the prompt the fake saw.
    const before = fake.requests.length;
    const first = await assist(tokens.agent3, ids.ticket, 'summary');
    expect(first.status).toBe(200);
    const reserve =
      estimateTokens(fake.requests[before]!.messages as Parameters<typeof estimateTokens>[0]) + MAX_OUTPUT_TOKENS;
    const day = new Date().toISOString().slice(0, 10);
    const row = { day, scope: 'user', subject: ids.agent3 };
    // What that summary really cost once settled (the fake's answers are the same each time).
    const cost = Number((await desk.db('llm_usage').where(row).first()).tokens);
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(reserve);
    // Room for one reservation, and for no second one even once the first has settled to its real cost (requests
    // sent together do not always arrive together on a busy machine). With the check and the record apart, every
    // parallel request would see room.
    const room = reserve + cost - 1;
    await desk
      .db('llm_usage')
      .where(row)
      .update({ tokens: USER_DAILY_TOKENS - room });

    const sent = fake.requests.length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => assist(tokens.agent3, ids.ticket, 'summary')));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 429, 429, 429, 429, 429]);
    for (const refused of answers.filter((answer) => answer.status === 429))
      expect((refused.body.errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
        'LLM_BUDGET_EXCEEDED',
      );
    expect(fake.requests.length).toBe(sent + 1);
    // Settled: the one answer's real cost replaced its reservation, and the day stays within the limit.
    const [usage] = await desk.db('llm_usage').where(row);
    expect(Number(usage.tokens)).toBeLessThanOrEqual(USER_DAILY_TOKENS);
    expect(Number(usage.tokens)).toBeLessThan(USER_DAILY_TOKENS - room + reserve);
  });
});

describe('reliability', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const modelsSince = (before: number) => fake.requests.slice(before).map((request) => request.model);

  afterAll(() => fake.behaviour.clear());

  it('falls back to the second model when the first answers 500', async () => {
    fake.behaviour.set('primary', 'fail');
    const before = fake.requests.length;
    const answer = await assist(tokens.agent, ids.ticket, 'summary');
    expect(answer.status).toBe(200);
    expect(answer.events[0]!.data.model).toBe('secondary');
    expect(streamed(answer)).toContain('Suggested by secondary');
    expect(modelsSince(before)).toEqual(['primary', 'secondary']);
  });

  it('falls back when the first model answers garbage, and its breaker then opens (the model is skipped)', async () => {
    fake.behaviour.set('primary', 'garbage');
    let before = fake.requests.length;
    const answer = await assist(tokens.agent, ids.ticket, 'summary');
    expect(answer.events[0]!.data.model).toBe('secondary');
    expect(modelsSince(before)).toEqual(['primary', 'secondary']);
    // Two failures in a row: primary's circuit is open; it is not even asked, though it would answer now.
    fake.behaviour.set('primary', 'ok');
    before = fake.requests.length;
    const skipped = await assist(tokens.agent, ids.ticket, 'summary');
    expect(skipped.events[0]!.data.model).toBe('secondary');
    expect(modelsSince(before)).toEqual(['secondary']);
    // After the cooldown one trial goes through, and it answers.
    await sleep(BREAKER_COOLDOWN_MS + 300);
    before = fake.requests.length;
    const back = await assist(tokens.agent, ids.ticket, 'summary');
    expect(back.events[0]!.data.model).toBe('primary');
    expect(modelsSince(before)).toEqual(['primary']);
  });

  it('gives up on a slow model after the first-byte timeout; 503 when no model answers, without hanging', async () => {
    fake.behaviour.set('primary', 'slow');
    fake.behaviour.set('secondary', 'slow');
    const answer = await assist(tokens.agent, ids.ticket, 'summary');
    expect(answer.status).toBe(503);
    expect((answer.body.errors as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'LLM_PROVIDER_UNAVAILABLE',
    );
    // Bounded by the two first-byte timeouts, not by a hang; the margin is for a loaded machine.
    expect(answer.ms).toBeLessThan(2 * FIRST_BYTE_TIMEOUT_MS + 5000);
    expect(answer.text).not.toContain('127.0.0.1');
    // A slow first model hands over to an answering second one.
    await sleep(BREAKER_COOLDOWN_MS + 300);
    fake.behaviour.set('secondary', 'ok');
    const fallback = await assist(tokens.agent, ids.ticket, 'summary');
    expect(fallback.status).toBe(200);
    expect(fallback.events[0]!.data.model).toBe('secondary');
  });

  it.each(['cut', 'garbage-mid'] as const)(
    'ends the stream with an error event when the provider fails mid-stream (%s)',
    async (behaviour) => {
      await sleep(BREAKER_COOLDOWN_MS + 300);
      fake.behaviour.set('primary', behaviour);
      fake.behaviour.set('secondary', behaviour);
      const answer = await assist(tokens.agent, ids.ticket, 'reply');
      expect(answer.status).toBe(200);
      expect(kinds(answer)).toEqual(['meta', 'delta', 'error']);
      expect(answer.events.at(-1)!.data).toEqual({
        code: 'provider_failed',
        message: 'the model stopped answering; try again',
      });
      expect(answer.ms).toBeLessThan(8000);
    },
  );
});
