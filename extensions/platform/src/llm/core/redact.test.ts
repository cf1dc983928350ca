import { describe, expect, it } from '@jest/globals';
import { redact } from './redact.js';

describe('redact', () => {
  it('replaces email addresses', () => {
    const { text, counts } = redact('Write to jane.doe+billing@example.co.uk or ops@acme.io today');
    expect(text).toBe('Write to [redacted email] or [redacted email] today');
    expect(counts.email).toBe(2);
  });

  it.each(['+1 (415) 555-2671', '+44 20 7946 0958', '0049 30 1234567', '415.555.2671', '06-12345678', '+33612345678'])(
    'replaces the phone number %s',
    (phone) => {
      const { text, counts } = redact(`Call me at ${phone}, thanks`);
      expect(text).toBe('Call me at [redacted phone], thanks');
      expect(counts.phone).toBe(1);
    },
  );

  it.each([
    'Ticket SD-1042 from 2026-12-03 at 10:30',
    'Order 12345 has 3 items',
    'Version 11.17.4 fails',
    'in 2024 and 2025',
    'Ticket SD-1000042 (the millionth and more) and order-55512345',
  ])('leaves %s alone', (plain) => {
    expect(redact(plain).text).toBe(plain);
  });

  it.each([
    ['our API key', 'gw_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c'],
    ['an OpenAI key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['a GitHub token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['an AWS key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a webhook secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEyMyJ9.c2lnbmF0dXJlLXZhbHVl'],
    ['a long hex secret', 'a3f5b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f'],
    ['a base64 secret', 'dGhpcyBpcyBhIHZlcnkgc2VjcmV0IGtleSB0aGF0IGlzIGxvbmc9PQ=='],
  ])('replaces %s', (_label, secret) => {
    const { text, counts } = redact(`here: ${secret} end`);
    expect(text).not.toContain(secret);
    expect(text).toContain('[redacted secret]');
    expect(counts.secret).toBeGreaterThanOrEqual(1);
  });

  it('keeps the scheme of a bearer token and the name of a key=value secret', () => {
    expect(redact('Authorization: Bearer abc.def-ghi_jkl123').text).toBe('Authorization: Bearer [redacted secret]');
    expect(redact('password=hunter2!! and api_key: "xyz98765"').text).toBe(
      'password=[redacted secret] and api_key: "[redacted secret]"',
    );
  });

  it('redacts everything in one text', () => {
    const { text, counts } = redact(
      'From bob@example.com (+1 415 555 2671): my key gw_abcdef0123456789abcdef stopped working',
    );
    expect(text).toBe('From [redacted email] ([redacted phone]): my key [redacted secret] stopped working');
    expect(counts).toEqual({ email: 1, phone: 1, secret: 1 });
  });
});
