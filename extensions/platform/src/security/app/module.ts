// Admin app module "Security events": the newest events from /groundwork/v1/security/events, filtered by type,
// outcome, user and time, a page at a time (cursor). Admins only: the module registers for admins and the route
// refuses everyone else. A render function rather than a .vue file keeps it inside the repo's TypeScript lint, like
// the Jobs module. Enabled in the module bar once, at boot.
import { defineModule, useApi } from '@directus/extensions-sdk';
import { defineComponent, h, onMounted, ref, resolveComponent, type VNode } from 'vue';
import { SECURITY_MODULE_ID } from '../core/contract.js';

interface EventView {
  id: string;
  occurred_at: string;
  type: string;
  outcome: string;
  actor_id: string | null;
  user_id: string | null;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

const TYPES = [
  '',
  'login',
  'access_denied',
  'role',
  'policy',
  'permission',
  'access',
  'user_role',
  'user_policies',
  'user_status',
  'tfa',
  'password',
  'password_reset',
  'token',
  'registration',
  'user',
];

const cell = (content: string | number | VNode | VNode[]) =>
  h('td', { style: 'padding: 6px 12px; vertical-align: top; font-size: 13px' }, content);
const head = (labels: string[]) =>
  h(
    'thead',
    h(
      'tr',
      labels.map((label) => h('th', { style: 'padding: 6px 12px; text-align: left' }, label)),
    ),
  );
const short = (id: string | null) => (id ? `${id.slice(0, 8)}…` : '—');

const SecurityEventsPage = defineComponent({
  name: 'GroundworkSecurityEvents',
  setup() {
    const api = useApi();
    const filters = ref({ type: '', outcome: '', user: '', since: '', until: '' });
    const events = ref<EventView[]>([]);
    const cursors = ref<string[]>([]);
    const next = ref<string | null>(null);
    const message = ref<string | null>(null);
    const loading = ref(false);

    const failure = (error: unknown) => {
      const response = (error as { response?: { data?: { errors?: Array<{ message: string }> } } }).response;
      message.value = response?.data?.errors?.[0]?.message ?? String(error);
    };

    /** Loads the page after `cursor` (none: the newest). Empty filters are left out of the query. */
    async function load(cursor: string | null) {
      loading.value = true;
      message.value = null;
      try {
        const params: Record<string, string | number> = { limit: 100 };
        for (const [key, value] of Object.entries(filters.value)) {
          if (!value) continue;
          params[key] = key === 'since' || key === 'until' ? new Date(value).toISOString() : value.trim();
        }
        if (cursor) params['cursor'] = cursor;
        const response = await api.get('/groundwork/v1/security/events', { params });
        events.value = response.data.data;
        next.value = response.data.meta.next_cursor;
      } catch (error) {
        failure(error);
      } finally {
        loading.value = false;
      }
    }

    const search = () => {
      cursors.value = [];
      void load(null);
    };
    const older = () => {
      if (!next.value) return;
      cursors.value.push(next.value);
      void load(next.value);
    };
    const newer = () => {
      cursors.value.pop();
      void load(cursors.value[cursors.value.length - 1] ?? null);
    };

    onMounted(search);

    return () => {
      const PrivateView = resolveComponent('private-view');
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      const VInput = resolveComponent('v-input');
      const VSelect = resolveComponent('v-select');
      const field = (key: keyof typeof filters.value, placeholder: string, type = 'text') =>
        h(VInput as never, {
          modelValue: filters.value[key],
          placeholder,
          type,
          small: true,
          'onUpdate:modelValue': (value: string) => (filters.value[key] = value ?? ''),
          onKeydown: (event: KeyboardEvent) => event.key === 'Enter' && search(),
        });
      return h(
        PrivateView as never,
        { title: 'Security events' },
        {
          'title-outer:prepend': () => null,
          actions: () =>
            h(VButton as never, { rounded: true, icon: true, loading: loading.value, onClick: search }, () =>
              h(resolveComponent('v-icon') as never, { name: 'refresh' }),
            ),
          default: () =>
            h('div', { style: 'padding: 0 var(--content-padding) var(--content-padding-bottom)' }, [
              message.value ? h(VNotice as never, { type: 'danger' }, () => message.value) : null,
              h(
                'div',
                {
                  style:
                    'display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)) auto; gap: 8px; margin: 12px 0',
                },
                [
                  h(VSelect as never, {
                    modelValue: filters.value.type,
                    items: TYPES.map((type) => ({ text: type || 'any type', value: type })),
                    'onUpdate:modelValue': (value: string) => {
                      filters.value.type = value ?? '';
                      search();
                    },
                  }),
                  field('outcome', 'outcome (e.g. failed)'),
                  field('user', 'user id (subject or actor)'),
                  field('since', 'since', 'datetime-local'),
                  field('until', 'until', 'datetime-local'),
                  h(VButton as never, { onClick: search }, () => 'Filter'),
                ],
              ),
              h('table', { style: 'border-collapse: collapse; width: 100%' }, [
                head(['time', 'type', 'outcome', 'actor', 'user', 'IP', 'request', 'detail']),
                h(
                  'tbody',
                  events.value.length === 0
                    ? [h('tr', [cell('No events match.')])]
                    : events.value.map((event) =>
                        h(
                          'tr',
                          { style: 'border-top: var(--theme--border-width) solid var(--theme--border-color-subdued)' },
                          [
                            cell(new Date(event.occurred_at).toLocaleString()),
                            cell(event.type),
                            cell(event.outcome),
                            h('td', { style: 'padding: 6px 12px', title: event.actor_id ?? '' }, short(event.actor_id)),
                            h('td', { style: 'padding: 6px 12px', title: event.user_id ?? '' }, short(event.user_id)),
                            cell(event.ip ?? '—'),
                            h(
                              'td',
                              { style: 'padding: 6px 12px', title: event.request_id ?? '' },
                              short(event.request_id),
                            ),
                            cell(h('code', { style: 'white-space: pre-wrap' }, JSON.stringify(event.detail))),
                          ],
                        ),
                      ),
                ),
              ]),
              h('div', { style: 'display: flex; gap: 8px; margin-top: 12px' }, [
                h(
                  VButton as never,
                  { small: true, secondary: true, disabled: cursors.value.length === 0, onClick: newer },
                  () => 'Newer',
                ),
                h(
                  VButton as never,
                  { small: true, secondary: true, disabled: !next.value, onClick: older },
                  () => 'Older',
                ),
              ]),
            ]),
        },
      );
    };
  },
});

export default defineModule({
  id: SECURITY_MODULE_ID,
  name: 'Security events',
  icon: 'shield',
  routes: [{ path: '', component: SecurityEventsPage }],
  // Admins only; the route checks again.
  preRegisterCheck: (user) => user.admin_access === true,
});
