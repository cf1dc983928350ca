// Roles, policies and permissions of the service desk (docs/architecture.md, "Reference domain"). Ids are fixed
// so the authoring script produces the same access.json on every run. No policy gets any directus_shares
// permission (CVE-2026-61836: the response cache key has no share context).

type Json = Record<string, unknown>;
export interface PermissionSpec {
  policy: string;
  collection: string;
  action: 'create' | 'read' | 'update' | 'delete';
  fields: string[];
  permissions?: Json | null;
  validation?: Json | null;
  presets?: Json | null;
}

export const ROLE = {
  manager: '195b8ceb-866f-4bf7-a221-da4e8493ff0e',
  agent: '2dd5edd7-7f88-441c-9256-15f21ae5044a',
  contentEditor: '20761f1e-2422-4bf0-8edc-03b5106c34bc',
  customer: '83d99a9a-cb56-4b7c-8ccd-d5f680d6221c',
  integration: '8645972e-eae6-4348-85a7-eea7f2b64562',
} as const;

export const POLICY = {
  manager: '3d8f4fa2-6548-41fd-950f-cc00f2dbe0d1',
  agent: '145f31d6-7f5f-416e-a54a-ce668765c8e8',
  contentEditor: '220ae084-2593-4e96-ae79-d4b5e125def1',
  customer: '064ab91c-c42f-45dd-a41f-ae7eaa88e07d',
  integration: 'c302f9c4-3680-4faa-9505-13295002b28b',
} as const;

type Key = keyof typeof ROLE;
const staff = (key: Key) => key === 'manager' || key === 'agent' || key === 'contentEditor';

const described: Record<Key, { name: string; icon: string; description: string }> = {
  manager: { name: 'Manager', icon: 'supervisor_account', description: 'Everything in the service desk' },
  agent: { name: 'Agent', icon: 'support_agent', description: 'All tickets and messages, internal notes, KB drafts' },
  contentEditor: { name: 'Content Editor', icon: 'edit_note', description: 'The knowledge base only' },
  customer: {
    name: 'Customer',
    icon: 'person',
    description: "API only: their organization's tickets, public messages, published articles",
  },
  integration: { name: 'Integration', icon: 'integration_instructions', description: 'API only, narrow' },
};

export const roles = (Object.keys(ROLE) as Key[]).map((key) => ({ id: ROLE[key], ...described[key] }));
export const policies = (Object.keys(POLICY) as Key[]).map((key) => ({
  id: POLICY[key],
  ...described[key],
  app_access: staff(key),
  admin_access: false,
  enforce_tfa: false,
}));
export const links = (Object.keys(ROLE) as Key[]).map((key) => ({ role: ROLE[key], policy: POLICY[key] }));

const ALL = ['*'];
const MY_ORG = '$CURRENT_USER.organization';
const DOMAIN = [
  'organizations',
  'sla_policies',
  'tags',
  'tickets',
  'ticket_messages',
  'ticket_messages_files',
  'kb_categories',
  'kb_articles',
];
const KB = ['kb_categories', 'kb_articles', 'tags'];
const STAFF_USER_FIELDS = [
  'id',
  'first_name',
  'last_name',
  'email',
  'avatar',
  'title',
  'organization',
  'role',
  'status',
];

const crud = (policy: string, collection: string, actions: PermissionSpec['action'][]): PermissionSpec[] =>
  actions.map((action) => ({ policy, collection, action, fields: ALL }));

const staffCommon = (policy: string): PermissionSpec[] => [
  { policy, collection: 'directus_users', action: 'read', fields: STAFF_USER_FIELDS },
  ...crud(policy, 'directus_files', ['create', 'read', 'update']),
];

const CUSTOMER_TICKET_READ = [
  'id',
  'number',
  'subject',
  'description',
  'status',
  'priority',
  'channel',
  'organization',
  'requester',
  'assignee',
  'tags',
  'first_response_due_at',
  'resolution_due_at',
  'first_responded_at',
  'solved_at',
  'closed_at',
  'satisfaction',
  'date_created',
  'date_updated',
];

