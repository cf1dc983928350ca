import { describe, expect, it } from '@jest/globals';
import {
  buildPrompt,
  estimateTokens,
  kbQuery,
  parseTriage,
  promptHash,
  PROMPT_LIMITS,
  type PromptInput,
} from './prompts.js';

const input: PromptInput = {
  ticket: {
    number: 'SD-1001',
    subject: 'Printer jam on floor 2',
    description: 'Mail me at ann@example.com',
    status: 'open',
    priority: 'normal',
  },
  messages: [
    { body: 'It jams on every page', internal: false },
    { body: 'Known issue with tray 2', internal: true },
    { body: 'Any news?' },
  ],
  articles: [{ title: 'Clearing a jam', summary: 'Open tray 2 and pull gently.' }],
  categories: ['Hardware', 'Billing'],
  tags: ['printer'],
};

describe('buildPrompt', () => {
  it('puts the ticket, the thread and the articles into a reply prompt, redacted', () => {
    const prompt = buildPrompt('reply', input);
    expect(prompt.messages[0]!.role).toBe('system');
    const user = prompt.messages[1]!.content;
    expect(user).toContain('Ticket SD-1001: Printer jam on floor 2');
    expect(user).toContain('- It jams on every page');
    expect(user).toContain('- (internal note) Known issue with tray 2');
    expect(user).toContain('## Clearing a jam\nOpen tray 2 and pull gently.');
    expect(user).toContain('[redacted email]');
    expect(user).not.toContain('ann@example.com');
    expect(prompt.redacted.email).toBe(1);
  });

  it('leaves articles out of a summary, and lists names for triage', () => {
    expect(buildPrompt('summary', input).messages[1]!.content).not.toContain('Clearing a jam');
    const triage = buildPrompt('triage', input).messages[1]!.content;
    expect(triage).toContain('Categories: Hardware, Billing');
    expect(triage).toContain('Existing tags: printer');
    expect(buildPrompt('triage', { ...input, categories: [], tags: [] }).messages[1]!.content).toContain(
      'Categories: (none)',
    );
  });

  it('keeps only the newest messages, each cut', () => {
    const many = Array.from({ length: PROMPT_LIMITS.messages + 5 }, (_, index) => ({
      body: `message ${index} ${'x'.repeat(3000)}`,
    }));
    const user = buildPrompt('summary', { ...input, messages: many }).messages[1]!.content;
    expect(user).not.toContain('message 4 ');
    expect(user).toContain('message 5 ');
    expect(user).toContain(' …');
  });

  it('handles a bare ticket', () => {
    const prompt = buildPrompt('summary', { ticket: {}, messages: [], articles: [], categories: [], tags: [] });
    expect(prompt.messages[1]!.content).toBe('Ticket :');
  });
});

describe('kbQuery', () => {
  it('ORs the distinct subject words of three letters or more', () => {
    expect(kbQuery({ subject: 'Printer jam: printer on fire' })).toBe('printer or jam or fire');
    expect(kbQuery({ subject: 'a b' })).toBeNull();
    expect(kbQuery({})).toBeNull();
  });
});

describe('promptHash and estimateTokens', () => {
  it('changes with the assist, the models and the text', () => {
    const { messages } = buildPrompt('summary', input);
    const base = promptHash('summary', ['m1'], messages);
    expect(promptHash('summary', ['m1'], messages)).toBe(base);
    expect(promptHash('reply', ['m1'], messages)).not.toBe(base);
    expect(promptHash('summary', ['m2'], messages)).not.toBe(base);
    expect(promptHash('summary', ['m1'], [{ role: 'user', content: 'other' }])).not.toBe(base);
  });
  it('estimates about four characters a token', () => {
    expect(estimateTokens([{ role: 'user', content: 'x'.repeat(392) }])).toBe(100);
  });
});

describe('parseTriage', () => {
  it('reads the JSON answer, also in a fence', () => {
    expect(parseTriage('{"priority":"high","category":"Hardware","tags":["printer"]}')).toEqual({
      ok: true,
      value: { priority: 'high', category: 'Hardware', tags: ['printer'] },
    });
    expect(parseTriage('```json\n{"priority":"low"}\n```')).toEqual({
      ok: true,
      value: { priority: 'low', category: null, tags: [] },
    });
  });
  it('refuses prose and the wrong shape', () => {
    expect(parseTriage('I think it is urgent')).toEqual({ ok: false, reason: 'the model did not answer JSON' });
    expect(parseTriage('{"priority":"asap"}')).toEqual({
      ok: false,
      reason: 'the model answered JSON of the wrong shape',
    });
  });
});
