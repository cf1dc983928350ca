import { describe, expect, it } from '@jest/globals';
import { clientErrorAnswer, rawErrorResponse } from './client-error.js';

describe('clientErrorAnswer', () => {
  it("keeps Node's status for each parser error", () => {
    expect(clientErrorAnswer('HPE_HEADER_OVERFLOW').status).toBe(431);
    expect(clientErrorAnswer('HPE_CHUNK_EXTENSIONS_OVERFLOW').status).toBe(413);
    expect(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
    expect(clientErrorAnswer('HPE_INVALID_METHOD').status).toBe(400);
    expect(clientErrorAnswer(undefined).status).toBe(400);
  });
});

describe('rawErrorResponse', () => {
  it('is a complete HTTP response whose body is the error envelope', () => {
    const raw = rawErrorResponse(clientErrorAnswer('HPE_HEADER_OVERFLOW'), 'HEADERS_TOO_LARGE');
    const [head, body] = raw.split('\r\n\r\n');
    expect(head!.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(head).toContain('Connection: close');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toEqual({
      errors: [{ message: 'The URL or the request headers are too large', extensions: { code: 'HEADERS_TOO_LARGE' } }],
    });
  });
});
