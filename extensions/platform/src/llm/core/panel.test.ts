import { describe, expect, it } from '@jest/globals';
import { NOT_CONFIGURED_MESSAGE, describeRefusal, parseAssistEvents } from './panel.js';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

describe('parseAssistEvents', () => {
  it('joins the deltas read so far and leaves a partial last event for later', () => {
    const raw =
      event('meta', { assist: 'reply', model: 'primary', cached: false }) +
      event('delta', { text: 'Hello ' }) +
      event('delta', { text: 'there' }) +
      'event: delta\ndata: {"text": "par';
    expect(parseAssistEvents(raw)).toEqual({
      text: 'Hello there',
      model: 'primary',
      cached: false,
      result: null,
      error: null,
      done: false,
    });
  });

  it('reads a triage result, the end, and an error event', () => {
    const done = parseAssistEvents(
      event('meta', { model: 'm', cached: true }) +
        event('result', { priority: 'high', tags: [] }) +
        event('done', { model: 'm' }),
    );
    expect(done).toMatchObject({ cached: true, result: { priority: 'high', tags: [] }, done: true });
    expect(parseAssistEvents(event('error', { code: 'provider_failed', message: 'stopped' })).error).toBe('stopped');
  });

  it('skips a data line that is not JSON instead of throwing', () => {
    expect(parseAssistEvents('event: delta\ndata: <html>\n\n' + event('delta', { text: 'ok' })).text).toBe('ok');
  });
});

describe('describeRefusal', () => {
  const envelope = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });

  it('says plainly that the feature is off when the route answers LLM_NOT_CONFIGURED (as text or parsed)', () => {
    const body = envelope('LLM_NOT_CONFIGURED', 'LLM assist is not configured on this instance.');
    expect(describeRefusal(404, body)).toEqual({ kind: 'off', message: NOT_CONFIGURED_MESSAGE });
    expect(describeRefusal(404, JSON.stringify(body))).toEqual({ kind: 'off', message: NOT_CONFIGURED_MESSAGE });
  });

  it("shows another refusal's own message", () => {
    expect(describeRefusal(429, envelope('LLM_BUDGET_EXCEEDED', 'The user budget is spent.'))).toEqual({
      kind: 'refused',
      message: 'The user budget is spent.',
    });
  });

  it('words a body that is not an envelope, and no answer at all', () => {
    expect(describeRefusal(502, '<html>Bad gateway</html>').message).toBe('The server answered 502; try again later.');
    expect(describeRefusal(null, undefined).message).toBe('The server could not be reached; try again.');
  });
});
