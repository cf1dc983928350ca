// The service desk's two workflows as data (rows of workflow_definitions; brief §5). Role ids are the fixed ones
// of ../service-desk/access.ts; `$system` is a write without a user (the auto-close job). Admins may make every
// defined move. Guards are registered in code by extensions/service-desk/src/workflow-guards/.
import { ROLE } from '../service-desk/access.js';

const SYSTEM = '$system';
const staff = [ROLE.manager, ROLE.agent];
const editors = [ROLE.manager, ROLE.contentEditor];

export const ticketWorkflow = {
  collection: 'tickets',
  state_field: 'status',
  comment_field: 'workflow_comment',
  states: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'],
  initial_states: ['new'],
  transitions: [
    { name: 'open', from: 'new', to: 'open', roles: staff, guards: [] },
    { name: 'wait_for_customer', from: 'open', to: 'pending', roles: staff, guards: [] },
    { name: 'resume', from: 'pending', to: 'open', roles: staff, guards: [] },
    { name: 'hold', from: 'open', to: 'on_hold', roles: staff, guards: [] },
    { name: 'resume', from: 'on_hold', to: 'open', roles: staff, guards: [] },
    { name: 'solve', from: 'open', to: 'solved', roles: staff, guards: [] },
    { name: 'reopen', from: 'solved', to: 'open', roles: staff, guards: [] },
    { name: 'reopen', from: 'solved', to: 'open', roles: [ROLE.customer], guards: ['reopen_within_7_days'] },
    { name: 'close', from: 'solved', to: 'closed', roles: [ROLE.manager, SYSTEM], guards: [] },
  ],
  stamps: { solved: 'solved_at', closed: 'closed_at' },
};

export const articleWorkflow = {
  collection: 'kb_articles',
  state_field: 'status',
  comment_field: 'workflow_comment',
  states: ['draft', 'in_review', 'published', 'archived'],
  initial_states: ['draft'],
  transitions: [
    { name: 'submit', from: 'draft', to: 'in_review', roles: [...editors, ROLE.agent], guards: [] },
    { name: 'request_changes', from: 'in_review', to: 'draft', roles: editors, guards: ['reviewer_not_author'] },
    { name: 'publish', from: 'in_review', to: 'published', roles: editors, guards: ['reviewer_not_author'] },
    { name: 'archive', from: 'published', to: 'archived', roles: editors, guards: [] },
    { name: 'restore', from: 'archived', to: 'draft', roles: editors, guards: [] },
  ],
  stamps: { published: 'published_at' },
};

export const workflows = [ticketWorkflow, articleWorkflow];
