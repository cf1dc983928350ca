// The new part of an email's text: quoted history and signatures removed, so a reply on a ticket holds what the
// person wrote, not the thread again. Line-based, for the plain text part (or the text made from the HTML). Pure.

// A line that starts the quoted history: what mail clients write above the original message.
const HISTORY_HEADERS: RegExp[] = [
  /^On .+wrote:\s*$/i, // Gmail, Apple Mail, Thunderbird (English)
  /^Am .+schrieb .*:\s*$/i, // German
  /^Le .+a écrit\s*:\s*$/i, // French
  /^El .+escribió:\s*$/i, // Spanish
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$/i,
  /^_{20,}\s*$/, // Outlook's rule above its From:/Sent: block
  /^-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
];
// Outlook without a rule: a From: line followed (within a few lines) by Sent:/Date: and Subject:.
const OUTLOOK_FROM = /^\*?From:\*?\s.+/i;
const OUTLOOK_NEXT = /^\*?(Sent|Date|To|Subject):\*?\s/i;
// The RFC 3676 delimiter (`-- `) and what mobile clients append.
const SIGNATURE_START: RegExp[] = [/^-- ?$/, /^Sent from my \w+/i, /^Get Outlook for \w+/i, /^Von meinem .+ gesendet/i];

export function stripQuotedText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    // "On Tue, 1 Dec 2026 at 10:00, Someone <a@b>" / "wrote:" wrapped over two lines.
    const joined = index + 1 < lines.length ? `${line} ${lines[index + 1]!.trim()}` : line;
    const header =
      HISTORY_HEADERS.some((pattern) => pattern.test(line)) ||
      (/^On\s/i.test(line) && !/wrote:\s*$/i.test(line) && /^On .+wrote:\s*$/i.test(joined)) ||
      (OUTLOOK_FROM.test(line) && lines.slice(index + 1, index + 4).some((next) => OUTLOOK_NEXT.test(next.trim())));
    if (header) {
      end = index;
      break;
    }
  }
  let kept = lines.slice(0, end);
  const signature = kept.findIndex((line) => SIGNATURE_START.some((pattern) => pattern.test(line.trimEnd())));
  if (signature >= 0) kept = kept.slice(0, signature);
  // Quoted lines left (a client that quotes without a header line) go; interleaved answers keep theirs.
  while (kept.length > 0 && (kept.at(-1)!.trim() === '' || kept.at(-1)!.trimStart().startsWith('>'))) kept.pop();
  const result = kept.join('\n').trim();
  // An email that is all quote (a forward without a word) keeps its text rather than becoming empty.
  return result === '' ? text.trim() : result;
}
