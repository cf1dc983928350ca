// The service desk's notifications as data (brief §5): templates and rules, carried by snapshots as rows of
// notification_templates and notification_rules. Staff edit them in the admin app; the next version captures them.
import { POLICY, ROLE, type PermissionSpec } from '../service-desk/access.js';

export const templates = [
  {
    key: 'ticket-receipt',
    description: 'Email receipt to the requester of a new ticket',
    subject: '[{{ item.number }}] We received your request: {{ item.subject }}',
    body: `Hello {{ recipient.first_name }},

we received your request "{{ item.subject }}" and filed it as {{ item.number }} ({{ item.priority }} priority). We will answer you by email.

{{ item.description }}`,
  },
  {
    key: 'ticket-new-for-agents',
    description: 'In-app note to agents about a new ticket',
    subject: 'New ticket {{ item.number }}: {{ item.subject }}',
    body: `{{ item.requester.first_name }} {{ item.requester.last_name }} ({{ item.organization.name }}) opened {{ item.number }} with {{ item.priority }} priority.

{{ item.description | truncate: 500 }}`,
  },
  {
    key: 'agent-reply',
    description: "Email to the requester with an agent's public reply",
    subject: 'Re: [{{ item.ticket.number }}] {{ item.ticket.subject }}',
    body: `Hello {{ recipient.first_name }},

{{ actor.first_name }} {{ actor.last_name }} replied to your request {{ item.ticket.number }}:

{{ item.body }}`,
  },
  {
    key: 'customer-reply',
    description: "The customer's reply, to the assignee",
    subject:
      '[{{ item.ticket.number }}] {{ actor.first_name }} {{ actor.last_name }} replied: {{ item.ticket.subject }}',
    body: `{{ item.body }}

{{ app.url }}/admin/content/tickets/{{ item.ticket.id }}`,
  },
  {
    key: 'ticket-assigned',
    description: 'To the agent a ticket was assigned to',
    subject: '[{{ item.number }}] Assigned to you: {{ item.subject }}',
    body: `{{ item.number }} ({{ item.priority }} priority, {{ item.organization.name }}) is now yours.

{{ item.description | truncate: 500 }}

{{ app.item_url }}`,
  },
  {
    key: 'sla-warning',
    description: 'SLA about to breach',
    subject: '[{{ item.number }}] SLA about to breach: {{ item.subject }}',
    body: `{{ item.number }} ({{ item.priority }} priority) is close to its SLA target.
First response due: {{ item.first_response_due_at }}. Resolution due: {{ item.resolution_due_at }}.

{{ app.item_url }}`,
  },
  {
    key: 'sla-breached',
    description: 'SLA breached',
    subject: '[{{ item.number }}] SLA breached: {{ item.subject }}',
    body: `{{ item.number }} ({{ item.priority }} priority, {{ item.organization.name }}) missed its SLA target.
First response due: {{ item.first_response_due_at }}. Resolution due: {{ item.resolution_due_at }}.

{{ app.item_url }}`,
  },
  {
    key: 'article-review',
    description: 'An article was submitted for review',
    subject: 'Review requested: {{ item.title }}',
    body: `{{ actor.first_name }} {{ actor.last_name }} submitted "{{ item.title }}" for review.{% if event.data.comment %}

Comment: {{ event.data.comment }}{% endif %}

{{ app.item_url }}`,
  },
  {
    key: 'manager-ticket-created',
    description: "Managers' digest line: a new ticket",
    subject: 'New ticket {{ item.number }} ({{ item.priority }}): {{ item.subject }}',
    body: '{{ item.organization.name }}, {{ item.channel }}',
  },
  {
    key: 'manager-ticket-solved',
    description: "Managers' digest line: a solved ticket",
    subject: 'Solved {{ item.number }}: {{ item.subject }}',
    body: '{{ item.organization.name }}, by {{ actor.first_name }} {{ actor.last_name }}',
  },
  {
    key: 'digest',
    description: 'The daily digest (context: recipient, notifications, count)',
    subject: 'Your daily digest: {{ count }} notification{% if count != 1 %}s{% endif %}',
    body: `Hello {{ recipient.first_name }},

{% for n in notifications %}- {{ n.subject }}
  {{ n.body | truncate: 300 | replace: "\n", " " }}
{% endfor %}`,
  },
];

const rule = (values: {
  id: string;
  description: string;
  event: string;
  audience: unknown[];
  channels: string[];
  template: string;
  condition?: Record<string, unknown>;
  digest?: boolean;
  exclude_actor?: boolean;
}) => ({ condition: null, digest: false, exclude_actor: true, enabled: true, ...values });

const PUBLIC_MESSAGE = { 'data.internal': false };

