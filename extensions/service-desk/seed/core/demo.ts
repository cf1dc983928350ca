// The service-desk demo data set, built in memory from a seed: organizations, people for every role, tickets with
// messages, a knowledge base. Pure (no database): extensions/service-desk/seed/database.ts writes it. Demo only: every login
// shares DEMO_PASSWORD, which is printed by `npm run seed` and in the README.
import { ROLE } from '../../spec/service-desk/access.js';
import { seededRandom, stableUuid, type Random } from './random.js';

export const DEMO_PASSWORD = 'groundwork-demo';
export const DEMO_SEED = 20260601;
const DAY = 24 * 60 * 60 * 1000;

/**
 * Demo timestamps lie in the 120 days before the anchor: the start (00:00 UTC) of the day the demo is built. So the
 * demo looks current whenever it is written (open tickets are days old, some overdue, most not), and the same seed on
 * the same day gives the same rows.
 */
export function demoAnchor(now: number = Date.now()): number {
  return Math.floor(now / DAY) * DAY;
}
export const DEMO_TICKETS = 200;
export const DEMO_ARTICLES = 30;
// Reserved example.com subdomains: Directus's login validates emails against the list of real top-level domains,
// so a bare .example address could not log in.
export const STAFF_DOMAIN = 'groundwork.example.com';

export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketStatus = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type Channel = 'portal' | 'email' | 'phone' | 'chat' | 'api';
export type RoleKey = keyof typeof ROLE;

/** How the demo spreads tickets (also used for the bulk tickets). */
export const STATUS_WEIGHTS: Record<TicketStatus, number> = {
  new: 10,
  open: 20,
  pending: 12,
  on_hold: 5,
  solved: 23,
  closed: 30,
};
export const PRIORITY_WEIGHTS: Record<Priority, number> = { low: 25, normal: 50, high: 18, urgent: 7 };
export const CHANNEL_WEIGHTS: Record<Channel, number> = { portal: 35, email: 35, chat: 15, phone: 10, api: 5 };

export interface SlaPolicy {
  name: string;
  first_response: Record<Priority, number>;
  resolution: Record<Priority, number>;
}
export interface Organization {
  id: string;
  name: string;
  domain: string;
  tier: 'standard' | 'business' | 'enterprise';
  sla_policy: string;
  date_created: string;
}
export interface DemoUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  title: string | null;
  role: RoleKey;
  organization: string | null;
}
export interface Ticket {
  id: string;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: Priority;
  channel: Channel;
  organization: string;
  requester: string;
  assignee: string | null;
  tags: string[];
  first_response_due_at: string;
  resolution_due_at: string;
  first_responded_at: string | null;
  solved_at: string | null;
  closed_at: string | null;
  satisfaction: number | null;
  date_created: string;
  date_updated: string;
}
export interface Message {
  id: string;
  ticket: string;
  author: string;
  body: string;
  internal: boolean;
  date_created: string;
}
export interface Category {
  name: string;
  slug: string;
  sort: number;
}
export interface Article {
  id: string;
  title: string;
  slug: string;
  status: 'draft' | 'in_review' | 'published' | 'archived';
  category: string;
  summary: string;
  body: string;
  tags: string[];
  author: string;
  reviewer: string | null;
  published_at: string | null;
  date_created: string;
}
/** A file attached to a demo message: a directus_files row plus the bytes written to the storage location. */
export interface Attachment {
  id: string;
  message: string;
  filename_disk: string;
  filename_download: string;
  title: string;
  type: 'text/plain' | 'text/csv' | 'application/json';
  content: string;
  uploaded_by: string;
  uploaded_on: string;
}
export interface DemoData {
  slaPolicies: SlaPolicy[];
  tags: Array<{ name: string; color: string }>;
  organizations: Organization[];
  users: DemoUser[];
  tickets: Ticket[];
  messages: Message[];
  attachments: Attachment[];
  categories: Category[];
  articles: Article[];
}

