// Templates in liquid (the engine Directus renders its own emails with), each with a subject and a body. Templates
// are data staff edit, so the engine is bounded: no file system, own properties only, unknown filters fail, and
// limits on template size, render time and memory.
import { Liquid } from 'liquidjs';

export interface Template {
  key: string;
  subject: string;
  body: string;
}

export interface Rendered {
  subject: string;
  body: string;
}

const SUBJECT_MAX = 255;

export function createRenderer(): (template: Template, context: Record<string, unknown>) => Promise<Rendered> {
  const engine = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    parseLimit: 100_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  });
  const parsed = new Map<
    string,
    { source: string; subject: ReturnType<Liquid['parse']>; body: ReturnType<Liquid['parse']> }
  >();
  return async (template, context) => {
    const source = `${template.subject}\u0000${template.body}`;
    let entry = parsed.get(template.key);
    if (!entry || entry.source !== source) {
      entry = { source, subject: engine.parse(template.subject), body: engine.parse(template.body) };
      parsed.set(template.key, entry);
    }
    const subject = String(await engine.render(entry.subject, context))
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, SUBJECT_MAX);
    const body = String(await engine.render(entry.body, context)).trim();
    return { subject, body };
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The HTML part of an email: the plain body escaped, paragraphs kept. Values from users never become markup. */
export function bodyToHtml(body: string): string {
  const escaped = body.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
  const paragraphs = escaped.split(/\n{2,}/).map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body>${paragraphs.join('\n')}</body></html>`;
}
