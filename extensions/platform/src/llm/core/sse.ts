// The OpenAI Chat Completions stream (`stream: true`): server-sent events whose `data:` lines carry JSON chunks
// (`choices[0].delta.content`, a last chunk may carry `usage`) and end with `data: [DONE]`. Pure: bytes in, events
// out, so a garbage line or a stream cut before [DONE] is a typed failure, never a hang.

export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  | { type: 'done' };

export class ChatStreamError extends Error {
  constructor(
    readonly code: 'invalid_chunk' | 'provider_error',
    message: string,
  ) {
    super(message);
    this.name = 'ChatStreamError';
  }
}

interface ChunkShape {
  choices?: Array<{ delta?: { content?: unknown } }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: { message?: unknown };
}

/** Splits a byte stream into SSE `data` payloads and turns each into events. Feed it chunks; it keeps the rest. */
export class ChatStreamParser {
  private buffer = '';
  private data: string[] = [];
  private finished = false;

  get done(): boolean {
    return this.finished;
  }

  push(chunk: string): ChatStreamEvent[] {
    this.buffer += chunk;
    const events: ChatStreamEvent[] = [];
    let newline: number;
    while (!this.finished && (newline = this.buffer.search(/\r?\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer[newline] === '\r' ? 2 : 1));
      if (line === '') {
        // A blank line ends an event: its data lines joined by newlines (SSE spec).
        if (this.data.length) events.push(...this.dispatch(this.data.join('\n')));
        this.data = [];
      } else if (line.startsWith('data:')) {
        this.data.push(line.slice(5).replace(/^ /, ''));
      }
      // Comments (`: keep-alive`), `event:`, `id:` and `retry:` lines carry nothing for us.
    }
    return events;
  }

  private dispatch(payload: string): ChatStreamEvent[] {
    if (payload.trim() === '[DONE]') {
      this.finished = true;
      return [{ type: 'done' }];
    }
    let chunk: ChunkShape;
    try {
      chunk = JSON.parse(payload) as ChunkShape;
    } catch {
      throw new ChatStreamError('invalid_chunk', 'the provider sent a chunk that is not JSON');
    }
    if (typeof chunk !== 'object' || chunk === null)
      throw new ChatStreamError('invalid_chunk', 'the provider sent a chunk that is not an object');
    if (chunk.error) {
      const message = typeof chunk.error.message === 'string' ? chunk.error.message.slice(0, 200) : 'unknown error';
      throw new ChatStreamError('provider_error', `the provider reported an error: ${message}`);
    }
    const events: ChatStreamEvent[] = [];
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content === 'string' && content.length) events.push({ type: 'delta', text: content });
    if (chunk.usage && typeof chunk.usage.prompt_tokens === 'number')
      events.push({
        type: 'usage',
        promptTokens: chunk.usage.prompt_tokens,
        completionTokens: typeof chunk.usage.completion_tokens === 'number' ? chunk.usage.completion_tokens : 0,
      });
    if (!Array.isArray(chunk.choices) && !chunk.usage)
      throw new ChatStreamError('invalid_chunk', 'the provider sent a chunk without choices');
    return events;
  }
}

/** One server-sent event as we write it to the caller. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
