import { describe, expect, it } from '@jest/globals';
import { audienceNeeds, resolveAudience, type Person } from './audience.js';

const person = (id: string, role: string, organization: string | null = null, status = 'active'): Person => ({
  id,
  email: `${id}@example.com`,
  first_name: id,
  last_name: null,
  role,
  organization,
  status,
});

const AGENT = 'role-agent';
const MANAGER = 'role-manager';
const CUSTOMER = 'role-customer';
const people = [
  person('agent1', AGENT),
  person('agent2', AGENT),
  person('gone', AGENT, null, 'suspended'),
  person('boss', MANAGER),
  person('ava', CUSTOMER, 'acme'),
  person('ben', CUSTOMER, 'acme'),
  person('gina', CUSTOMER, 'globex'),
];
const message = { ticket: { requester: 'ava', assignee: { id: 'agent1' }, organization: 'acme' } };

describe('audienceNeeds', () => {
  it('names the users, roles and organizations to load, each once', () => {
    expect(
      audienceNeeds(
        [
          { field: 'ticket.requester' },
          { field: 'ticket.assignee' },
          { role: AGENT },
          { role: AGENT },
          { organization: 'ticket.organization' },
        ],
        message,
      ),
    ).toEqual({ users: ['ava', 'agent1'], roles: [AGENT], organizations: ['acme'] });
  });

  it('skips a field that is empty', () => {
    expect(audienceNeeds([{ field: 'ticket.reviewer' }], message).users).toEqual([]);
  });
});

describe('resolveAudience', () => {
  it('resolves a field to the user it holds (requester, assignee)', () => {
    const found = resolveAudience([{ field: 'ticket.requester' }], message, people, {
      actor: null,
      excludeActor: true,
    });
    expect(found.map((p) => p.id)).toEqual(['ava']);
  });

  it('resolves a role to its active members only', () => {
    const found = resolveAudience([{ role: AGENT }], message, people, { actor: null, excludeActor: true });
    expect(found.map((p) => p.id)).toEqual(['agent1', 'agent2']);
  });

  it('resolves organization members from the item', () => {
    const found = resolveAudience([{ organization: 'ticket.organization' }], message, people, {
      actor: null,
      excludeActor: true,
    });
    expect(found.map((p) => p.id)).toEqual(['ava', 'ben']);
  });

  it('leaves out the actor when the rule says so, and keeps them otherwise (a receipt to the requester)', () => {
    const specs = [{ role: AGENT }];
    expect(resolveAudience(specs, message, people, { actor: 'agent1', excludeActor: true }).map((p) => p.id)).toEqual([
      'agent2',
    ]);
    expect(resolveAudience(specs, message, people, { actor: 'agent1', excludeActor: false }).map((p) => p.id)).toEqual([
      'agent1',
      'agent2',
    ]);
  });

  it('names each recipient once even when two specs reach them', () => {
    const found = resolveAudience([{ field: 'ticket.assignee' }, { role: AGENT }], message, people, {
      actor: null,
      excludeActor: true,
    });
    expect(found.map((p) => p.id)).toEqual(['agent1', 'agent2']);
  });

  it('finds nobody for a user who is not active', () => {
    expect(resolveAudience([{ field: 'x' }], { x: 'gone' }, people, { actor: null, excludeActor: true })).toEqual([]);
  });
});
