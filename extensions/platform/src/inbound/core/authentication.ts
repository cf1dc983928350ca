// Is the From address of an inbound email authenticated (decision 0053)? Read from the receiving provider's
// `Authentication-Results` header (RFC 8601), not checked by us: the provider saw the SMTP session (SPF needs the
// connecting IP, which we never see) and its request to us is signed, so its header is as trustworthy as the body.
// Only the header the provider stamped counts: the topmost one whose authserv-id is in the configured list, else the
// topmost one (MTAs prepend, so the provider's is first; a sender's own forged header, even one naming the
// provider's id, is below it; RFC 8601 section 5 has the provider remove those anyway). Pure.
//
// Authenticated means DMARC's own verdict `dmarc=pass` for the From domain, or a DKIM (`header.d`) or SPF
// (`smtp.mailfrom`) pass whose domain is aligned with the From domain (relaxed: the same domain or one a subdomain of
// the other; two sibling subdomains are not recognized, which fails closed).

export interface SenderVerdict {
  authenticated: boolean;
  /** What passed (`dmarc=pass`, `dkim=pass header.d=…`), or why nothing did. */
  reason: string;
}

interface MethodResult {
  method: string;
  result: string;
  properties: Record<string, string>;
}

export interface AuthenticationResults {
  authservId: string;
  results: MethodResult[];
}

/** RFC 8601 comments `( … )` removed (they may nest), and quoted strings unquoted. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (const char of value) {
    if (char === '"' && depth === 0) {
      quoted = !quoted;
      continue;
    }
    if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')' && depth > 0) depth -= 1;
    else if (depth === 0) out += char;
  }
  return out;
}

/** One Authentication-Results header value: the authserv-id and each method's result with its properties. */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const [head, ...rest] = withoutComments(value.replace(/\r?\n[ \t]*/g, ' ')).split(';');
  const authservId = head?.trim().split(/\s+/)[0]?.toLowerCase();
  if (!authservId) return null;
  const results: MethodResult[] = [];
  for (const part of rest) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const first = tokens.shift();
    const match = first ? /^([a-z0-9_-]+)(?:\/\d+)?=([a-z0-9_-]+)$/i.exec(first) : null;
    if (!match) continue; // `none`, or something this reader does not know: no verdict from it
    const properties: Record<string, string> = {};
    for (const token of tokens) {
      const equals = token.indexOf('=');
      if (equals > 0) properties[token.slice(0, equals).toLowerCase()] = token.slice(equals + 1).toLowerCase();
    }
    results.push({ method: match[1]!.toLowerCase(), result: match[2]!.toLowerCase(), properties });
  }
  return { authservId, results };
}

/** The domain of an address or of a bare domain (`user@Example.com` → `example.com`). */
const domainPart = (value: string | undefined): string | null => {
  if (!value) return null;
  const domain = value
    .slice(value.lastIndexOf('@') + 1)
    .replace(/\.$/, '')
    .toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) && domain.includes('.') ? domain : null;
};

/** Relaxed alignment, approximated without the public suffix list: equal, or one a subdomain of the other. */
export function aligned(fromDomain: string, other: string): boolean {
  return fromDomain === other || fromDomain.endsWith(`.${other}`) || other.endsWith(`.${fromDomain}`);
}

/**
 * The verdict for `from` from the email's Authentication-Results headers (in header order, topmost first).
 * `trustedIds`: the provider's authserv-ids; empty = trust the topmost header only.
 */
export function senderVerdict(headers: readonly string[], from: string, trustedIds: readonly string[]): SenderVerdict {
  const fromDomain = domainPart(from);
  if (!fromDomain) return { authenticated: false, reason: 'the From address has no domain' };
  const parsed = headers.map(parseAuthenticationResults).filter((entry): entry is AuthenticationResults => !!entry);
  // One header: the provider's is the topmost (of its ids). A sender can write one with the provider's id below it.
  const trusted = (trustedIds.length ? parsed.filter((entry) => trustedIds.includes(entry.authservId)) : parsed).slice(
    0,
    1,
  );
  if (trusted.length === 0) return { authenticated: false, reason: 'no Authentication-Results of the provider' };
  for (const { results } of trusted) {
    for (const { method, result, properties } of results) {
      if (result !== 'pass') continue;
      if (method === 'dmarc') {
        const domain = domainPart(properties['header.from']);
        // A pass for another domain than the From (a second From header, say) is no pass for this one.
        if (!domain || domain === fromDomain) return { authenticated: true, reason: 'dmarc=pass' };
      }
      if (method === 'dkim') {
        const domain = domainPart(properties['header.d']) ?? domainPart(properties['header.i']);
        if (domain && aligned(fromDomain, domain)) return { authenticated: true, reason: `dkim=pass (${domain})` };
      }
      if (method === 'spf') {
        const domain = domainPart(properties['smtp.mailfrom']);
        if (domain && aligned(fromDomain, domain)) return { authenticated: true, reason: `spf=pass (${domain})` };
      }
    }
  }
  const seen = trusted.flatMap((entry) => entry.results.map((result) => `${result.method}=${result.result}`));
  return {
    authenticated: false,
    reason: `no aligned pass for ${fromDomain} (${seen.length ? seen.join(', ') : 'no results'})`,
  };
}
