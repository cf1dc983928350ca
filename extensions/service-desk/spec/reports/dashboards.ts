// The service desk's Insights dashboards (issue 12, decision 0056): panels over the report rollups
// (./rollups.ts), which the app queries with the viewer's own token, so a panel sums only the rows the viewer may
// read, as the report route does. Managers read both dashboards, agents the backlog one; the other roles read
// neither (and customers have no app). Percentiles need the histogram arithmetic of the report route, which a panel
// cannot do: the time panels show the histogram itself and a note points at the route.
import { POLICY, type PermissionSpec } from '../service-desk/access.js';
import { reportDefinitions } from './migrate.js';

// The open statuses as the backlog report counts them (migrate.ts is a released data migration: read, not edited).
const OPEN_STATUSES = (
  reportDefinitions.find((definition) => definition.name === 'backlog')!.filter as {
    status: { _in: string[] };
  }
).status._in;

export const DASHBOARD = {
  manager: '6f0b7f0e-4a2d-4c59-9a43-0d1c2b6e5a10',
  backlog: '6f0b7f0e-4a2d-4c59-9a43-0d1c2b6e5a20',
} as const;

const COUNTS = 'report_ticket_counts';
const TIMES = 'report_ticket_times';
const LAST_30_DAYS = { day: { _gte: '$NOW(-30 days)' } };
const OPEN = { status: { _in: OPEN_STATUSES } };

interface PanelSpec {
  id: string;
  dashboard: string;
  show_header: boolean;
  name: string;
  icon: string;
  type: 'metric' | 'metric-list' | 'time-series' | 'bar-chart' | 'label';
  position_x: number;
  position_y: number;
  width: number;
  height: number;
  note?: string;
  options: Record<string, unknown>;
}

const metric = (collection: string, field: string, filter: Record<string, unknown>) => ({
  collection,
  field,
  function: 'sum',
  filter,
  numberStyle: 'decimal',
  notation: 'standard',
  textAlign: 'center',
  fontSize: 'large',
});
const byField = (groupByField: string, filter: Record<string, unknown>) => ({
  collection: COUNTS,
  groupByField,
  aggregateField: 'tickets',
  aggregateFunction: 'sum',
  sortDirection: 'desc',
  limit: 10,
  filter,
});
const volume = {
  collection: COUNTS,
  function: 'sum',
  valueField: 'tickets',
  dateField: 'day',
  precision: 'day',
  range: '1 month',
};
const histogram = (metricName: string) => ({
  collection: TIMES,
  xAxis: 'bucket',
  yAxis: 'tickets',
  function: 'sum',
  filter: { _and: [{ metric: { _eq: metricName } }, LAST_30_DAYS] },
  showAxisLabels: 'both',
});

/** Fixed ids, so every authoring run writes the same insights.json: the dashboard's id with its number. */
const panel = (dashboard: string, n: number, spec: Omit<PanelSpec, 'id' | 'dashboard' | 'show_header'>): PanelSpec => ({
  id: `${dashboard.slice(0, -4)}${dashboard.slice(-2)}${String(n).padStart(2, '0')}`,
  dashboard,
  // Panels show their names: a figure without its name says nothing.
  show_header: true,
  ...spec,
});

const m = DASHBOARD.manager;
const b = DASHBOARD.backlog;

export const dashboards = [
  {
    id: m,
    name: 'Service desk: reports',
    icon: 'insights',
    note: 'Volume, backlog, SLA compliance and response times, from the report rollups (managers)',
    color: null,
  },
  {
    id: b,
    name: 'Service desk: backlog',
    icon: 'inbox',
    note: 'Open tickets by status and priority, and the daily volume (agents and managers)',
    color: null,
  },
];

