// Version auth: public registration into the Customer role with email verification, the password policy and the
// login-attempts limit (decision 0008), what each role may change on its own user (BE-301), and the staff's shared
// ticket and article lists. Self-contained: it touches only settings, presets and directus_users permissions.
import { POLICY, ROLE } from '../service-desk/access.js';
import type { VersionAuthor } from './types.js';

/** 12 to 128 characters, at least one letter and at least one character that is not a letter (decision 0008). */
export const PASSWORD_POLICY = '/^(?=.*[A-Za-z])(?=.*[^A-Za-z]).{12,128}$/';
export const LOGIN_ATTEMPTS = 10;

/** What anyone may change on themself through PATCH /users/me: names and display preferences. */
export const SELF_FIELDS = [
  'first_name',
  'last_name',
  'language',
  'appearance',
  'theme_light',
  'theme_dark',
  'text_direction',
  'email_notifications',
];
/**
 * Staff also keep a public profile (avatar, title, location) and set up TOTP: Directus's /users/me/tfa/enable
 * writes tfa_secret with the caller's permissions, so the field must be writable for 2FA to be available.
 */
export const STAFF_SELF_FIELDS = [...SELF_FIELDS, 'avatar', 'title', 'location', 'tfa_secret'];

export const settings = {
  project_name: 'Groundwork Service Desk',
  project_descriptor: 'Service desk',
  public_registration: true,
  public_registration_role: ROLE.customer,
  public_registration_verify_email: true,
  auth_password_policy: PASSWORD_POLICY,
  auth_login_attempts: LOGIN_ATTEMPTS,
};

const OPEN = { status: { _nin: ['solved', 'closed'] } };
const TICKET_FIELDS = ['number', 'subject', 'status', 'priority', 'organization', 'assignee', 'resolution_due_at'];
const ticketList = (sort: string[]) => ({
  layout: 'tabular',
  layout_query: { tabular: { fields: TICKET_FIELDS, sort, page: 1 } },
  layout_options: { tabular: { widths: {} } },
});

export const OPEN_BY_DUE = 'Open tickets by due time';

/** Shared lists: the default tickets view and bookmarks for Agent and Manager, article review for the KB roles. */
export function presets() {
  const staff = [ROLE.agent, ROLE.manager];
  const tickets = staff.flatMap((role) => [
    // bookmark null: the list a role opens by default.
    { role, collection: 'tickets', bookmark: null, filter: OPEN, ...ticketList(['resolution_due_at']) },
    {
      role,
      collection: 'tickets',
      bookmark: OPEN_BY_DUE,
      icon: 'schedule',
      color: '#E35169',
      filter: OPEN,
      ...ticketList(['resolution_due_at']),
    },
    {
      role,
      collection: 'tickets',
      bookmark: 'My open tickets',
      icon: 'person',
      filter: { _and: [OPEN, { assignee: { _eq: '$CURRENT_USER' } }] },
      ...ticketList(['resolution_due_at']),
    },
    {
      role,
      collection: 'tickets',
      bookmark: 'Unassigned',
      icon: 'inbox',
      filter: { _and: [OPEN, { assignee: { _null: true } }] },
      ...ticketList(['resolution_due_at']),
    },
    {
      role,
      collection: 'tickets',
      bookmark: 'Past resolution due',
      icon: 'alarm',
      color: '#E35169',
      filter: { _and: [OPEN, { resolution_due_at: { _lt: '$NOW' } }] },
      ...ticketList(['resolution_due_at']),
    },
  ]);
  const articles = [ROLE.contentEditor, ROLE.manager].map((role) => ({
    role,
    collection: 'kb_articles',
    bookmark: 'In review',
    icon: 'rate_review',
    filter: { status: { _eq: 'in_review' } },
    layout: 'tabular',
    layout_query: { tabular: { fields: ['title', 'category', 'author', 'date_updated'], sort: ['-date_updated'] } },
  }));
  return [...tickets, ...articles];
}

export const selfPermissions = [
  ...[POLICY.manager, POLICY.agent, POLICY.contentEditor].map((policy) => ({ policy, fields: STAFF_SELF_FIELDS })),
  { policy: POLICY.customer, fields: SELF_FIELDS },
].map(({ policy, fields }) => ({
  policy,
  collection: 'directus_users',
  action: 'update' as const,
  fields,
  permissions: { id: { _eq: '$CURRENT_USER' } },
}));

export const version: VersionAuthor = {
  name: 'auth',
  async author(send, log) {
    await send('PATCH', '/settings', settings);
    log('settings: registration into Customer with verification, password policy, login attempts');
    const all = presets();
    for (const preset of all) await send('POST', '/presets', { ...preset, user: null });
    log(`${all.length} shared presets`);
    await send('POST', '/permissions', selfPermissions);
    // Customers have no app access, so Directus's minimal app permissions do not let them read their own
    // preferences: widen their read of themself (filtered to $CURRENT_USER since service-desk) to those fields.
    const [read] = (await send(
      'GET',
      `/permissions?filter[policy][_eq]=${POLICY.customer}&filter[collection][_eq]=directus_users&filter[action][_eq]=read`,
    )) as Array<{ id: number; fields: string[] }>;
    if (!read) throw new Error('the Customer policy has no read permission on directus_users (version service-desk)');
    await send('PATCH', `/permissions/${read.id}`, { fields: [...new Set([...read.fields, ...SELF_FIELDS])] });
    log(`${selfPermissions.length} self-service permissions on directus_users; customers read their preferences`);
  },
};
