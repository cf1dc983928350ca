import { describe, expect, it } from '@jest/globals';
import { htmlToText } from './html.js';
import { stripQuotedText } from './quotes.js';

describe('stripQuotedText', () => {
  it('removes Gmail’s history and the RFC 3676 signature', () => {
    const text =
      'Printer is broken.\r\n\r\nThanks\r\n-- \r\nJana\r\n\r\nOn Wed, 2 Dec 2026 at 09:12, S <s@x> wrote:\r\n> old\r\n';
    expect(stripQuotedText(text)).toBe('Printer is broken.\n\nThanks');
  });
  it('removes an attribution wrapped over two lines', () => {
    expect(stripQuotedText('Yes.\n\nOn Wed, 2 Dec 2026 at 09:12, Support\n<s@x> wrote:\n> old')).toBe('Yes.');
  });
  it.each([
    ['Am 02.12.2026 um 09:12 schrieb Support <s@x>:', 'German'],
    ['Le 2 déc. 2026 à 09:12, Support <s@x> a écrit :', 'French'],
    ['El 2 dic 2026, a las 09:12, Support escribió:', 'Spanish'],
    ['-----Original Message-----', 'Outlook'],
    ['________________________________', 'Outlook rule'],
    ['---------- Forwarded message ---------', 'forward'],
  ])('cuts at "%s" (%s)', (line) => {
    expect(stripQuotedText(`New text.\n\n${line}\nold text`)).toBe('New text.');
  });
  it('cuts at an Outlook From:/Sent: block without a rule', () => {
    expect(stripQuotedText('New.\n\nFrom: Support <s@x>\nSent: Tuesday\nSubject: Re\n\nold')).toBe('New.');
  });
  it('keeps a From: line that starts no header block', () => {
    expect(stripQuotedText('From: the accounting team, with thanks.\nBye')).toBe(
      'From: the accounting team, with thanks.\nBye',
    );
  });
  it('removes mobile signatures and trailing quoted lines, keeps interleaved answers', () => {
    expect(stripQuotedText('Done.\n\nSent from my iPhone')).toBe('Done.');
    expect(stripQuotedText('> question?\nanswer\n> old\n> older')).toBe('> question?\nanswer');
  });
  it('keeps the text of an email that is all quote', () => {
    expect(stripQuotedText('> only a quote')).toBe('> only a quote');
  });
});

describe('htmlToText', () => {
  it('turns blocks into lines, decodes entities and drops Gmail’s quote', () => {
    const html =
      '<html><head><style>p{}</style></head><body><p>Caf&eacute;&nbsp;is &lt;closed&gt; &amp; &#8364;5 &#x263A;</p>' +
      '<p>Regards,<br>Tom</p><div class="gmail_quote">On Mon wrote:<blockquote>old</blockquote></div></body></html>';
    expect(htmlToText(html)).toBe('Caf&eacute; is <closed> & €5 ☺\nRegards,\nTom');
  });
  it('drops scripts and Apple’s cite blockquotes, keeps unknown entities', () => {
    expect(htmlToText('<script>x()</script><div>Hi &bogus; &#0;</div><blockquote type="cite">old</blockquote>')).toBe(
      'Hi &bogus; &#0;',
    );
  });
});