export const panels: PanelSpec[] = [
  panel(m, 1, {
    name: 'Tickets created, last 30 days',
    icon: 'confirmation_number',
    type: 'metric',
    ...{ position_x: 1, position_y: 1, width: 12, height: 6 },
    options: metric(COUNTS, 'tickets', LAST_30_DAYS),
  }),
  panel(m, 2, {
    name: 'Open tickets',
    icon: 'inbox',
    type: 'metric',
    ...{ position_x: 13, position_y: 1, width: 12, height: 6 },
    options: metric(COUNTS, 'tickets', OPEN),
  }),
  panel(m, 3, {
    name: 'First responses within SLA, last 30 days',
    icon: 'timer',
    type: 'metric',
    note: 'Of the tickets answered that had a due time (next panel)',
    ...{ position_x: 25, position_y: 1, width: 12, height: 6 },
    options: metric(TIMES, 'within_sla', { _and: [{ metric: { _eq: 'first_response' } }, LAST_30_DAYS] }),
  }),
  panel(m, 4, {
    name: 'First responses with a due time, last 30 days',
    icon: 'schedule',
    type: 'metric',
    ...{ position_x: 37, position_y: 1, width: 12, height: 6 },
    options: metric(TIMES, 'with_target', { _and: [{ metric: { _eq: 'first_response' } }, LAST_30_DAYS] }),
  }),
  panel(m, 5, {
    name: 'Tickets created per day',
    icon: 'show_chart',
    type: 'time-series',
    ...{ position_x: 1, position_y: 7, width: 24, height: 12 },
    options: volume,
  }),
  panel(m, 6, {
    name: 'Backlog by status',
    icon: 'format_list_numbered',
    type: 'metric-list',
    ...{ position_x: 25, position_y: 7, width: 12, height: 12 },
    options: byField('status', OPEN),
  }),
  panel(m, 7, {
    name: 'Backlog by priority',
    icon: 'priority_high',
    type: 'metric-list',
    ...{ position_x: 37, position_y: 7, width: 12, height: 12 },
    options: byField('priority', OPEN),
  }),
  panel(m, 8, {
    name: 'Resolutions within SLA, last 30 days',
    icon: 'task_alt',
    type: 'metric',
    ...{ position_x: 1, position_y: 19, width: 12, height: 6 },
    options: metric(TIMES, 'within_sla', { _and: [{ metric: { _eq: 'resolution' } }, LAST_30_DAYS] }),
  }),
  panel(m, 9, {
    name: 'Resolutions with a due time, last 30 days',
    icon: 'schedule',
    type: 'metric',
    ...{ position_x: 13, position_y: 19, width: 12, height: 6 },
    options: metric(TIMES, 'with_target', { _and: [{ metric: { _eq: 'resolution' } }, LAST_30_DAYS] }),
  }),
  panel(m, 10, {
    name: 'About the times',
    icon: 'info',
    type: 'label',
    ...{ position_x: 25, position_y: 19, width: 24, height: 6 },
    options: {
      text: 'Bucket b holds times of 1.2^b - 1 to 1.2^(b+1) - 1 minutes. p50 and p90: GET /groundwork/v1/reports/first_response_times and /resolution_times.',
      whiteSpace: 'normal',
      fontSize: 'small',
      textAlign: 'left',
    },
  }),
  panel(m, 11, {
    name: 'First-response times (tickets per bucket), last 30 days',
    icon: 'bar_chart',
    type: 'bar-chart',
    ...{ position_x: 1, position_y: 25, width: 24, height: 12 },
    options: histogram('first_response'),
  }),
  panel(m, 12, {
    name: 'Resolution times (tickets per bucket), last 30 days',
    icon: 'bar_chart',
    type: 'bar-chart',
    ...{ position_x: 25, position_y: 25, width: 24, height: 12 },
    options: histogram('resolution'),
  }),
  panel(b, 1, {
    name: 'Open tickets',
    icon: 'inbox',
    type: 'metric',
    ...{ position_x: 1, position_y: 1, width: 12, height: 6 },
    options: metric(COUNTS, 'tickets', OPEN),
  }),
  panel(b, 2, {
    name: 'Open and unassigned',
    icon: 'person_off',
    type: 'metric',
    ...{ position_x: 13, position_y: 1, width: 12, height: 6 },
    options: metric(COUNTS, 'tickets', { _and: [OPEN, { assignee: { _null: true } }] }),
  }),
  panel(b, 3, {
    name: 'Backlog by status',
    icon: 'format_list_numbered',
    type: 'metric-list',
    ...{ position_x: 1, position_y: 7, width: 12, height: 12 },
    options: byField('status', OPEN),
  }),
  panel(b, 4, {
    name: 'Backlog by priority',
    icon: 'priority_high',
    type: 'metric-list',
    ...{ position_x: 13, position_y: 7, width: 12, height: 12 },
    options: byField('priority', OPEN),
  }),
  panel(b, 5, {
    name: 'Tickets created per day',
    icon: 'show_chart',
    type: 'time-series',
    ...{ position_x: 25, position_y: 1, width: 24, height: 18 },
    options: volume,
  }),
];

/** Who reads which dashboard: Directus shows a user the dashboards (and panels) their policy may read. */
export const dashboardPermissions: PermissionSpec[] = [
  { policy: POLICY.manager, collection: 'directus_dashboards', action: 'read', fields: ['*'] },
  { policy: POLICY.manager, collection: 'directus_panels', action: 'read', fields: ['*'] },
  {
    policy: POLICY.agent,
    collection: 'directus_dashboards',
    action: 'read',
    fields: ['*'],
    permissions: { id: { _eq: DASHBOARD.backlog } },
  },
  {
    policy: POLICY.agent,
    collection: 'directus_panels',
    action: 'read',
    fields: ['*'],
    permissions: { dashboard: { _eq: DASHBOARD.backlog } },
  },
];