/**
 * Demo only: the id of the Integration account's API key (README "Demo data"). Every seed replaces that one key
 * with a new one and prints it (the key is stored hashed, so it cannot be printed again); never in a snapshot.
 */
export const DEMO_INTEGRATION_KEY_ID = '0b6c3f0e-5d7a-4c52-9a43-6d1f2e8b7a10';
/** The static token earlier seeds set on the Integration account: cleared, static tokens are for admins only. */
export const LEGACY_DEMO_INTEGRATION_TOKEN = 'groundwork-demo-integration-token';
/** Every ATTACH_EVERY-th demo message carries a file (public replies and internal notes alike). */
export const ATTACH_EVERY = 8;

const ATTACHMENT_KINDS = [
  { extension: 'txt', type: 'text/plain', title: 'Error log' },
  { extension: 'csv', type: 'text/csv', title: 'Export sample' },
  { extension: 'json', type: 'application/json', title: 'Request payload' },
] as const;

function attachmentFor(message: Message, index: number, ticket: Ticket): Attachment {
  const kind = ATTACHMENT_KINDS[index % ATTACHMENT_KINDS.length]!;
  const id = stableUuid(`attachment:${message.id}`);
  const stamp = message.date_created;
  const content =
    kind.type === 'text/plain'
      ? `${stamp} ERROR ${ticket.subject}\n${stamp} INFO retrying (attempt 2 of 3)\n`
      : kind.type === 'text/csv'
        ? `ticket,subject,created\n${ticket.id},"${ticket.subject.replace(/"/g, '""')}",${ticket.date_created}\n`
        : `${JSON.stringify({ ticket: ticket.id, subject: ticket.subject, at: stamp }, null, 2)}\n`;
  return {
    id,
    message: message.id,
    filename_disk: `${id}.${kind.extension}`,
    filename_download: `${kind.title.toLowerCase().replace(/ /g, '-')}.${kind.extension}`,
    title: kind.title,
    type: kind.type,
    content,
    uploaded_by: message.author,
    uploaded_on: stamp,
  };
}

const policy = (name: string, factor: number): SlaPolicy => ({
  name,
  first_response: { low: 1440 * factor, normal: 480 * factor, high: 120 * factor, urgent: 30 * factor },
  resolution: { low: 10080 * factor, normal: 4320 * factor, high: 1440 * factor, urgent: 480 * factor },
});
const SLA: SlaPolicy[] = [policy('Enterprise', 0.5), policy('Business', 1), policy('Standard', 2)];

const TAGS = [
  { name: 'billing', color: '#2ECDA7' },
  { name: 'login', color: '#3399FF' },
  { name: 'bug', color: '#E35169' },
  { name: 'feature-request', color: '#A2B5CD' },
  { name: 'integration', color: '#8866FF' },
  { name: 'performance', color: '#FFA439' },
  { name: 'onboarding', color: '#6644FF' },
  { name: 'security', color: '#D14545' },
];

const ORGS = [
  {
    key: 'acme',
    name: 'Acme Corporation',
    domain: 'acme.example.com',
    tier: 'enterprise',
    sla: 'Enterprise',
    weight: 45,
  },
  {
    key: 'globex',
    name: 'Globex Industries',
    domain: 'globex.example.com',
    tier: 'business',
    sla: 'Business',
    weight: 35,
  },
  { key: 'initech', name: 'Initech', domain: 'initech.example.com', tier: 'standard', sla: 'Standard', weight: 20 },
] as const;

