// What to answer a request Node's HTTP parser refuses before Directus sees it (a URL or headers over the 16 KiB
// limit, a malformed request line): the status Node's own default handler picks, but with Directus's error
// envelope as the body instead of an empty one, so clients parse one shape of error.

export interface ClientErrorAnswer {
  status: 400 | 408 | 413 | 431;
  /** Directus-style error code (shared/errors.ts names them for the adapter). */
  kind: 'headersTooLarge' | 'contentTooLarge' | 'requestTimeout' | 'badRequest';
  message: string;
}

/** Node's table (lib/_http_server.js socketOnError), by the parser's error code. */
export function clientErrorAnswer(nodeCode: unknown): ClientErrorAnswer {
  switch (nodeCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, kind: 'headersTooLarge', message: 'The URL or the request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, kind: 'contentTooLarge', message: 'The request body is too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, kind: 'requestTimeout', message: 'The request took too long to arrive' };
    default:
      return { status: 400, kind: 'badRequest', message: 'The request is not valid HTTP' };
  }
}

const REASON: Record<ClientErrorAnswer['status'], string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/** The whole HTTP/1.1 response, written straight to the socket (there is no request object to answer through). */
export function rawErrorResponse(answer: ClientErrorAnswer, code: string): string {
  const body = JSON.stringify({ errors: [{ message: answer.message, extensions: { code } }] });
  return [
    `HTTP/1.1 ${answer.status} ${REASON[answer.status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