export const rules = [
  rule({
    id: 'ticket-created-receipt',
    description: 'Email receipt to the requester (also when they filed it themselves)',
    event: 'tickets.created',
    audience: [{ field: 'requester' }],
    channels: ['email'],
    template: 'ticket-receipt',
    exclude_actor: false,
  }),
  rule({
    id: 'ticket-created-agents',
    description: 'In-app note to every agent',
    event: 'tickets.created',
    audience: [{ role: ROLE.agent }],
    channels: ['in_app'],
    template: 'ticket-new-for-agents',
  }),
  rule({
    id: 'agent-reply',
    description: "An agent's public reply, by email to the requester",
    event: 'ticket_messages.created',
    condition: { ...PUBLIC_MESSAGE, 'data.author_is_staff': true },
    audience: [{ field: 'ticket.requester' }],
    channels: ['email'],
    template: 'agent-reply',
  }),
  rule({
    id: 'customer-reply',
    description: "A customer's reply, in-app and by email to the assignee",
    event: 'ticket_messages.created',
    condition: { ...PUBLIC_MESSAGE, 'data.author_is_staff': false },
    audience: [{ field: 'ticket.assignee' }],
    channels: ['in_app', 'email'],
    template: 'customer-reply',
  }),
  rule({
    id: 'ticket-assigned',
    description: 'The new assignee, in-app and by email',
    event: 'tickets.assigned',
    audience: [{ field: 'assignee' }],
    channels: ['in_app', 'email'],
    template: 'ticket-assigned',
  }),
  rule({
    id: 'sla-warning',
    description: 'SLA about to breach: the assignee',
    event: 'sla.tickets.warning',
    audience: [{ field: 'assignee' }],
    channels: ['in_app', 'email'],
    template: 'sla-warning',
  }),
  rule({
    id: 'sla-breached',
    description: 'SLA breached: the assignee and the managers',
    event: 'sla.tickets.breached',
    audience: [{ field: 'assignee' }, { role: ROLE.manager }],
    channels: ['in_app', 'email'],
    template: 'sla-breached',
  }),
  rule({
    id: 'article-review',
    description: 'An article submitted for review: its reviewer',
    event: 'workflow.kb_articles.in_review',
    condition: { 'item.reviewer': { _null: false } },
    audience: [{ field: 'reviewer' }],
    channels: ['in_app', 'email'],
    template: 'article-review',
  }),
  rule({
    id: 'article-review-unassigned',
    description: 'An article submitted for review without a reviewer: content editors and managers',
    event: 'workflow.kb_articles.in_review',
    condition: { 'item.reviewer': { _null: true } },
    audience: [{ role: ROLE.contentEditor }, { role: ROLE.manager }],
    channels: ['in_app'],
    template: 'article-review',
  }),
  rule({
    id: 'manager-digest-created',
    description: "Managers' daily digest: new tickets",
    event: 'tickets.created',
    audience: [{ role: ROLE.manager }],
    channels: ['email'],
    template: 'manager-ticket-created',
    digest: true,
  }),
  rule({
    id: 'manager-digest-solved',
    description: "Managers' daily digest: solved tickets",
    event: 'workflow.tickets.solved',
    audience: [{ role: ROLE.manager }],
    channels: ['email'],
    template: 'manager-ticket-solved',
    digest: true,
  }),
];

const OWN = { user: { _eq: '$CURRENT_USER' } };
const PREFERENCE_FIELDS = ['event', 'email', 'in_app', 'digest'];
const ownPreferences = (policy: string): PermissionSpec[] => [
  { policy, collection: 'notification_preferences', action: 'read', fields: ['*'], permissions: OWN },
  {
    policy,
    collection: 'notification_preferences',
    action: 'create',
    fields: PREFERENCE_FIELDS,
    presets: { user: '$CURRENT_USER' },
  },
  {
    policy,
    collection: 'notification_preferences',
    action: 'update',
    fields: PREFERENCE_FIELDS,
    permissions: OWN,
  },
  { policy, collection: 'notification_preferences', action: 'delete', fields: ['*'], permissions: OWN },
];

export const permissions: PermissionSpec[] = [
  // Everyone who can receive notifications keeps their own preferences (customers over the API).
  ...[POLICY.manager, POLICY.agent, POLICY.contentEditor, POLICY.customer].flatMap(ownPreferences),
  // Managers edit the rules and templates and see every notification's delivery state.
  ...(['notification_rules', 'notification_templates'] as const).flatMap((collection) =>
    (['create', 'read', 'update', 'delete'] as const).map((action) => ({
      policy: POLICY.manager,
      collection,
      action,
      fields: ['*'],
    })),
  ),
  { policy: POLICY.manager, collection: 'notification_outbox', action: 'read', fields: ['*'] },
];