const STAFF: Array<Omit<DemoUser, 'id' | 'organization'>> = [
  {
    email: `manager@${STAFF_DOMAIN}`,
    first_name: 'Maria',
    last_name: 'Manager',
    title: 'Support Manager',
    role: 'manager',
  },
  { email: `agent@${STAFF_DOMAIN}`, first_name: 'Alex', last_name: 'Agent', title: 'Support Agent', role: 'agent' },
  { email: `agent2@${STAFF_DOMAIN}`, first_name: 'Sam', last_name: 'Agent', title: 'Support Agent', role: 'agent' },
  {
    email: `editor@${STAFF_DOMAIN}`,
    first_name: 'Erin',
    last_name: 'Editor',
    title: 'Content Editor',
    role: 'contentEditor',
  },
  {
    email: `integration@${STAFF_DOMAIN}`,
    first_name: 'API',
    last_name: 'Integration',
    title: null,
    role: 'integration',
  },
];
const CUSTOMERS: Record<(typeof ORGS)[number]['key'], Array<[string, string]>> = {
  acme: [
    ['Ava', 'Adams'],
    ['Ben', 'Baker'],
  ],
  globex: [
    ['Gina', 'Gray'],
    ['Hank', 'Hill'],
  ],
  initech: [
    ['Peter', 'Gibbons'],
    ['Joanna', 'Smith'],
  ],
};

const SUBJECTS: Array<{ subject: string; tags: string[] }> = [
  { subject: 'Cannot log in after password reset', tags: ['login'] },
  { subject: 'Invoice shows the wrong VAT number', tags: ['billing'] },
  { subject: 'Export to CSV times out', tags: ['performance', 'bug'] },
  { subject: 'Two-factor codes are rejected', tags: ['login', 'security'] },
  { subject: 'Webhook deliveries fail with 401', tags: ['integration', 'bug'] },
  { subject: 'Please add a dark mode', tags: ['feature-request'] },
  { subject: 'Dashboard loads slowly in the morning', tags: ['performance'] },
  { subject: 'How do I invite a colleague?', tags: ['onboarding'] },
  { subject: 'Charged twice this month', tags: ['billing'] },
  { subject: 'API returns 429 for small batches', tags: ['integration', 'performance'] },
  { subject: 'Suspicious login from an unknown country', tags: ['security'] },
  { subject: 'Attachment upload fails for PDF files', tags: ['bug'] },
  { subject: 'Request: SSO with our identity provider', tags: ['feature-request', 'security'] },
  { subject: 'Setting up the Slack integration', tags: ['integration', 'onboarding'] },
  { subject: 'Report totals do not match the invoice', tags: ['billing', 'bug'] },
  { subject: 'Password reset email never arrives', tags: ['login'] },
];
const AGENT_REPLIES = [
  'Thanks for reaching out. Could you tell us when this started and which browser you use?',
  'We have reproduced the issue and passed it to engineering. We will update you here.',
  'A fix has been deployed. Could you check whether it works for you now?',
  'I have updated your account settings; please try again and let us know.',
  'This is expected behaviour for your plan; here is how to change it in the settings.',
];
const CUSTOMER_REPLIES = [
  'It started yesterday, in Chrome and Firefox alike.',
  'Thank you, it works now.',
  'Still happening for two of my colleagues.',
  'Any news on this? It is blocking our team.',
];
const INTERNAL_NOTES = [
  'Internal: looks like the same root cause as last week; linked to the engineering issue.',
  'Internal: customer is on an old plan, check with billing before promising a refund.',
  'Internal: escalated to tier 2, waiting for logs.',
];

const CATEGORIES: Array<{ name: string; slug: string; titles: string[] }> = [
  {
    name: 'Getting started',
    slug: 'getting-started',
    titles: [
      'Create your account',
      'Invite your team',
      'Your first ticket',
      'Tour of the portal',
      'Notification settings',
      'Mobile access',
    ],
  },
  {
    name: 'Accounts and billing',
    slug: 'accounts-and-billing',
    titles: [
      'Reading your invoice',
      'Change your plan',
      'Update payment details',
      'VAT and tax IDs',
      'Refund policy',
      'Close your account',
    ],
  },
  {
    name: 'Tickets and SLAs',
    slug: 'tickets-and-slas',
    titles: [
      'Ticket statuses explained',
      'Priorities and response times',
      'Rating a resolved ticket',
      'Reopen a closed ticket',
      'Adding attachments',
      'Email replies to tickets',
    ],
  },
  {
    name: 'Integrations',
    slug: 'integrations',
    titles: ['API tokens', 'Webhooks', 'Rate limits', 'Slack integration', 'Single sign-on', 'Importing tickets'],
  },
  {
    name: 'Troubleshooting',
    slug: 'troubleshooting',
    titles: [
      'Login problems',
      'Two-factor authentication',
      'Slow dashboards',
      'Missing emails',
      'Upload errors',
      'Browser support',
    ],
  },
];
const ARTICLE_STATUS_WEIGHTS = { published: 65, draft: 15, in_review: 10, archived: 10 } as const;

