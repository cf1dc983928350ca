// A local fake of an OpenAI-compatible provider for the LLM assist tests (decision 0050): a real HTTP server on
// 127.0.0.1 answering POST /v1/chat/completions with `stream: true` as the API does (SSE `data:` chunks of
// chat.completion.chunk JSON, a usage chunk, `data: [DONE]`). Each model behaves as the test sets it: ok, fail (500),
// slow (headers, then nothing), garbage (a chunk that is not JSON), cut (one chunk, then the connection dropped),
// garbage-mid (one chunk, then garbage). It records every request it got (body parsed), so tests assert what left.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from '@jest/globals';

export type FakeBehaviour = 'ok' | 'fail' | 'slow' | 'garbage' | 'cut' | 'garbage-mid';

export interface FakeLlmRequest {
  model: string;
  stream: boolean;
  messages: Array<{ role: string; content: string }>;
  authorization: string | undefined;
  /** The user message's text: what the model was shown of the ticket. */
  prompt: string;
  system: string;
}

export interface FakeLlm {
  baseUrl(): string;
  requests: FakeLlmRequest[];
  behaviour: Map<string, FakeBehaviour>;
  /** What a model answers; by default an echo of the assist, and valid triage JSON for triage prompts. */
  answer: (request: FakeLlmRequest) => string;
}

const chunk = (model: string, content: string) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;

export const defaultAnswer = (request: FakeLlmRequest): string =>
  request.system.startsWith('Triage')
    ? '{"priority": "high", "category": "Hardware", "tags": ["printer", "jam"], "reason": "Blocks work."}'
    : `Suggested by ${request.model}: please try restarting the device.`;

export function useFakeLlm(): FakeLlm {
  let port = 0;
  const fake: FakeLlm = {
    baseUrl: () => `http://127.0.0.1:${port}/v1`,
    requests: [],
    behaviour: new Map(),
    answer: defaultAnswer,
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (data: Buffer) => (body += data.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      const parsed = JSON.parse(body) as { model: string; stream: boolean; messages: FakeLlmRequest['messages'] };
      const request: FakeLlmRequest = {
        ...parsed,
        authorization: req.headers.authorization,
        system: parsed.messages.find((message) => message.role === 'system')?.content ?? '',
        prompt: parsed.messages.find((message) => message.role === 'user')?.content ?? '',
      };
      fake.requests.push(request);
      const behaviour = fake.behaviour.get(request.model) ?? 'ok';
      if (behaviour === 'fail')
        return void res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"error":{"message":"internal error"}}');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (behaviour === 'slow') return; // headers, then nothing: the client's first-byte timeout must act
      if (behaviour === 'garbage') return void res.end('data: {"choices": [{"delta": \n\n');
      const text = fake.answer(request);
      const words = text.match(/\S+\s*/g) ?? [text];
      res.write(chunk(request.model, words[0]!));
      if (behaviour === 'cut') return void setTimeout(() => res.socket?.destroy(), 50);
      if (behaviour === 'garbage-mid') return void setTimeout(() => res.end('data: not json at all\n\n'), 50);
      for (const word of words.slice(1)) res.write(chunk(request.model, word));
      res.write(
        `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 120, completion_tokens: words.length, total_tokens: 120 + words.length } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return fake;
}
