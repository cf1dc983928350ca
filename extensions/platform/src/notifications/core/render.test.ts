import { describe, expect, it } from '@jest/globals';
import { bodyToHtml, createRenderer, inAppValue, neutraliseScheme } from './render.js';

describe('createRenderer', () => {
  const renderer = createRenderer();
  const render = (template: Parameters<typeof renderer>[0], context: Record<string, unknown>) =>
    renderer(template, context, 'email');

  it('renders subject and body from the context', async () => {
    const result = await render(
      {
        key: 'reply',
        subject: 'Re: [{{ item.ticket.number }}]   {{ item.ticket.subject }}\n',
        body: 'Hello {{ recipient.first_name }},\n\n{{ item.body }}',
      },
      {
        item: { body: 'Try a restart.', ticket: { number: 'SD-1001', subject: 'Printer' } },
        recipient: { first_name: 'Ava' },
      },
    );
    expect(result).toEqual({ subject: 'Re: [SD-1001] Printer', body: 'Hello Ava,\n\nTry a restart.' });
  });

  it('renders a missing value as empty, and loops over lists (the digest)', async () => {
    const result = await render(
      {
        key: 'digest',
        subject: '{{ count }} updates',
        body: '{% for n in notifications %}- {{ n.subject }}\n{% endfor %}{{ nothing.here }}',
      },
      { count: 2, notifications: [{ subject: 'one' }, { subject: 'two' }] },
    );
    expect(result.subject).toBe('2 updates');
    expect(result.body).toBe('- one\n- two');
  });

  it('refuses an unknown filter (a typo fails loudly, not silently)', async () => {
    await expect(render({ key: 'bad', subject: '{{ x | nosuchfilter }}', body: '' }, { x: 1 })).rejects.toThrow(
      /nosuchfilter/,
    );
  });

  it('does not reach inherited properties', async () => {
    const result = await render({ key: 'proto', subject: '{{ item.constructor.name }}', body: '' }, { item: {} });
    expect(result.subject).toBe('');
  });

  it('re-parses a template whose text changed under the same key', async () => {
    const first = await render({ key: 'k', subject: 'one', body: '' }, {});
    const second = await render({ key: 'k', subject: 'two', body: '' }, {});
    expect([first.subject, second.subject]).toEqual(['one', 'two']);
  });
});

describe('bodyToHtml', () => {
  it('escapes markup from user text and keeps paragraphs', () => {
    const html = bodyToHtml('Hi <b>Ava</b> & co\nline two\n\nnext');
    expect(html).toContain('<p>Hi &lt;b&gt;Ava&lt;/b&gt; &amp; co<br>line two</p>');
    expect(html).toContain('<p>next</p>');
    expect(html).not.toContain('<b>');
  });
});

// Payloads a customer can put in a ticket's subject, description or reply.
const HOSTILE = {
  script: '<script>window.__pwned = 1</script>',
  img: '<img src=x onerror="window.__pwned = 1">',
  mdLink: '[Reset your password](javascript:alert(1))',
  mdImage: '![x](javascript:alert(1))',
  anchor: '<a href="javascript:alert(1)">click</a>',
  dataUrl: '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  autolink: '<javascript:alert(1)>',
  reference: '[x][1]\n\n[1]: javascript:alert(1)',
};

/** What must never survive into a markdown-with-HTML message: an opening tag, a link or image, an autolink. */
function expectInert(markdown: string) {
  expect(markdown).not.toMatch(/<[a-z!/]/i);
  expect(markdown).not.toMatch(/(^|[^\\])\[/);
  expect(markdown).not.toMatch(/(^|[^\\])\]\(/);
  expect(markdown).not.toMatch(/^\s*\[[^\]]*\]:/m);
  expect(markdown).not.toMatch(/on[a-z]+\s*=\s*"/i);
}

describe('rendering per channel (hostile values)', () => {
  const render = createRenderer();
  const template = { key: 'new-ticket', subject: 'New: {{ item.subject }}', body: 'Opened:\n\n{{ item.description }}' };

  it.each(Object.entries(HOSTILE))('in_app: %s is shown as text, never as markup or a link', async (_name, payload) => {
    const rendered = await render(template, { item: { subject: payload, description: payload } }, 'in_app');
    expectInert(rendered.body);
    // The template's own text is untouched; the subject is plain text (the app shows it as text).
    expect(rendered.body.startsWith('Opened:')).toBe(true);
    expect(rendered.subject).toBe(`New: ${payload.replace(/\s+/g, ' ')}`);
  });

  it('email: the text part keeps what the user wrote, the HTML part escapes all of it', async () => {
    const rendered = await render(template, { item: { subject: 's', description: HOSTILE.img } }, 'email');
    expect(rendered.body).toBe(`Opened:\n\n${HOSTILE.img}`);
    expect(bodyToHtml(rendered.body)).not.toMatch(/<img/);
  });

  it('in_app: a value used as a link target in a template cannot carry javascript: or data:', async () => {
    const linked = { key: 'linked', subject: '', body: '[Open]({{ item.url }})' };
    for (const url of [
      'javascript:alert(1)',
      ' JaVa\tScRiPt:alert(1)',
      '\u0001javascript:alert(1)',
      'data:text/html,x',
    ]) {
      const rendered = await render(linked, { item: { url } }, 'in_app');
      expect(rendered.body).toMatch(/^\[Open\]\(unsafe:/);
    }
    const safe = await render(linked, { item: { url: 'https://example.com/a' } }, 'in_app');
    expect(safe.body).toBe('[Open](https://example.com/a)');
  });

  it('in_app: raw output stays possible only where a template author writes `| raw`', async () => {
    const rendered = await render({ key: 'r', subject: '', body: '{{ x | raw }}' }, { x: '**b**' }, 'in_app');
    expect(rendered.body).toBe('**b**');
  });
});

describe('inAppValue and neutraliseScheme', () => {
  it('reads as typed once rendered: every escape is a markdown backslash escape or an HTML entity', () => {
    expect(inAppValue('a *b* _c_ `d` ~e~ | f')).toBe('a \\*b\\* \\_c\\_ \\`d\\` \\~e\\~ \\| f');
    expect(inAppValue('# title\n- item\n1. one\n> quote')).toBe('\\# title\n\\- item\n1\\. one\n&gt; quote');
    expect(inAppValue('SD-1001 & "x"')).toBe('SD-1001 &amp; &quot;x&quot;');
  });

  it('prefixes other schemes than http, https and mailto', () => {
    expect(neutraliseScheme('mailto:a@example.com')).toBe('mailto:a@example.com');
    expect(neutraliseScheme('HTTPS://example.com')).toBe('HTTPS://example.com');
    expect(neutraliseScheme('vbscript:x')).toBe('unsafe:vbscript:x');
    expect(neutraliseScheme('plain text: with a colon')).toBe('plain text: with a colon');
  });
});
