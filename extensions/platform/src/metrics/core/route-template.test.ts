import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LITERALS, MAX_SEGMENTS, methodLabel, OTHER_ROUTE, routeTemplate, statusClass } from './route-template.js';

const UUID = '7f3c2d1e-9b8a-4c6d-8e7f-0a1b2c3d4e5f';

describe('routeTemplate', () => {
  it.each([
    [`/items/tickets/${UUID}`, '/items/:collection/:id'],
    ['/items/tickets', '/items/:collection'],
    ['/items/tickets?limit=25&sort=-date_created', '/items/:collection'],
    ['/items/ticket_messages/42', '/items/:collection/:id'],
    ['/users/me', '/users/me'],
    [`/users/${UUID}`, '/users/:id'],
    ['/users/me/export', '/users/me/export'],
    ['/auth/login', '/auth/login'],
    ['/auth/login/github', '/auth/login/:provider'],
    ['/auth/password/request', '/auth/password/request'],
    [`/assets/${UUID}`, '/assets/:id'],
    ['/fields/tickets/status', '/fields/:collection/:field'],
    ['/server/ping', '/server/ping'],
    ['/graphql', '/graphql'],
    ['/groundwork/v1/health/ready', '/groundwork/v1/health/ready'],
    ['/groundwork/v1/metrics', '/groundwork/v1/metrics'],
    [`/groundwork/v1/jobs/${UUID}/retry`, '/groundwork/v1/jobs/:id/retry'],
    [`/groundwork/v1/workflows/tickets/${UUID}/transitions`, '/groundwork/v1/workflows/:collection/:id/transitions'],
    [`/groundwork/v1/users/${UUID}/erasure`, '/groundwork/v1/users/:id/erasure'],
    ['/admin/content/tickets', '/admin/*'],
    ['/', '/'],
    ['', '/'],
    ['/wp-login.php', OTHER_ROUTE],
    [`/${UUID}`, OTHER_ROUTE],
    ['/ITEMS/Tickets', '/items/:collection'],
    ['/items/%E0%A4%A', '/items/:collection'],
    ['//items//tickets/', '/items/:collection'],
  ])('%s -> %s', (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });

  it('caps the depth', () => {
    expect(routeTemplate('/items/a/b/c/d/e/f/g/h')).toBe('/items/:collection/:id/:id/:id/:id/*');
  });

  it('never lets a segment of the path through unless it is a known word (bounded cardinality)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 10 }), (parts) => {
        const template = routeTemplate(`/items/${parts.map(encodeURIComponent).join('/')}`);
        const segments = template.split('/').filter(Boolean);
        expect(segments.length).toBeLessThanOrEqual(MAX_SEGMENTS + 1);
        for (const segment of segments.slice(1))
          expect(LITERALS.has(segment) || segment === '*' || /^:[a-z]+$/.test(segment)).toBe(true);
      }),
    );
  });
});

describe('labels', () => {
  it('keeps standard methods and folds the rest', () => {
    expect(methodLabel('get')).toBe('GET');
    expect(methodLabel('SEARCH')).toBe('SEARCH');
    expect(methodLabel('BREW')).toBe('OTHER');
  });

  it('gives status classes', () => {
    expect(statusClass(200)).toBe('2xx');
    expect(statusClass(404)).toBe('4xx');
    expect(statusClass(503)).toBe('5xx');
    expect(statusClass(101)).toBe('1xx');
    expect(statusClass(0)).toBe('other');
    expect(statusClass(999)).toBe('other');
  });
});
