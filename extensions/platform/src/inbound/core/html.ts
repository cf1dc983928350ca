// Text of an HTML-only email (mailparser gives no text part then). Quoted history blocks are removed first
// (Gmail's gmail_quote, Outlook's divRplyFwdMsg, Apple's and Thunderbird's blockquote type=cite); the rest becomes
// lines. Only for reading: the result is stored as plain text, never rendered as HTML. Pure.

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  euro: '€',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

export function htmlToText(html: string): string {
  const withoutHistory = html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    // Everything from the first quote container on is history.
    .replace(/<(div|blockquote)\b[^>]*(gmail_quote|divRplyFwdMsg|type="?cite"?|moz-cite-prefix)[\s\S]*$/i, '');
  const text = withoutHistory
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|blockquote)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
