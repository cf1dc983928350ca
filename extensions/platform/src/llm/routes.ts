// HTTP adapter: POST /groundwork/v1/assist/tickets/:id/{reply,summary,triage} (issue 13, decision 0050), streamed
// to the caller as server-sent events. Everything the model sees is read with the caller's accountability
// (ItemsService, search), so it sees only what the caller may read; the caller must also be allowed to change the
// ticket's priority (agents and managers; customers, editors and integrations are refused: FORBIDDEN).
// Refusals (401, 403, 404, 429, 503 when off or when no model answers) are error envelopes before any event.
import type { Accountability, EndpointExtensionContext, SchemaOverview } from '@directus/types';
import type { Request, Response, Router } from 'express';
import type { Knex } from 'knex';
import { platformHttpClient } from '../http-client/index.js';
import { runSearch } from '../search/run.js';
import { loadSearchConfigs } from '../search/routes.js';
import { parseSearchQuery } from '../search/core/query.js';
import type { PlatformEnv } from '../shared/env.js';
import {
  ForbiddenError,
  InvalidCredentialsError,
  LlmBudgetExceededError,
  LlmNotConfiguredError,
  LlmProviderUnavailableError,
} from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { budgetDay, secondsUntilNextDay } from './core/budget.js';
import { AnswerCache } from './core/cache.js';
import { llmConfig } from './core/config.js';
import { assistBody, assistParams } from './core/contract.js';
import {
  buildPrompt,
  estimateTokens,
  kbQuery,
  parseTriage,
  promptHash,
  type ArticleView,
  type Assist,
  type MessageView,
  type PromptInput,
  type TicketView,
} from './core/prompts.js';
import { sseEvent } from './core/sse.js';
import { createLlmProvider, midStreamReason } from './provider.js';
import { usageStore } from './store.js';
import { loadDirectusModule } from '../shared/directus-internals.js';

/** The service desk's collections the assists read (all through the caller's permissions). */
export const ASSIST_SOURCES = {
  tickets: 'tickets',
  messages: 'ticket_messages',
  articles: 'kb_articles',
  categories: 'kb_categories',
  tags: 'tags',
} as const;
const KB_ARTICLES_SHOWN = 3;
const CACHE_ENTRIES = 500;

type Row = Record<string, unknown>;
interface ItemsReader {
  readOne(key: string, query: Row): Promise<Row>;
  readByQuery(query: Row): Promise<Row[]>;
}
type ItemsServiceClass = new (
  collection: string,
  options: { schema: SchemaOverview; accountability: Accountability | null; knex?: Knex },
) => ItemsReader;
type ValidateAccess = (
  options: {
    accountability: Accountability;
    action: 'update';
    collection: string;
    primaryKeys: string[];
    fields: string[];
  },
  context: { knex: Knex; schema: SchemaOverview },
) => Promise<void>;

let validateAccess: Promise<ValidateAccess> | null = null;
/** Directus's own access check, loaded at run time from the @directus/api that runs (shared/directus-internals.ts). */
function directusValidateAccess(): Promise<ValidateAccess> {
  validateAccess ??= loadDirectusModule<{ validateAccess: ValidateAccess }>(
    'permissions/modules/validate-access/validate-access',
  ).then((module) => module.validateAccess);
  return validateAccess;
}

