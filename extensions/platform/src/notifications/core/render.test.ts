import { describe, expect, it } from '@jest/globals';
import { bodyToHtml, createRenderer } from './render.js';

describe('createRenderer', () => {
  const render = createRenderer();

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
