// The hardening headers every response carries, on top of what Directus sets itself (helmet's
// Content-Security-Policy with frame-ancestors 'self' on the API and the app, `default-src 'none'` on /assets,
// and Cross-Origin-Opener-Policy). Pure: the adapter only copies these onto each response.

export const CROSS_ORIGIN_RESOURCE_POLICIES = ['same-origin', 'same-site', 'cross-origin'] as const;
export type CrossOriginResourcePolicy = (typeof CROSS_ORIGIN_RESOURCE_POLICIES)[number];

export function securityHeaders(resourcePolicy: CrossOriginResourcePolicy): Record<string, string> {
  return {
    // Browsers must not guess a type: an uploaded text/plain file is never run as HTML or script.
    'X-Content-Type-Options': 'nosniff',
    // Tokens and ids in URLs (reset links, /assets?access_token=) never leave in a Referer.
    'Referrer-Policy': 'no-referrer',
    // For browsers without CSP frame-ancestors, and for /assets, whose CSP has none: no framing by other sites.
    // Where a CSP frame-ancestors is configured, browsers follow it and ignore this header.
    'X-Frame-Options': 'SAMEORIGIN',
    // Other sites cannot embed responses (assets included) unless the policy allows them.
    'Cross-Origin-Resource-Policy': resourcePolicy,
    'X-Permitted-Cross-Domain-Policies': 'none',
  };
}