const iso = (ms: number) => new Date(ms).toISOString();
const MINUTE = 60_000;
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const OPEN_STATUSES: ReadonlySet<TicketStatus> = new Set(['new', 'open', 'pending', 'on_hold']);

function buildTicket(random: Random, anchor: number, index: number, data: DemoData, agents: DemoUser[]) {
  const orgIndex = random.weighted({ 0: ORGS[0].weight, 1: ORGS[1].weight, 2: ORGS[2].weight });
  const org = data.organizations[orgIndex]!;
  const sla = SLA.find((candidate) => candidate.name === ORGS[orgIndex]!.sla)!;
  const customers = data.users.filter((user) => user.organization === org.id);
  const requester = random.pick(customers);
  const topic = random.pick(SUBJECTS);
  const status = random.weighted(STATUS_WEIGHTS);
  const priority = random.weighted(PRIORITY_WEIGHTS);
  const channel = random.weighted(CHANNEL_WEIGHTS);
  // Open tickets arrived in the last week; finished ones 30-120 days ago, so that their whole life (response,
  // solution, closing after up to 4 days, replies) lies before the anchor whatever their SLA.
  const open = OPEN_STATUSES.has(status);
  const created = anchor - (open ? random.int(60, 7 * 1440) : random.int(30 * 1440, 120 * 1440)) * MINUTE;
  const latest = anchor - MINUTE;
  const responded =
    status === 'new' ? null : Math.min(created + random.int(5, sla.first_response[priority]) * MINUTE, latest);
  const done = status === 'solved' || status === 'closed';
  const solved = done ? responded! + random.int(30, sla.resolution[priority]) * MINUTE : null;
  const closed = status === 'closed' ? solved! + random.int(1, 4) * 1440 * MINUTE : null;
  const assignee = status === 'new' ? null : random.pick(agents);
  const id = stableUuid(`ticket:${index}`);
  const ticket: Ticket = {
    id,
    subject: topic.subject,
    description: `${topic.subject}. Reported by ${requester.first_name} ${requester.last_name} of ${org.name}.`,
    status,
    priority,
    channel,
    organization: org.id,
    requester: requester.id,
    assignee: assignee?.id ?? null,
    tags: topic.tags,
    first_response_due_at: iso(created + sla.first_response[priority] * MINUTE),
    resolution_due_at: iso(created + sla.resolution[priority] * MINUTE),
    first_responded_at: responded === null ? null : iso(responded),
    solved_at: solved === null ? null : iso(solved),
    closed_at: closed === null ? null : iso(closed),
    satisfaction: done && random.chance(0.6) ? random.weighted({ 5: 40, 4: 30, 3: 15, 2: 8, 1: 7 }) : null,
    date_created: iso(created),
    date_updated: iso(closed ?? solved ?? responded ?? created),
  };

  // The requester's opening message, then 0-3 replies (some of them internal notes) for tickets an agent took.
  const messages: Message[] = [
    {
      id: stableUuid(`message:${index}:0`),
      ticket: id,
      author: requester.id,
      body: ticket.description,
      internal: false,
      date_created: ticket.date_created,
    },
  ];
  const replies = assignee ? random.int(0, 3) : 0;
  let at = responded ?? created;
  for (let reply = 1; reply <= replies; reply += 1) {
    const internal = random.chance(0.25);
    const fromCustomer = !internal && reply % 2 === 0;
    messages.push({
      id: stableUuid(`message:${index}:${reply}`),
      ticket: id,
      author: fromCustomer ? requester.id : assignee!.id,
      body: internal ? random.pick(INTERNAL_NOTES) : random.pick(fromCustomer ? CUSTOMER_REPLIES : AGENT_REPLIES),
      internal,
      date_created: iso(at),
    });
    at = Math.min(at + random.int(10, 1440) * MINUTE, latest);
  }
  return { ticket, messages };
}

