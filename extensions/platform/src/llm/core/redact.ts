// Redaction before a prompt leaves (issue 13, decision 0050): email addresses, phone numbers, and secrets (our API
// keys `gw_…`, bearer tokens, JWTs, provider keys, long hex or base64 runs) are replaced by placeholders. Pure.
// It errs towards redacting: a long hex id in a message costs the model little, a leaked key costs a rotation.

export interface Redaction {
  text: string;
  /** How many values of each kind were replaced (logged, never the values). */
  counts: Record<RedactedKind, number>;
}
export type RedactedKind = 'email' | 'phone' | 'secret';

// Order matters: secrets first (a JWT or key may contain digit runs a phone pattern would half-match), then emails.
const PATTERNS: Array<{ kind: RedactedKind; placeholder: string; pattern: RegExp }> = [
  // `Bearer <token>` / `Authorization: Basic <b64>`: the token whatever its shape.
  {
    kind: 'secret',
    placeholder: '$1[redacted secret]',
    pattern: /\b((?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  },
  // Our API keys and the usual provider key shapes (sk-…, ghp_…, xoxb-…, AKIA…), and whsec_ webhook secrets.
  {
    kind: 'secret',
    placeholder: '[redacted secret]',
    pattern:
      /\b(?:gw_|sk-|sk_(?:live|test)_|pk_(?:live|test)_|ghp_|gho_|github_pat_|xox[abpr]-|whsec_|AKIA)[A-Za-z0-9_\-+/=]{8,}/g,
  },
  // JWTs: three base64url parts, the first starting like `{"`.
  {
    kind: 'secret',
    placeholder: '[redacted secret]',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  },
  // key=value / "password": "…" pairs: the value, whatever its shape.
  {
    kind: 'secret',
    placeholder: '$1[redacted secret]',
    pattern:
      /\b((?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|token)\s*["']?\s*[:=]\s*["']?)[^\s"',;]{4,}/gi,
  },
  // Long hex (32+) or base64-ish (40+ with a digit and a letter) runs: hashes, keys, session ids.
  { kind: 'secret', placeholder: '[redacted secret]', pattern: /\b[0-9a-fA-F]{32,}\b/g },
  {
    kind: 'secret',
    placeholder: '[redacted secret]',
    pattern: /(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{40,}={0,2}/g,
  },
  {
    kind: 'email',
    placeholder: '[redacted email]',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  },
  // Phone numbers: an optional +country code, then 7 to 15 digits with spaces, dots, dashes or (area) between.
  // ISO dates (2026-12-03) are let through below; times and version numbers do not match, nor do digits joined to a
  // word by a dash: that is an identifier (the ticket code SD-1000042 from the millionth ticket on, order-55512345).
  {
    kind: 'phone',
    placeholder: '[redacted phone]',
    pattern: /(?<![\w.]|[A-Za-z]-)(?:\+|00)?(?:\(?\d{1,4}\)?[\s.-]?){2,6}\d{2,4}(?![\w])/g,
  },
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const digitCount = (text: string) => (text.match(/\d/g) ?? []).length;

export function redact(input: string): Redaction {
  const counts: Record<RedactedKind, number> = { email: 0, phone: 0, secret: 0 };
  let text = input;
  for (const { kind, placeholder, pattern } of PATTERNS) {
    text = text.replace(pattern, (match, ...groups: unknown[]) => {
      // A phone number has 7 to 15 digits (E.164); fewer is an order number, a year or a count.
      if (kind === 'phone') {
        const digits = digitCount(match);
        if (digits < 7 || digits > 15 || ISO_DATE.test(match.trim())) return match;
      }
      counts[kind] += 1;
      const prefix = typeof groups[0] === 'string' ? groups[0] : '';
      return placeholder.replace('$1', prefix);
    });
  }
  return { text, counts };
}
