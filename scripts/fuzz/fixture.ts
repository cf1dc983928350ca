// The accounts and rows the fuzz runs against, made over HTTP as the admin on any running Directus of ours (the
// script's own instance, or the integration tests' main one). Each role has a main account, which every request
// uses, and a spare, which alone receives changes to "me" (deactivate, erase, PATCH /users/me); spare ids are
// among the ids the fuzz aims at, main ids never are. A spare that a request may have spoilt is replaced.
import { randomBytes } from 'node:crypto';
import { POLICY, ROLE } from '../../extensions/service-desk/spec/service-desk/access.js';
import type { Role } from './core/requests.js';

export interface Account {
  id: string;
  token: string;
}

export interface FuzzFixture {
  baseUrl: string;
  adminToken: string;
  /** Null for `public`: no token. */
  main: Record<Role, Account | null>;
  spare: Record<Role, Account | null>;
  /** Fixture rows and spare accounts: ids worth hitting. */
  knownIds: string[];
  /** Makes a new account in place of one a request may have deactivated, erased or signed out. */
  replace(role: Role, which: 'main' | 'spare'): Promise<void>;
}

async function call<T>(baseUrl: string, token: string | null, method: string, route: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`fuzz fixture: ${method} ${route} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { data: T }).data;
}

export async function passwordLogin(baseUrl: string, email: string, password: string): Promise<string> {
  const data = await call<{ access_token: string }>(baseUrl, null, 'POST', '/auth/login', { email, password });
  return data.access_token;
}

export async function createFuzzFixture(
  baseUrl: string,
  admin: { email: string; password: string },
  label = 'fuzz',
): Promise<FuzzFixture> {
  const run = `${label}-${randomBytes(3).toString('hex')}`;
  const adminToken = await passwordLogin(baseUrl, admin.email, admin.password);
  const asAdmin = <T>(method: string, route: string, body?: unknown) =>
    call<T>(baseUrl, adminToken, method, route, body);
  const adminRole = (await asAdmin<{ role: string }>('GET', '/users/me?fields=role')).role;
  const org = await asAdmin<{ id: string }>('POST', '/items/organizations', {
    name: `Org ${run}`,
    domain: `${run}.example.com`,
  });
  const roleIds: Record<Exclude<Role, 'public'>, string> = {
    admin: adminRole,
    manager: ROLE.manager,
    agent: ROLE.agent,
    contentEditor: ROLE.contentEditor,
    customer: ROLE.customer,
    integration: ROLE.integration,
  };

  let count = 0;
  /**
   * A new account of the role and how it signs in: a password login, or for the integration an API key on the
   * Integration policy (decision 0020), whose service user is the account.
   */
  async function signIn(role: Role): Promise<Account | null> {
    if (role === 'public') return null;
    count += 1;
    if (role === 'integration') {
      const minted = await asAdmin<{ user: string; key: string }>('POST', '/groundwork/v1/api-keys', {
        name: `fuzz ${count} ${run}`,
        policy: POLICY.integration,
      });
      return { id: minted.user, token: minted.key };
    }
    const email = `${role.toLowerCase()}-${count}-${run}@${run}.example.com`;
    const password = randomBytes(16).toString('hex');
    const user = await asAdmin<{ id: string }>('POST', '/users', {
      email,
      role: roleIds[role],
      organization: role === 'customer' ? org.id : null,
      password,
    });
    return { id: user.id, token: await passwordLogin(baseUrl, email, password) };
  }

  const roles: Role[] = ['admin', 'manager', 'agent', 'contentEditor', 'customer', 'integration', 'public'];
  const main = {} as FuzzFixture['main'];
  const spare = {} as FuzzFixture['spare'];
  for (const role of roles) {
    main[role] =
      role === 'admin'
        ? { id: (await asAdmin<{ id: string }>('GET', '/users/me?fields=id')).id, token: adminToken }
        : await signIn(role);
    spare[role] = await signIn(role);
  }
  const ticket = await asAdmin<{ id: string }>('POST', '/items/tickets', {
    subject: `Fuzz ticket ${run}`,
    organization: org.id,
    requester: main.customer!.id,
  });
  const article = await asAdmin<{ id: string }>('POST', '/items/kb_articles', {
    title: `Fuzz article ${run}`,
    slug: `fuzz-${run}`,
  });
  const knownIds = [org.id, ticket.id, article.id, ...roles.flatMap((role) => (spare[role] ? [spare[role]!.id] : []))];

  return {
    baseUrl,
    adminToken,
    main,
    spare,
    knownIds,
    async replace(role, which) {
      const fresh = await signIn(role);
      if (which === 'main') main[role] = fresh;
      else spare[role] = fresh;
    },
  };
}