export function registerAssistRoutes(router: Router, context: EndpointExtensionContext, env: PlatformEnv | null): void {
  const config = env ? llmConfig(env) : null;
  const logger = context.logger.child({ capability: 'llm' });
  const provider = config && env ? createLlmProvider(config, platformHttpClient(context.env, env)) : null;
  const cache = new AnswerCache((config?.cacheTtlSeconds ?? 0) * 1000, CACHE_ENTRIES);
  const usage = usageStore(context.database);
  const ItemsService = context.services.ItemsService as unknown as ItemsServiceClass;

  /** What the caller may read of the ticket, its thread, and (for the assist) articles or names. */
  async function gather(assist: Assist, id: string, accountability: Accountability, schema: SchemaOverview) {
    const items = (collection: string) =>
      new ItemsService(collection, { schema, accountability, knex: context.database });
    // Directus answers FORBIDDEN for a ticket the caller may not read, as for one that does not exist.
    const ticket = await items(ASSIST_SOURCES.tickets).readOne(id, { fields: ['*'] });
    try {
      const check = await directusValidateAccess();
      await check(
        {
          accountability,
          action: 'update',
          collection: ASSIST_SOURCES.tickets,
          primaryKeys: [id],
          fields: ['priority'],
        },
        { knex: context.database, schema },
      );
    } catch {
      throw new ForbiddenError();
    }
    // Row rules apply: a role that may not read internal notes gets none of them (and no `internal` field).
    const messages = (await items(ASSIST_SOURCES.messages).readByQuery({
      filter: { ticket: { _eq: id } },
      fields: ['*'],
      sort: ['date_created'],
      limit: 200,
    })) as MessageView[];
    const input: PromptInput = { ticket: ticket as TicketView, messages, articles: [], categories: [], tags: [] };
    if (assist === 'reply') input.articles = await articlesFor(ticket as TicketView, accountability, schema);
    if (assist === 'triage') {
      const names = async (collection: string) =>
        (
          await items(collection)
            .readByQuery({ fields: ['name'], limit: 100, sort: ['name'] })
            .catch(() => [] as Row[])
        ) // a role without access to the names triages without them
          .map((row) => String(row.name));
      input.categories = await names(ASSIST_SOURCES.categories);
      input.tags = await names(ASSIST_SOURCES.tags);
    }
    return { ticket, input };
  }

  /** The best-matching published KB articles, found by the search capability with the caller's permissions. */
  async function articlesFor(ticket: TicketView, accountability: Accountability, schema: SchemaOverview) {
    const q = kbQuery(ticket);
    if (!q) return [];
    const parsed = parseSearchQuery(q);
    const configs = (await loadSearchConfigs(context.database)).filter(
      (entry) => entry.collection === ASSIST_SOURCES.articles,
    );
    if (!parsed.ok || configs.length === 0) return [];
    const found = await runSearch(
      context.database,
      { configs, query: parsed.query, limit: 10, after: null, mode: 'exact' },
      accountability,
      schema,
    );
    const ids = found.hits.map((hit) => hit.id);
    if (ids.length === 0) return [];
    const rows = await new ItemsService(ASSIST_SOURCES.articles, {
      schema,
      accountability,
      knex: context.database,
    }).readByQuery({
      filter: { _and: [{ id: { _in: ids } }, { status: { _eq: 'published' } }] },
      fields: ['id', 'title', 'summary', 'body'],
      limit: ids.length,
    });
    const byId = new Map(rows.map((row) => [String(row.id), row as ArticleView]));
    return ids.flatMap((articleId) => byId.get(articleId) ?? []).slice(0, KB_ARTICLES_SHOWN);
  }

  async function assistRoute(req: Request, res: Response) {
    const accountability = req.accountability;
    if (!accountability?.user) throw new InvalidCredentialsError();
    const params = parseInput(assistParams, req.params, 'params');
    const body = parseInput(assistBody, req.body ?? {}, 'body');
    if (!config || !provider) throw new LlmNotConfiguredError();
    const { ticket, input } = await gather(params.assist, params.id, accountability, req.schema!);
    const prompt = buildPrompt(params.assist, input);
    const key = promptHash(params.assist, config.models, prompt.messages);
    const subjects = {
      user: accountability.user,
      organization: typeof ticket.organization === 'string' ? ticket.organization : null,
    };

    const startStream = (meta: Record<string, unknown>) => {
      res.status(200);
      res.setHeader('content-type', 'text/event-stream; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      // Proxies (nginx) would otherwise buffer the stream.
      res.setHeader('x-accel-buffering', 'no');
      res.flushHeaders();
      res.write(sseEvent('meta', { assist: params.assist, redacted: prompt.redacted, ...meta }));
    };
    /** The triage's JSON as a `result` event; false when the model's answer was not one. */
    const finish = (text: string): boolean => {
      if (params.assist !== 'triage') return true;
      const triage = parseTriage(text);
      if (triage.ok) res.write(sseEvent('result', triage.value));
      else res.write(sseEvent('error', { code: 'invalid_model_output', message: triage.reason }));
      return triage.ok;
    };

    const cached = body.fresh ? null : cache.get(key, Date.now());
    if (cached) {
      startStream({ model: cached.model, cached: true });
      res.write(sseEvent('delta', { text: cached.text }));
      finish(cached.text);
      res.end(sseEvent('done', { model: cached.model, cached: true, usage: { total_tokens: 0 } }));
      return;
    }

    const now = new Date();
    const day = budgetDay(now);
    const estimate = estimateTokens(prompt.messages);
    // Reserved before anything leaves, settled once the answer is in (atomic across concurrent requests: store.ts).
    const reserved = estimate + config.maxOutputTokens;
    const reservation = await usage.reserve(day, subjects, reserved, {
      user: config.userDailyTokens,
      organization: config.organizationDailyTokens,
    });
    if (!reservation.ok) {
      const retryAfterSeconds = secondsUntilNextDay(now);
      res.setHeader('retry-after', String(retryAfterSeconds));
      throw new LlmBudgetExceededError({ scope: reservation.scope, limit: reservation.limit, retryAfterSeconds });
    }

    let opened;
    try {
      opened = await provider.open(prompt.messages);
    } catch (error) {
      // The prompt went out to each model tried: it counts against the budgets.
      await usage.settle(day, subjects, reserved, estimate);
      logger.warn({ assist: params.assist, reason: (error as Error).message }, 'no LLM model answered');
      throw new LlmProviderUnavailableError({ reason: 'every configured model failed or is paused (circuit open)' });
    }

    // The caller went away (its connection closed before we finished): stop reading the model.
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) closed = true;
    });
    startStream({ model: opened.model, cached: false });
    let text = '';
    let reported: { prompt: number; completion: number } | null = null;
    let failure: string | null = null;
    try {
      for await (const event of opened.events) {
        if (closed) break;
        if (event.type === 'delta') {
          text += event.text;
          res.write(sseEvent('delta', { text: event.text }));
        } else if (event.type === 'usage') {
          reported = { prompt: event.promptTokens, completion: event.completionTokens };
        }
      }
    } catch (error) {
      failure = midStreamReason(error);
    } finally {
      await opened.events.return(undefined);
    }
    const tokens = reported ? reported.prompt + reported.completion : estimate + Math.ceil(text.length / 4);
    await usage.settle(day, subjects, reserved, tokens);
    if (closed) return void res.end();
    if (failure) {
      logger.warn({ assist: params.assist, model: opened.model, reason: failure }, 'LLM stream failed');
      res.end(sseEvent('error', { code: 'provider_failed', message: 'the model stopped answering; try again' }));
      return;
    }
    // A triage answer that is not the JSON asked for ended with its error event: not cached, no `done`.
    if (!finish(text)) return void res.end();
    cache.set(key, { text, model: opened.model }, Date.now());
    res.end(
      sseEvent('done', {
        model: opened.model,
        cached: false,
        usage: { total_tokens: tokens, estimated: reported === null },
      }),
    );
  }

  router.post('/v1/assist/tickets/:id/:assist', route(assistRoute));
}
