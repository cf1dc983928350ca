import { describe, expect, it } from '@jest/globals';
import { aligned, parseAuthenticationResults, senderVerdict } from './authentication.js';

const gmail =
  'mx.google.com;\r\n       dkim=pass header.i=@customer.example header.s=s1 header.b=abc;\r\n' +
  '       spf=pass (google.com: domain of jana@customer.example designates 1.2.3.4 as permitted sender) smtp.mailfrom=jana@customer.example;\r\n' +
  '       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=customer.example';

describe('parseAuthenticationResults', () => {
  it('reads the authserv-id and each method, without comments', () => {
    expect(parseAuthenticationResults(gmail)).toEqual({
      authservId: 'mx.google.com',
      results: [
        {
          method: 'dkim',
          result: 'pass',
          properties: { 'header.i': '@customer.example', 'header.s': 's1', 'header.b': 'abc' },
        },
        { method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'jana@customer.example' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'customer.example' } },
      ],
    });
  });
  it('ignores `none` and malformed parts', () => {
    expect(parseAuthenticationResults('mx.example.org 1; none')).toEqual({ authservId: 'mx.example.org', results: [] });
    expect(parseAuthenticationResults('')).toBeNull();
  });
});

describe('aligned', () => {
  it('is relaxed: equal or a subdomain either way', () => {
    expect(aligned('customer.example', 'customer.example')).toBe(true);
    expect(aligned('customer.example', 'mail.customer.example')).toBe(true);
    expect(aligned('eu.customer.example', 'customer.example')).toBe(true);
    expect(aligned('customer.example', 'evilcustomer.example')).toBe(false);
    expect(aligned('customer.example', 'attacker.example')).toBe(false);
  });
});

describe('senderVerdict', () => {
  const from = 'jana@customer.example';
  it('passes on dmarc=pass for the From domain', () => {
    expect(senderVerdict([gmail], from, [])).toEqual({ authenticated: true, reason: 'dkim=pass (customer.example)' });
    expect(senderVerdict(['mx.test; dmarc=pass header.from=customer.example'], from, [])).toMatchObject({
      authenticated: true,
      reason: 'dmarc=pass',
    });
  });
  it('passes on an aligned DKIM or SPF pass', () => {
    expect(senderVerdict(['mx.test; dkim=pass header.d=mail.customer.example'], from, []).authenticated).toBe(true);
    expect(senderVerdict(['mx.test; spf=pass smtp.mailfrom=bounce@customer.example'], from, []).authenticated).toBe(
      true,
    );
  });
  it('refuses passes for other domains (a forger signs with their own)', () => {
    const forged =
      'mx.test; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=x@attacker.example; dmarc=fail header.from=customer.example';
    expect(senderVerdict([forged], from, [])).toEqual({
      authenticated: false,
      reason: 'no aligned pass for customer.example (dkim=pass, spf=pass, dmarc=fail)',
    });
    expect(senderVerdict(['mx.test; dmarc=pass header.from=attacker.example'], from, []).authenticated).toBe(false);
  });
  it('refuses without any header, or with failures only', () => {
    expect(senderVerdict([], from, [])).toMatchObject({ authenticated: false });
    expect(senderVerdict(['mx.test; dkim=fail header.d=customer.example; spf=softfail'], from, []).authenticated).toBe(
      false,
    );
  });
  it('trusts only the provider: the topmost header, or the configured authserv-ids', () => {
    const provider = 'mx.provider.test; dmarc=fail header.from=customer.example';
    const forgedBelow = 'mx.provider.test; dmarc=pass header.from=customer.example';
    // The sender's own header comes below the provider's: without ids only the topmost counts.
    expect(senderVerdict([provider, forgedBelow], from, []).authenticated).toBe(false);
    // With ids, a header of another authserv-id counts for nothing, wherever it is.
    expect(senderVerdict(['evil.test; dmarc=pass header.from=customer.example'], from, ['mx.provider.test'])).toEqual({
      authenticated: false,
      reason: 'no Authentication-Results of the provider',
    });
    expect(
      senderVerdict(['other.test; none', 'mx.provider.test; dmarc=pass'], from, ['mx.provider.test']).authenticated,
    ).toBe(true);
    // The sender's own header with the provider's id, below the provider's: not read.
    expect(senderVerdict([provider, forgedBelow], from, ['mx.provider.test']).authenticated).toBe(false);
  });
});
