// The fuzz loop: fast-check generates requests (core/requests.ts), this module sends them one at a time to a
// running Directus as the fixture's accounts, checks each answer (core/verdict.ts) and keeps the fixture usable.
// On a failure fast-check shrinks the request; the result carries the seed, the minimal request and its answer.
import fc from 'fast-check';
import { describeRequest, requestArbitrary, type FuzzRequest, type Role } from './core/requests.js';
import { targetsFrom, type FuzzTargets } from './core/targets.js';
import { formatHistogram, progressLine, Tally, violation, type Answer, type NoAnswer } from './core/verdict.js';
import type { FuzzFixture } from './fixture.js';

const TIMEOUT_MS = 30_000;
/** Node's default --max-http-header-size: a longer request line is refused by its parser (431). */
const NODE_HEADER_LIMIT = 16 * 1024;

export interface FuzzFailure {
  seed: number;
  path: string | undefined;
  request: FuzzRequest;
  reason: string;
  answer: Answer | NoAnswer;
  curl: string;
  /**
   * The first request that failed, before shrinking, with the requests sent just before it. When a request stops
   * the server, every later one fails too, so the shrunk request is any request; the killer is among these.
   */
  first: { reason: string; curl: string; before: string[] };
}

export interface FuzzResult {
  tally: Tally;
  seed: number;
  targets: FuzzTargets;
  failure?: FuzzFailure;
  /** Accounts replaced because a request spoilt them (spares by design; a main account would be a fixture bug). */
  replaced: { main: number; spare: number };
}

/** Our OpenAPI document as the admin sees it: every collection and every route we publish. */
export async function fetchTargets(fixture: FuzzFixture): Promise<FuzzTargets> {
  const response = await fetch(`${fixture.baseUrl}/groundwork/v1/openapi.json`, {
    headers: { authorization: `Bearer ${fixture.adminToken}` },
  });
  if (!response.ok) throw new Error(`GET /groundwork/v1/openapi.json answered ${response.status}`);
  return targetsFrom((await response.json()) as Record<string, unknown>);
}

async function send(fixture: FuzzFixture, request: FuzzRequest): Promise<Answer | NoAnswer> {
  const account = fixture[request.account][request.role];
  const headers: Record<string, string> = {};
  if (account) headers.authorization = `Bearer ${account.token}`;
  if (request.contentType) headers['content-type'] = request.contentType;
  const url = `${fixture.baseUrl}${request.path}${request.query ? `?${request.query}` : ''}`;
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  } catch (error) {
    const cause = (error as Error & { cause?: Error & { code?: string } }).cause;
    return {
      error: `${(error as Error).message}${cause ? `: ${cause.code ?? ''} ${cause.message}` : ''}`,
      oversized: url.length - fixture.baseUrl.length > NODE_HEADER_LIMIT,
    };
  }
}

/** Replaces accounts a request may have spoilt, so the next requests still run as the role they name. */
async function keepUsable(
  fixture: FuzzFixture,
  request: FuzzRequest,
  answer: Answer | NoAnswer,
  replaced: FuzzResult['replaced'],
) {
  if ('error' in answer || request.role === 'public') return;
  const changed = request.method !== 'GET' && answer.status < 300;
  // A spare acted on itself, lost its session, or another account changed it by id.
  for (const role of Object.keys(fixture.spare) as Role[]) {
    const spare = fixture.spare[role];
    if (!spare) continue;
    const own = request.account === 'spare' && request.role === role;
    if ((own && (changed || answer.status === 401)) || (changed && request.path.includes(spare.id))) {
      await fixture.replace(role, 'spare');
      replaced.spare += 1;
    }
  }
  // A main account is never the target of a change by construction; should it still lose its session, say so and
  // go on with a new one rather than fuzz the rest as a signed-out caller.
  if (request.account === 'main' && answer.status === 401) {
    const probe = await fetch(`${fixture.baseUrl}/users/me?fields=id`, {
      headers: { authorization: `Bearer ${fixture.main[request.role]!.token}` },
    });
    if (probe.status === 401) {
      await fixture.replace(request.role, 'main');
      replaced.main += 1;
    }
  }
}

