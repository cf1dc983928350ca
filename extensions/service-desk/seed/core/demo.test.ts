import { describe, expect, it } from '@jest/globals';
import { buildDemo, DEMO_ARTICLES, DEMO_TICKETS, demoAnchor, demoLogins, STATUS_WEIGHTS } from './demo.js';

describe('buildDemo', () => {
  const data = buildDemo();

  it('is deterministic: the same seed gives the same rows, another seed other rows', () => {
    expect(buildDemo()).toEqual(data);
    expect(buildDemo(1).tickets).not.toEqual(data.tickets);
    expect(buildDemo(1).organizations).toEqual(data.organizations);
  });

  it('dates everything relative to the day it is built: the same seed and day give the same rows', () => {
    const day = Date.parse('2031-03-15T00:00:00Z');
    expect(demoAnchor(day + 13 * 3600 * 1000)).toBe(day);
    expect(demoAnchor(day)).toBe(day);
    const then = buildDemo(undefined, day);
    expect(buildDemo(undefined, day)).toEqual(then);
    expect(then.messages.length).toBe(data.messages.length);
    const stamps = [
      ...then.tickets.flatMap((ticket) => [
        ticket.date_created,
        ticket.date_updated,
        ticket.first_responded_at,
        ticket.solved_at,
        ticket.closed_at,
      ]),
      ...then.messages.map((message) => message.date_created),
      ...then.articles.map((article) => article.date_created),
    ].filter((stamp): stamp is string => stamp !== null);
    expect(stamps.every((stamp) => Date.parse(stamp) < day)).toBe(true);
    const daysOld = (stamp: string) => (day - Date.parse(stamp)) / (24 * 3600 * 1000);
    const open = then.tickets.filter((ticket) => !['solved', 'closed'].includes(ticket.status));
    expect(open.length).toBeGreaterThan(50);
    expect(open.every((ticket) => daysOld(ticket.date_created) <= 7)).toBe(true);
    // Some open tickets are past their resolution time, most are not: the demo's SLA views have something in each.
    const overdue = open.filter((ticket) => Date.parse(ticket.resolution_due_at) < day).length;
    expect(overdue).toBeGreaterThan(0);
    expect(overdue).toBeLessThan(open.length);
  });

  it('has the documented counts', () => {
    expect(data.organizations).toHaveLength(3);
    expect(data.users).toHaveLength(11);
    const roles = data.users.map((user) => user.role);
    expect(roles.filter((role) => role === 'agent')).toHaveLength(2);
    expect(roles.filter((role) => role === 'customer')).toHaveLength(6);
    for (const role of ['manager', 'contentEditor', 'integration']) expect(roles).toContain(role);
    expect(data.tickets).toHaveLength(DEMO_TICKETS);
    expect(data.articles).toHaveLength(DEMO_ARTICLES);
    expect(new Set(data.articles.map((article) => article.category)).size).toBe(5);
    expect(new Set(data.articles.map((article) => article.status)).size).toBeGreaterThanOrEqual(3);
  });

  it('gives every ticket 1-4 messages, some internal, none internal from a customer', () => {
    const perTicket = new Map<string, number>();
    for (const message of data.messages) perTicket.set(message.ticket, (perTicket.get(message.ticket) ?? 0) + 1);
    expect(perTicket.size).toBe(DEMO_TICKETS);
    for (const count of perTicket.values()) expect(count >= 1 && count <= 4).toBe(true);
    const internal = data.messages.filter((message) => message.internal);
    expect(internal.length).toBeGreaterThan(5);
    const customers = new Set(data.users.filter((user) => user.role === 'customer').map((user) => user.id));
    for (const message of internal) expect(customers.has(message.author)).toBe(false);
  });

  it('spreads statuses, priorities, channels and organizations, with consistent people and dates', () => {
    for (const field of ['status', 'priority', 'channel', 'organization'] as const) {
      expect(new Set(data.tickets.map((ticket) => ticket[field])).size).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(data.tickets.map((ticket) => ticket.status))).toEqual(new Set(Object.keys(STATUS_WEIGHTS)));
    for (const ticket of data.tickets) {
      const requester = data.users.find((user) => user.id === ticket.requester)!;
      expect(requester.organization).toBe(ticket.organization);
      expect(ticket.assignee === null).toBe(ticket.status === 'new');
      expect(ticket.first_response_due_at > ticket.date_created).toBe(true);
      if (ticket.status === 'closed') expect(ticket.closed_at! > ticket.solved_at!).toBe(true);
    }
  });

  it('attaches files to some public messages and some internal notes, deterministically', () => {
    const messages = new Map(data.messages.map((message) => [message.id, message]));
    expect(data.attachments.length).toBeGreaterThan(40);
    const attached = data.attachments.map((attachment) => messages.get(attachment.message)!);
    expect(attached.every(Boolean)).toBe(true);
    expect(attached.some((message) => message.internal)).toBe(true);
    expect(attached.filter((message) => !message.internal).length).toBeGreaterThan(30);
    expect(new Set(data.attachments.map((attachment) => attachment.id)).size).toBe(data.attachments.length);
    for (const attachment of data.attachments) {
      expect(attachment.filename_disk.startsWith(attachment.id)).toBe(true);
      expect(attachment.uploaded_by).toBe(messages.get(attachment.message)!.author);
    }
    expect(new Set(data.attachments.map((attachment) => attachment.type)).size).toBe(3);
  });

  it('lists unique logins, staff on groundwork.example.com and customers on their organization domain', () => {
    const logins = demoLogins(data);
    expect(new Set(logins.map((login) => login.email)).size).toBe(logins.length);
    expect(logins).toContainEqual({ email: 'agent@groundwork.example.com', role: 'agent', organization: null });
    for (const user of data.users.filter((candidate) => candidate.role === 'customer')) {
      const org = data.organizations.find((candidate) => candidate.id === user.organization)!;
      expect(user.email.endsWith(`@${org.domain}`)).toBe(true);
    }
  });
});
