// The platform's outbound HTTP client, configured from Directus's env: IMPORT_IP_DENY_LIST (Directus's default when
// unset) and our GROUNDWORK_HTTP_* limits. Capabilities that call out (webhooks) take it from here.
import os from 'node:os';
import type { PlatformEnv } from '../shared/env.js';
import { buildDenyList, denyListEntries, type InterfaceAddress } from './core/deny-list.js';
import { createHttpClient, type HttpClient } from './request.js';

export { OutboundRequestError, type HttpClient, type OutboundResponse } from './request.js';

function interfaceAddresses(): InterfaceAddress[] {
  return Object.values(os.networkInterfaces()).flatMap((infos) =>
    (infos ?? []).map((info) => ({ address: info.address, cidr: info.cidr, internal: info.internal })),
  );
}

export function platformHttpClient(env: Record<string, unknown>, config: PlatformEnv): HttpClient {
  return createHttpClient({
    denyList: buildDenyList(denyListEntries(env.IMPORT_IP_DENY_LIST), interfaceAddresses()),
    connectTimeoutMs: config.GROUNDWORK_HTTP_CONNECT_TIMEOUT_MS,
    totalTimeoutMs: config.GROUNDWORK_HTTP_TIMEOUT_MS,
    maxResponseBytes: config.GROUNDWORK_HTTP_MAX_RESPONSE_BYTES,
  });
}