/** How many requests before the first failure a report shows. */
const RECENT_KEPT = 5;

export async function runFuzz(options: {
  fixture: FuzzFixture;
  targets?: FuzzTargets;
  requests: number;
  seed: number;
  /** fast-check's replay path (from a failure's report): only that run, and its shrinks, are sent. */
  path?: string;
  log?: (line: string) => void;
  progressEveryMs?: number;
}): Promise<FuzzResult> {
  const { fixture, requests, seed, log = () => undefined } = options;
  const targets = options.targets ?? (await fetchTargets(fixture));
  const tally = new Tally();
  const replaced = { main: 0, spare: 0 };
  const answers = new WeakMap<FuzzRequest, { reason: string; answer: Answer | NoAnswer }>();
  // While shrinking, the last failing run is the counterexample fast-check reports (should it clone the value).
  let lastFailure: { reason: string; answer: Answer | NoAnswer } | undefined;
  let firstFailure: FuzzFailure['first'] | undefined;
  // The requests themselves: described (curl) only for a report, not for every request sent.
  const recent: FuzzRequest[] = [];
  const curlOf = (request: FuzzRequest) => describeRequest(request, fixture.baseUrl);
  const arbitrary = requestArbitrary({ targets, knownIds: fixture.knownIds });

  const property = fc.asyncProperty(arbitrary, async (request) => {
    const answer = await send(fixture, request);
    tally.add(request.role, 'error' in answer ? (answer.oversized ? 'reset' : 'error') : answer.status);
    await keepUsable(fixture, request, answer, replaced);
    const reason = violation(answer);
    if (reason && !firstFailure) firstFailure = { reason, curl: curlOf(request), before: recent.map(curlOf) };
    recent.push(request);
    if (recent.length > RECENT_KEPT) recent.shift();
    if (reason) {
      answers.set(request, { reason, answer });
      lastFailure = { reason, answer };
    }
    return reason === null;
  });

  const timer = setInterval(() => {
    log(progressLine(tally, requests));
    for (const line of formatHistogram(tally)) log(line);
  }, options.progressEveryMs ?? 10_000);
  try {
    const details = await fc.check(property, { numRuns: requests, seed, path: options.path, endOnFailure: false });
    if (!details.failed) return { tally, seed, targets, replaced };
    const request = details.counterexample?.[0];
    if (!request) throw new Error(`the fuzz failed without a counterexample: ${String(details.errorInstance)}`);
    const curl = curlOf(request);
    const seen = answers.get(request) ??
      lastFailure ?? { reason: 'the property threw', answer: { error: String(details.errorInstance) } };
    return {
      tally,
      seed,
      targets,
      replaced,
      failure: {
        seed: details.seed,
        path: details.counterexamplePath ?? undefined,
        request,
        ...seen,
        curl,
        first: firstFailure ?? { reason: seen.reason, curl, before: [] },
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/** The failure as the lines to print: what broke, how to replay it, the request and the answer. */
export function reportFailure(failure: FuzzFailure): string[] {
  const answer =
    'error' in failure.answer
      ? failure.answer.error
      : `${failure.answer.status} ${failure.answer.contentType}\n${failure.answer.text.slice(0, 2000)}`;
  return [
    `FAILED: ${failure.reason}`,
    `seed ${failure.seed}${failure.path ? `, path ${failure.path}` : ''} (replay: npm run fuzz -- --seed ${failure.seed})`,
    `minimal request: ${failure.curl}`,
    `answer: ${answer}`,
    `first failing request, before shrinking (${failure.first.reason}): ${failure.first.curl}`,
    `the ${failure.first.before.length} requests sent before it, oldest first:`,
    ...failure.first.before.map((curl) => `  ${curl}`),
  ];
}
