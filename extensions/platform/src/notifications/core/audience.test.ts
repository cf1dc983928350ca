import { describe, expect, it } from '@jest/globals';
import { audienceNeeds, audienceTarget, mergeNeeds, resolveAudience, type Person } from './audience.js';

const person = (id: string, role: string, status = 'active'): Person => ({
  id,
  email: `${id}@example.com`,
  first_name: id,
  last_name: null,
  role,
  status,
});

const AGENT = 'role-agent';
const MANAGER = 'role-manager';
const CUSTOMER = 'role-customer';
const people = [
  person('agent1', AGENT),
  person('agent2', AGENT),
  person('gone', AGENT, 'suspended'),
  person('boss', MANAGER),
  person('ava', CUSTOMER),
  person('ben', CUSTOMER),
  person('gina', CUSTOMER),
  person('left', CUSTOMER, 'suspended'),
];
// What the domain's `organization` group resolved to (the adapter asks the registered resolver).
const members = { organization: { acme: ['ava', 'ben', 'left'], globex: ['gina'] } };
const directory = { people, members };
const message = { ticket: { requester: 'ava', assignee: { id: 'agent1' }, organization: 'acme' } };

describe('audienceNeeds', () => {
  it('names the users, roles and group values to load, each once', () => {
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
    ).toEqual({ users: ['ava', 'agent1'], roles: [AGENT], groups: { organization: ['acme'] } });
  });

  it('merges the needs of several rules, each value once per group', () => {
    const into = audienceNeeds([{ organization: 'ticket.organization' }, { role: AGENT }], message);
    mergeNeeds(
      into,
      audienceNeeds([{ organization: 'org' }, { team: 'team' }, { field: 'requester' }], {
        org: 'globex',
        team: 7,
        requester: 'ava',
      }),
    );
    mergeNeeds(into, audienceNeeds([{ organization: 'ticket.organization' }], message));
    expect(into).toEqual({
      users: ['ava'],
      roles: [AGENT],
      groups: { organization: ['acme', 'globex'], team: ['7'] },
    });
  });

  it('reads a spec that is not exactly one text value as reaching nobody (a broken rule never widens)', () => {
    expect(audienceTarget({ field: 'a', role: 'b' })).toBeNull();
    expect(audienceTarget({})).toBeNull();
    expect(audienceTarget({ role: '' })).toBeNull();
    expect(audienceTarget({ role: 3 } as unknown as Record<string, string>)).toBeNull();
    expect(audienceTarget(null as unknown as Record<string, string>)).toBeNull();
    expect(audienceNeeds([{ field: 'a', role: 'b' }], message)).toEqual({ users: [], roles: [], groups: {} });
    expect(
      resolveAudience([{ field: 'a', role: AGENT }], message, directory, { actor: null, excludeActor: true }),
    ).toEqual([]);
  });

  it('skips a field that is empty', () => {
    expect(audienceNeeds([{ field: 'ticket.reviewer' }], message).users).toEqual([]);
  });
});

describe('resolveAudience', () => {
  it('resolves a field to the user it holds (requester, assignee)', () => {
    const found = resolveAudience([{ field: 'ticket.requester' }], message, directory, {
      actor: null,
      excludeActor: true,
    });
    expect(found.map((p) => p.id)).toEqual(['ava']);
  });

  it('resolves a role to its active members only', () => {
    const found = resolveAudience([{ role: AGENT }], message, directory, { actor: null, excludeActor: true });
    expect(found.map((p) => p.id)).toEqual(['agent1', 'agent2']);
  });

  it('resolves a group (the organization) from the value at the path, active members only', () => {
    const found = resolveAudience([{ organization: 'ticket.organization' }], message, directory, {
      actor: null,
      excludeActor: true,
    });
    expect(found.map((p) => p.id)).toEqual(['ava', 'ben']);
  });

  it('finds nobody for a group value without members, a group nobody resolved, or an empty path', () => {
    const none = { actor: null, excludeActor: true };
    expect(resolveAudience([{ organization: 'org' }], { org: 'initech' }, directory, none)).toEqual([]);
    expect(resolveAudience([{ team: 'ticket.organization' }], message, directory, none)).toEqual([]);
    expect(resolveAudience([{ organization: 'ticket.missing' }], message, directory, none)).toEqual([]);
  });

  it('leaves out the actor when the rule says so, and keeps them otherwise (a receipt to the requester)', () => {
    const specs = [{ role: AGENT }];
    expect(
      resolveAudience(specs, message, directory, { actor: 'agent1', excludeActor: true }).map((p) => p.id),
    ).toEqual(['agent2']);
    expect(
      resolveAudience(specs, message, directory, { actor: 'agent1', excludeActor: false }).map((p) => p.id),
    ).toEqual(['agent1', 'agent2']);
  });

  it('names each recipient once even when two specs reach them', () => {
    const found = resolveAudience([{ field: 'ticket.assignee' }, { role: AGENT }], message, directory, {
      actor: null,
      excludeActor: true,
    });
    expect(found.map((p) => p.id)).toEqual(['agent1', 'agent2']);
  });

  it('finds nobody for a user who is not active', () => {
    expect(resolveAudience([{ field: 'x' }], { x: 'gone' }, directory, { actor: null, excludeActor: true })).toEqual(
      [],
    );
  });
});