export function buildDemo(seed = DEMO_SEED, anchor = demoAnchor()): DemoData {
  const random = seededRandom(seed);
  const data: DemoData = {
    slaPolicies: SLA,
    tags: TAGS,
    organizations: [],
    users: [],
    tickets: [],
    messages: [],
    attachments: [],
    categories: CATEGORIES.map(({ name, slug: categorySlug }, sort) => ({ name, slug: categorySlug, sort: sort + 1 })),
    articles: [],
  };
  for (const org of ORGS) {
    data.organizations.push({
      id: stableUuid(`organization:${org.key}`),
      name: org.name,
      domain: org.domain,
      tier: org.tier,
      sla_policy: org.sla,
      date_created: iso(anchor - 180 * 1440 * MINUTE),
    });
  }
  for (const person of STAFF)
    data.users.push({ ...person, id: stableUuid(`user:${person.email}`), organization: null });
  ORGS.forEach((org, index) => {
    for (const [first, last] of CUSTOMERS[org.key]) {
      const email = `${first.toLowerCase()}@${org.domain}`;
      data.users.push({
        id: stableUuid(`user:${email}`),
        email,
        first_name: first,
        last_name: last,
        title: null,
        role: 'customer',
        organization: data.organizations[index]!.id,
      });
    }
  });

  const agents = data.users.filter((user) => user.role === 'agent');
  for (let index = 0; index < DEMO_TICKETS; index += 1) {
    const { ticket, messages } = buildTicket(random, anchor, index, data, agents);
    data.tickets.push(ticket);
    data.messages.push(...messages);
  }
  data.tickets.sort((a, b) => a.date_created.localeCompare(b.date_created));
  const ticketOf = new Map(data.tickets.map((ticket) => [ticket.id, ticket]));
  data.attachments = data.messages
    .filter((_message, index) => index % ATTACH_EVERY === 3)
    .map((message, index) => attachmentFor(message, index, ticketOf.get(message.ticket)!));

  const editor = data.users.find((user) => user.role === 'contentEditor')!;
  const manager = data.users.find((user) => user.role === 'manager')!;
  const writers = [editor, editor, ...agents];
  for (const category of CATEGORIES) {
    for (const title of category.titles) {
      const status = random.weighted(ARTICLE_STATUS_WEIGHTS);
      const created = anchor - random.int(7, 365) * 1440 * MINUTE;
      const articleSlug = slug(`${category.slug} ${title}`);
      data.articles.push({
        id: stableUuid(`article:${articleSlug}`),
        title,
        slug: articleSlug,
        status,
        category: category.slug,
        summary: `${title}: what to know, in a minute.`,
        body: `# ${title}\n\nThis demo article explains ${title.toLowerCase()} in the ${category.name.toLowerCase()} section.\n\n1. Open the portal.\n2. Follow the steps for your plan.\n3. Contact support if anything is unclear.`,
        tags: random.chance(0.5) ? [random.pick(TAGS).name] : [],
        author: random.pick(writers).id,
        reviewer: status === 'published' || status === 'archived' ? manager.id : null,
        published_at: status === 'published' || status === 'archived' ? iso(created + 1440 * MINUTE) : null,
        date_created: iso(created),
      });
    }
  }
  return data;
}

/** The documented logins (README "Demo data"): one line per person. */
export function demoLogins(data: DemoData): Array<{ email: string; role: RoleKey; organization: string | null }> {
  return data.users.map((user) => ({
    email: user.email,
    role: user.role,
    organization: data.organizations.find((org) => org.id === user.organization)?.name ?? null,
  }));
}