export const permissions: PermissionSpec[] = [
  // Manager: the whole domain.
  ...DOMAIN.flatMap((collection) => crud(POLICY.manager, collection, ['create', 'read', 'update', 'delete'])),
  ...staffCommon(POLICY.manager),

  // Agent: tickets and messages (no delete), reads the configuration, writes KB drafts.
  ...crud(POLICY.agent, 'tickets', ['create', 'read', 'update']),
  ...crud(POLICY.agent, 'ticket_messages', ['create', 'read', 'update']),
  ...crud(POLICY.agent, 'ticket_messages_files', ['create', 'read', 'update', 'delete']),
  ...crud(POLICY.agent, 'organizations', ['read']),
  ...crud(POLICY.agent, 'sla_policies', ['read']),
  ...crud(POLICY.agent, 'tags', ['create', 'read']),
  ...crud(POLICY.agent, 'kb_categories', ['read']),
  { policy: POLICY.agent, collection: 'kb_articles', action: 'read', fields: ALL },
  {
    policy: POLICY.agent,
    collection: 'kb_articles',
    action: 'create',
    fields: ['title', 'slug', 'summary', 'body', 'category', 'tags', 'status'],
    validation: { status: { _in: ['draft', 'in_review'] } },
    presets: { author: '$CURRENT_USER', status: 'draft' },
  },
  {
    policy: POLICY.agent,
    collection: 'kb_articles',
    action: 'update',
    fields: ['title', 'slug', 'summary', 'body', 'category', 'tags', 'status'],
    permissions: { status: { _in: ['draft', 'in_review'] } },
    validation: { status: { _in: ['draft', 'in_review'] } },
  },
  ...staffCommon(POLICY.agent),

  // Content Editor: the knowledge base only.
  ...KB.flatMap((collection) => crud(POLICY.contentEditor, collection, ['create', 'read', 'update', 'delete'])),
  ...staffCommon(POLICY.contentEditor),

  // Customer: their organization's tickets, public messages on them, published articles.
  {
    policy: POLICY.customer,
    collection: 'tickets',
    action: 'read',
    fields: CUSTOMER_TICKET_READ,
    permissions: { organization: { _eq: MY_ORG } },
  },
  {
    policy: POLICY.customer,
    collection: 'tickets',
    action: 'create',
    fields: ['subject', 'description', 'priority', 'organization', 'tags'],
    validation: { organization: { _eq: MY_ORG } },
    presets: { organization: MY_ORG, requester: '$CURRENT_USER', channel: 'portal', status: 'new' },
  },
  {
    policy: POLICY.customer,
    collection: 'tickets',
    action: 'update',
    fields: ['satisfaction'],
    permissions: { organization: { _eq: MY_ORG } },
  },
  {
    policy: POLICY.customer,
    collection: 'ticket_messages',
    action: 'read',
    fields: ['id', 'ticket', 'author', 'body', 'attachments', 'date_created'],
    permissions: { _and: [{ ticket: { organization: { _eq: MY_ORG } } }, { internal: { _eq: false } }] },
  },
  {
    policy: POLICY.customer,
    collection: 'organizations',
    action: 'read',
    fields: ['id', 'name', 'domain', 'tier'],
    permissions: { id: { _eq: MY_ORG } },
  },
  {
    policy: POLICY.customer,
    collection: 'kb_articles',
    action: 'read',
    fields: ['id', 'title', 'slug', 'summary', 'body', 'category', 'tags', 'published_at'],
    permissions: { status: { _eq: 'published' } },
  },
  { policy: POLICY.customer, collection: 'kb_categories', action: 'read', fields: ['id', 'name', 'slug', 'sort'] },
  {
    policy: POLICY.customer,
    collection: 'directus_users',
    action: 'read',
    fields: ['id', 'first_name', 'last_name', 'email', 'organization'],
    permissions: { id: { _eq: '$CURRENT_USER' } },
  },

  // Integration: reads organizations and tickets, opens tickets.
  { policy: POLICY.integration, collection: 'organizations', action: 'read', fields: ['id', 'name', 'domain', 'tier'] },
  { policy: POLICY.integration, collection: 'tickets', action: 'read', fields: CUSTOMER_TICKET_READ },
  {
    policy: POLICY.integration,
    collection: 'tickets',
    action: 'create',
    fields: ['subject', 'description', 'priority', 'channel', 'organization', 'requester', 'tags'],
    presets: { channel: 'api', status: 'new' },
  },
];
