// Templates in liquid (the engine Directus renders its own emails with), each with a subject and a body. Templates
// are data staff edit, so the engine is bounded: no file system, own properties only, unknown filters fail, and
// limits on template size, render time and memory. Values come from users (a ticket's subject, a reply), so each
// channel renders them safely for where the text ends up (see `Channel`).
import { Liquid } from 'liquidjs';
import type { Channel } from './rules.js';

export interface Template {
  key: string;
  subject: string;
  body: string;
}

export interface Rendered {
  subject: string;
  body: string;
}

/*
 * How each channel renders a user's value (Channel):
 * - `email`: the body is the plain-text part, values as written; the HTML part escapes it whole (bodyToHtml).
 * - `in_app`: the body becomes directus_notifications.message, which the admin app renders as markdown with HTML:
 *   every value is neutralised for that (inAppValue), so a user's text is shown, never interpreted.
 * Subjects are plain text on both (mail header; the app shows it as text), so values stay as written there.
 */

const SUBJECT_MAX = 255;

/** Link schemes a user's value may carry into a notification; any other (javascript:, data:, vbscript:...) is not. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/**
 * A value that starts like a URL with another scheme gets an `unsafe:` prefix, so that even inside a template's
 * own link it cannot run. Browsers drop tabs and newlines inside URLs and leading controls, so those are ignored
 * when reading the scheme.
 */
export function neutraliseScheme(value: string): string {
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1];
  return scheme && !SAFE_SCHEMES.has(scheme.toLowerCase()) ? `unsafe:${value}` : value;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A user's value for a markdown-with-HTML message: HTML special characters as entities (no tag, attribute or
 * autolink `<...>` can open), markdown's inline punctuation backslash-escaped (no link, image, emphasis, code or
 * table), and block markers at a line's start escaped (no heading, list or quote). Rendered, it reads as typed.
 */
export function inAppValue(value: string): string {
  return neutraliseScheme(value)
    .replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character)
    .replace(/[\\`*_[\]()!|~{}]/g, '\\$&')
    .replace(/^(\s*)([#+=-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)\./gm, '$1\\.');
}

const stringify = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

export function createRenderer(): (
  template: Template,
  context: Record<string, unknown>,
  channel: Channel,
) => Promise<Rendered> {
  const limits = {
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    parseLimit: 100_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  };
  const engines = {
    plain: new Liquid(limits),
    // outputEscape applies to every {{ }} output after its filters; a template's own text is left as written.
    in_app: new Liquid({ ...limits, outputEscape: (value: unknown) => inAppValue(stringify(value)) }),
  };
  type Parsed = ReturnType<Liquid['parse']>;
  const parsed = new Map<string, { source: string; subject: Parsed; email: Parsed; in_app: Parsed }>();
  return async (template, context, channel) => {
    const source = `${template.subject}\u0000${template.body}`;
    let entry = parsed.get(template.key);
    if (!entry || entry.source !== source) {
      entry = {
        source,
        subject: engines.plain.parse(template.subject),
        email: engines.plain.parse(template.body),
        in_app: engines.in_app.parse(template.body),
      };
      parsed.set(template.key, entry);
    }
    const subject = String(await engines.plain.render(entry.subject, context))
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, SUBJECT_MAX);
    const engine = channel === 'in_app' ? engines.in_app : engines.plain;
    const body = String(await engine.render(entry[channel], context)).trim();
    return { subject, body };
  };
}

/** The HTML part of an email: the plain body escaped, paragraphs kept. Values from users never become markup. */
export function bodyToHtml(body: string): string {
  const escaped = body.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
  const paragraphs = escaped.split(/\n{2,}/).map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body>${paragraphs.join('\n')}</body></html>`;
}
