// The OpenAI-compatible provider (decision 0050): POST {base}/chat/completions with `stream: true`, read as
// server-sent events through the platform's hardened HTTP client (deny list, timeouts, size bound). A small client
// of our own rather than the `ai` SDK: the SDK brings its own fetch, which would bypass that client.
//
// Fallback: the configured models are tried in order until one starts answering (its first text). A model that
// fails before that (an error status, no first byte in time, a broken connection, a garbage chunk) hands over to
// the next; its circuit breaker (cockatiel, per model and instance) counts the failure and, once open, skips the
// model until the cooldown. Once text has gone to the caller a failure cannot fall back: the stream ends with it.
import { StringDecoder } from 'node:string_decoder';
import { BrokenCircuitError } from 'cockatiel';
import { breakerPerTarget } from '../http-client/breakers.js';
import { OutboundRequestError, type HttpClient } from '../http-client/index.js';
import type { LlmConfig } from './core/config.js';
import type { ChatMessage } from './core/prompts.js';
import { ChatStreamError, ChatStreamParser, type ChatStreamEvent } from './core/sse.js';

/** The most of one streamed answer read (SSE framing makes a token cost about a hundred bytes). */
const MAX_STREAM_BYTES = 4 * 1024 * 1024;

export type ProviderFailureCode = 'provider_unavailable' | 'provider_failed';

export class ProviderError extends Error {
  constructor(
    readonly code: ProviderFailureCode,
    message: string,
    /** Per model tried: why it was given up on. */
    readonly attempts: Array<{ model: string; reason: string }> = [],
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ProviderStream {
  model: string;
  events: AsyncGenerator<ChatStreamEvent>;
}

export interface LlmProvider {
  /** Opens the first model of the chain that answers; its events start with the text already received. */
  open(messages: ChatMessage[]): Promise<ProviderStream>;
}

const reasonOf = (error: unknown): string =>
  error instanceof BrokenCircuitError
    ? 'circuit open'
    : error instanceof OutboundRequestError || error instanceof ChatStreamError || error instanceof ProviderError
      ? `${error.code}: ${error.message}`
      : 'unexpected error';

export function createLlmProvider(config: LlmConfig, client: HttpClient): LlmProvider {
  const breakerFor = breakerPerTarget(config.breaker);

  async function* parse(body: AsyncIterable<Buffer>): AsyncGenerator<ChatStreamEvent> {
    const parser = new ChatStreamParser();
    const decoder = new StringDecoder('utf8');
    for await (const chunk of body) {
      for (const event of parser.push(decoder.write(chunk))) yield event;
      if (parser.done) return;
    }
    if (!parser.done) throw new ProviderError('provider_failed', 'the provider ended the stream before [DONE]');
  }

  /** One model, up to its first text (or its end): what counts as the model answering. */
  async function openModel(model: string, messages: ChatMessage[]): Promise<ProviderStream> {
    const response = await client.stream(
      {
        method: 'POST',
        url: `${config.baseUrl}/chat/completions`,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: config.maxOutputTokens,
        }),
      },
      {
        firstByteTimeoutMs: config.firstByteTimeoutMs,
        totalTimeoutMs: config.totalTimeoutMs,
        maxBytes: MAX_STREAM_BYTES,
      },
    );
    const events = parse(response.body);
    if (response.status !== 200) {
      await events.return(undefined);
      throw new ProviderError('provider_unavailable', `the provider answered ${response.status}`);
    }
    const received: ChatStreamEvent[] = [];
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) break;
        received.push(next.value);
        if (next.value.type !== 'usage') break;
      }
    } catch (error) {
      await events.return(undefined);
      throw error;
    }
    async function* replay(): AsyncGenerator<ChatStreamEvent> {
      yield* received;
      yield* events;
    }
    return { model, events: replay() };
  }

  return {
    async open(messages) {
      const attempts: Array<{ model: string; reason: string }> = [];
      for (const model of config.models) {
        try {
          return await breakerFor(model).execute(() => openModel(model, messages));
        } catch (error) {
          attempts.push({ model, reason: reasonOf(error) });
        }
      }
      throw new ProviderError(
        'provider_unavailable',
        `no model answered (${attempts.map((attempt) => `${attempt.model}: ${attempt.reason}`).join('; ')})`,
        attempts,
      );
    },
  };
}

/** Why a stream already under way failed, as the caller's error event says it. */
export const midStreamReason = reasonOf;
