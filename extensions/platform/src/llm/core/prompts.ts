// The three assists' prompts (decision 0050), built only from what the caller read (the adapters read through
// Directus with the caller's accountability), redacted, and hashed for the cache. Pure.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { redact, type RedactedKind } from './redact.js';

export const ASSISTS = ['reply', 'summary', 'triage'] as const;
export type Assist = (typeof ASSISTS)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export interface TicketView {
  number?: string | null;
  subject?: string | null;
  description?: string | null;
  status?: string | null;
  priority?: string | null;
}
export interface MessageView {
  body?: string | null;
  /** Present only when the caller may read the field. */
  internal?: boolean | null;
  date_created?: string | null;
}
export interface ArticleView {
  title?: string | null;
  summary?: string | null;
  body?: string | null;
}
export interface PromptInput {
  ticket: TicketView;
  messages: MessageView[];
  articles: ArticleView[];
  /** Triage: names the caller may read, so the suggestion uses existing ones where it can. */
  categories: string[];
  tags: string[];
}
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}
export interface BuiltPrompt {
  messages: ChatMessage[];
  redacted: Record<RedactedKind, number>;
}

/** Bounds on what goes into one prompt: the newest messages, and each text cut (the budget counts every token). */
export const PROMPT_LIMITS = { messages: 30, messageChars: 2000, articleChars: 1500, descriptionChars: 4000 };

const SYSTEM: Record<Assist, string> = {
  reply:
    'You are a helpful support agent. Draft the next reply to the customer on this ticket: friendly, concise, ' +
    'in the language of the customer. Use the knowledge base articles when they answer the question. Never reveal ' +
    'internal notes to the customer. Placeholders like [redacted email] stand for removed personal data; keep them.',
  summary:
    'Summarize this support ticket for a colleague taking it over, in at most five short bullet points: the problem, ' +
    'what was tried, the current state, and what is still needed.',
  triage:
    'Triage this support ticket. Answer with one JSON object only, no prose: {"priority": one of "low", "normal", ' +
    '"high", "urgent"; "category": the best matching category name or null; "tags": up to 5 short tags; ' +
    '"reason": one sentence}. Prefer the existing category and tag names listed.',
};

const cut = (text: string | null | undefined, max: number) => {
  const value = (text ?? '').trim();
  return value.length > max ? `${value.slice(0, max)} …` : value;
};

/** The search text for the KB articles: the ticket's subject words, any of them (the search ranks by matches). */
export function kbQuery(ticket: TicketView): string | null {
  const words = [...new Set((ticket.subject ?? '').toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].slice(0, 12);
  return words.length ? words.join(' or ') : null;
}

export function buildPrompt(assist: Assist, input: PromptInput): BuiltPrompt {
  const parts: string[] = [];
  const { ticket } = input;
  parts.push(`Ticket ${ticket.number ?? ''}: ${cut(ticket.subject, 300)}`.trim());
  if (ticket.status || ticket.priority)
    parts.push(`Status: ${ticket.status ?? 'unknown'}; priority: ${ticket.priority ?? 'unknown'}`);
  if (ticket.description) parts.push(`Description:\n${cut(ticket.description, PROMPT_LIMITS.descriptionChars)}`);
  const messages = input.messages.slice(-PROMPT_LIMITS.messages);
  if (messages.length) {
    parts.push(
      'Thread (oldest first):\n' +
        messages
          .map(
            (message) =>
              `- ${message.internal ? '(internal note) ' : ''}${cut(message.body, PROMPT_LIMITS.messageChars)}`,
          )
          .join('\n'),
    );
  }
  if (assist === 'reply' && input.articles.length) {
    parts.push(
      'Knowledge base articles:\n' +
        input.articles
          .map(
            (article) =>
              `## ${cut(article.title, 200)}\n${cut(article.summary ?? article.body, PROMPT_LIMITS.articleChars)}`,
          )
          .join('\n'),
    );
  }
  if (assist === 'triage') {
    parts.push(`Categories: ${input.categories.join(', ') || '(none)'}`);
    parts.push(`Existing tags: ${input.tags.join(', ') || '(none)'}`);
  }
  const { text, counts } = redact(parts.join('\n\n'));
  return {
    messages: [
      { role: 'system', content: SYSTEM[assist] },
      { role: 'user', content: text },
    ],
    redacted: counts,
  };
}

/** The cache key: the assist, the model chain and the exact (redacted) messages. */
export function promptHash(assist: Assist, models: readonly string[], messages: ChatMessage[]): string {
  return createHash('sha256')
    .update(JSON.stringify([assist, models, messages]))
    .digest('hex');
}

/** A rough token count (about four characters a token in English): what a budget check can know before sending. */
export const estimateTokens = (messages: ChatMessage[]): number =>
  Math.ceil(messages.reduce((sum, message) => sum + message.content.length + 8, 0) / 4);

export const triageSuggestion = z.object({
  priority: z.enum(PRIORITIES),
  category: z.string().max(200).nullable().default(null),
  tags: z.array(z.string().min(1).max(60)).max(5).default([]),
  reason: z.string().max(1000).optional(),
});
export type TriageSuggestion = z.infer<typeof triageSuggestion>;

/** The model's triage answer as JSON (a ```json fence around it is tolerated), or why it is not one. */
export function parseTriage(text: string): { ok: true; value: TriageSuggestion } | { ok: false; reason: string } {
  const body = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the model did not answer JSON' };
  }
  const parsed = triageSuggestion.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'the model answered JSON of the wrong shape' };
  return { ok: true, value: parsed.data };
}
