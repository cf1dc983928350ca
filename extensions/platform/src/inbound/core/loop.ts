// Loop and bulk-mail detection (RFC 3834 and the de-facto headers of autoresponders): an email that a machine sent
// is never turned into a ticket or reply, or two autoresponders (ours and theirs) would answer each other forever.
// Pure.

export type HeaderValue = string | string[] | undefined;

const first = (value: HeaderValue): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();

/** The reason an email is automatic (to be dropped), or null for one a person sent. Header names in lower case. */
export function automaticReason(
  headers: Record<string, HeaderValue>,
  from: string | null,
  ownAddresses: readonly string[],
): string | null {
  const sender = (from ?? '').trim().toLowerCase();
  if (sender && ownAddresses.some((address) => address.trim().toLowerCase() === sender))
    return 'sent from our own address';
  const autoSubmitted = first(headers['auto-submitted']).toLowerCase();
  // RFC 3834: `no` is the only value a person's email carries; parameters may follow a `;`.
  if (autoSubmitted && autoSubmitted.split(';')[0]!.trim() !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = first(headers['precedence']).toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress']) {
    const value = first(headers[name]).toLowerCase();
    // Outlook's X-Auto-Response-Suppress: All / OOF marks its own automatic replies.
    if (name === 'x-auto-response-suppress' ? /\b(all|oof|autoreply)\b/.test(value) : value !== '')
      return `${name}: ${value}`;
  }
  if (first(headers['list-id']) || first(headers['list-unsubscribe'])) return 'a mailing list message';
  const returnPath = first(headers['return-path']);
  // A bounce (delivery status notification) has an empty return path.
  if (returnPath === '<>') return 'a bounce (empty Return-Path)';
  return null;
}
