import { describe, expect, it } from '@jest/globals';
import { ChatStreamParser, sseEvent } from './sse.js';

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

describe('ChatStreamParser', () => {
  it('reads deltas, usage and [DONE], across arbitrary chunk boundaries', () => {
    const text =
      ': keep-alive\n\n' +
      chunk('Hel') +
      chunk('lo') +
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } })}\r\n\r\n` +
      'data: [DONE]\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const parser = new ChatStreamParser();
      const events = [];
      for (let index = 0; index < text.length; index += size)
        events.push(...parser.push(text.slice(index, index + size)));
      expect(events).toEqual([
        { type: 'delta', text: 'Hel' },
        { type: 'delta', text: 'lo' },
        { type: 'usage', promptTokens: 12, completionTokens: 3 },
        { type: 'done' },
      ]);
      expect(parser.done).toBe(true);
    }
  });

  it('ignores a role-only first chunk and empty content', () => {
    const parser = new ChatStreamParser();
    expect(
      parser.push(`data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant', content: '' } }] })}\n\n`),
    ).toEqual([]);
    expect(parser.done).toBe(false);
  });

  it('refuses a chunk that is not JSON', () => {
    const parser = new ChatStreamParser();
    expect(() => parser.push('data: {"choices": [\n\n')).toThrow(expect.objectContaining({ code: 'invalid_chunk' }));
  });

  it('refuses a chunk without choices, and a non-object', () => {
    expect(() => new ChatStreamParser().push('data: {"id": 1}\n\n')).toThrow(/without choices/);
    expect(() => new ChatStreamParser().push('data: 42\n\n')).toThrow(/not an object/);
  });

  it('turns an error chunk into a provider error', () => {
    expect(() => new ChatStreamParser().push('data: {"error": {"message": "overloaded"}}\n\n')).toThrow(
      expect.objectContaining({ code: 'provider_error', message: 'the provider reported an error: overloaded' }),
    );
  });

  it('joins multi-line data', () => {
    const parser = new ChatStreamParser();
    expect(parser.push('data: {"choices":\ndata: [{"delta": {"content": "x"}}]}\n\n')).toEqual([
      { type: 'delta', text: 'x' },
    ]);
  });
});

describe('sseEvent', () => {
  it('writes one event with JSON data', () => {
    expect(sseEvent('delta', { text: 'a\nb' })).toBe('event: delta\ndata: {"text":"a\\nb"}\n\n');
  });
});
