import { describe, expect, it } from '@jest/globals';
import { loggableError, REDACTED, redactHeaders, redactQuery, redactResponseHeaders, redactUrl } from './redact.js';

describe('redactUrl', () => {
  it('keeps a URL without a query as it is', () => {
    expect(redactUrl('/items/tickets/7')).toBe('/items/tickets/7');
    expect(redactUrl('/items/tickets?')).toBe('/items/tickets?');
  });

  it('redacts tokens, emails and search text, whatever the parameter is called', () => {
    const url = redactUrl(
      '/users/register/verify-email?token=eyJhbGci.secret&access_token=abc123&search=carol%40acme.example&email=carol@acme.example',
    );
    expect(url).toBe(
      `/users/register/verify-email?token=${REDACTED}&access_token=${REDACTED}&search=${REDACTED}&email=${REDACTED}`,
    );
    expect(url).not.toMatch(/secret|abc123|carol/);
  });

  it('redacts filter values but keeps the field path, and keeps the allow-listed parameters', () => {
    const url = redactUrl('/items/tickets?filter[requester][email][_eq]=carol@acme.example&limit=5&fields=id,subject');
    expect(url).toBe(`/items/tickets?filter[requester][email][_eq]=${REDACTED}&limit=5&fields=id%2Csubject`);
  });

  it('redacts a parameter name that does not look like one (data put in the name)', () => {
    expect(redactUrl('/items/tickets?carol@acme.example')).toBe(`/items/tickets?${REDACTED}=${REDACTED}`);
  });
});

describe('redactQuery', () => {
  it('keeps allow-listed text and redacts everything else, nested values included', () => {
    expect(
      redactQuery({
        limit: '5',
        fields: 'id',
        access_token: 'abc',
        filter: { email: { _eq: 'carol@acme.example' } },
        deep: { messages: { _filter: { body: { _contains: 'x' } } } },
      }),
    ).toEqual({ limit: '5', fields: 'id', access_token: REDACTED, filter: REDACTED, deep: REDACTED });
  });

  it('redacts an allow-listed parameter whose value is not plain text', () => {
    expect(redactQuery({ sort: { _eq: 'x' } })).toEqual({ sort: REDACTED });
  });

  it('answers an empty object for no query', () => {
    expect(redactQuery(undefined)).toEqual({});
    expect(redactQuery(null)).toEqual({});
  });
});

describe('redactHeaders', () => {
  it('redacts credential headers and keeps the others', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer abc',
        cookie: 'directus_session_token=abc',
        'x-api-key': 'gw_abc',
        'x-groundwork-signature': 'sig',
        'user-agent': 'jest',
        'x-request-id': 'r1',
      }),
    ).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'x-groundwork-signature': REDACTED,
      'user-agent': 'jest',
      'x-request-id': 'r1',
    });
  });
});

describe('loggableError', () => {
  it('keeps what went wrong and drops the addresses an SMTP refusal quotes', () => {
    const error = Object.assign(
      new Error("Can't send mail - all recipients were rejected: 450 4.2.0 <carol.o'neil+desk@acme.example.com>: busy"),
      { code: 'EENVELOPE' },
    );
    const logged = loggableError(error);
    expect(logged).toMatchObject({
      type: 'Error',
      code: 'EENVELOPE',
      message: `Can't send mail - all recipients were rejected: 450 4.2.0 <${REDACTED}>: busy`,
    });
    expect(JSON.stringify(logged)).not.toMatch(/carol|acme/);
  });

  it('turns a thrown non-error into text, addresses redacted', () => {
    expect(loggableError('no mailbox carol@acme.example')).toEqual({
      type: 'string',
      message: `no mailbox ${REDACTED}`,
    });
  });
});

describe('redactResponseHeaders', () => {
  it("redacts a redirect's query values and cookies, and keeps the rest", () => {
    expect(
      redactResponseHeaders({
        location: 'http://localhost:8055/admin/reset-password?token=eyJ.secret.sig',
        'set-cookie': ['directus_session_token=abc; HttpOnly'],
        'content-type': 'text/html',
      }),
    ).toEqual({
      location: `http://localhost:8055/admin/reset-password?token=${REDACTED}`,
      'set-cookie': REDACTED,
      'content-type': 'text/html',
    });
  });
});
