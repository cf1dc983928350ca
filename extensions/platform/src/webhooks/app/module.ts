// Admin app module "Webhooks" (issue 13): the subscriptions (switched on and off), the delivery log of the chosen
// one (attempts, status, latency, response excerpt), and the buttons the webhooks routes offer: send a test event,
// replay one delivery, replay the settled deliveries of a time range. Everything goes through /items and
// /groundwork/v1/webhooks as the signed-in user; both answer admins only (decision 0037), so the module registers
// for admins only. A render function keeps it inside the repo's TypeScript lint, like the Jobs module.
import { defineModule, useApi } from '@directus/extensions-sdk';
import { defineComponent, h, onMounted, ref, resolveComponent, type VNode } from 'vue';
import { WEBHOOKS_MODULE_ID } from '../core/module-id.js';

interface Subscription {
  id: string;
  url: string;
  events: string[] | null;
  description: string | null;
  enabled: boolean;
  failing_since: string | null;
}

interface Delivery {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_latency_ms: number | null;
  response_excerpt: string | null;
  last_error: string | null;
  date_created: string;
  last_attempt_at: string | null;
}

const DELIVERY_FIELDS =
  'id,event_type,status,attempts,last_status,last_latency_ms,response_excerpt,last_error,date_created,last_attempt_at';
const cellStyle = 'padding: 6px 12px; vertical-align: top';
const cell = (content: string | number | VNode | VNode[]) => h('td', { style: cellStyle }, content);
const head = (labels: string[]) =>
  h(
    'thead',
    h(
      'tr',
      labels.map((label) => h('th', { style: 'padding: 6px 12px; text-align: left' }, label)),
    ),
  );
const row = (cells: VNode[], attrs: Record<string, unknown> = {}) =>
  h(
    'tr',
    { style: 'border-top: var(--theme--border-width) solid var(--theme--border-color-subdued)', ...attrs },
    cells,
  );
const when = (value: string | null) => (value ? new Date(value).toLocaleString() : '');
/** A datetime-local value (the browser's zone) as the ISO instant the route expects. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');
const localNow = (offsetMs = 0) => {
  const at = new Date(Date.now() + offsetMs);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

const WebhooksPage = defineComponent({
  name: 'GroundworkWebhooks',
  setup() {
    const api = useApi();
    const subscriptions = ref<Subscription[]>([]);
    const selected = ref<string | null>(null);
    const deliveries = ref<Delivery[]>([]);
    const message = ref<{ type: 'info' | 'danger'; text: string } | null>(null);
    const loading = ref(false);
    const range = ref({ from: localNow(-24 * 3600_000), to: localNow(60_000), all: false });

    const failure = (error: unknown) => {
      const response = (error as { response?: { data?: { errors?: Array<{ message: string }> } } }).response;
      message.value = { type: 'danger', text: response?.data?.errors?.[0]?.message ?? String(error) };
    };

    async function loadDeliveries() {
      if (!selected.value) return void (deliveries.value = []);
      const answer = await api.get('/items/webhook_deliveries', {
        params: {
          fields: DELIVERY_FIELDS,
          filter: JSON.stringify({ subscription: { _eq: selected.value } }),
          sort: '-date_created',
          limit: 100,
        },
      });
      deliveries.value = answer.data.data;
    }

    async function load() {
      loading.value = true;
      try {
        const answer = await api.get('/items/webhook_subscriptions', {
          params: { fields: 'id,url,events,description,enabled,failing_since', sort: 'url', limit: -1 },
        });
        subscriptions.value = answer.data.data;
        if (!selected.value && subscriptions.value.length) selected.value = subscriptions.value[0]!.id;
        await loadDeliveries();
      } catch (error) {
        failure(error);
      } finally {
        loading.value = false;
      }
    }

    /** Runs an action, says what it did, and reloads the lists. */
    async function act(what: () => Promise<string>) {
      message.value = null;
      try {
        message.value = { type: 'info', text: await what() };
        await load();
      } catch (error) {
        failure(error);
      }
    }

    const toggle = (subscription: Subscription) =>
      act(async () => {
        await api.patch(`/items/webhook_subscriptions/${subscription.id}`, { enabled: !subscription.enabled });
        return `${subscription.url} is ${subscription.enabled ? 'off' : 'on'}.`;
      });
    const sendTest = (subscription: Subscription) =>
      act(async () => {
        selected.value = subscription.id;
        await api.post(`/groundwork/v1/webhooks/subscriptions/${subscription.id}/test`);
        return 'Test event queued.';
      });
    const replay = (delivery: Delivery) =>
      act(async () => {
        await api.post(`/groundwork/v1/webhooks/deliveries/${delivery.id}/replay`);
        return `Delivery ${delivery.id} queued again (same webhook-id).`;
      });
    const replayRange = () =>
      act(async () => {
        const answer = await api.post('/groundwork/v1/webhooks/deliveries/replay', {
          from: isoOf(range.value.from),
          to: isoOf(range.value.to),
          ...(selected.value ? { subscription: selected.value } : {}),
          ...(range.value.all ? { statuses: ['failed', 'skipped', 'delivered'] } : {}),
        });
        return `${answer.data.data.count} deliveries queued again.`;
      });

    onMounted(load);

    return () => {
      const PrivateView = resolveComponent('private-view');
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      const button = (label: string, onClick: () => unknown, test: string, extra: Record<string, unknown> = {}) =>
        h(VButton as never, { small: true, onClick, 'data-test': test, ...extra }, () => label);
      const current = subscriptions.value.find((s) => s.id === selected.value);
      return h(
        PrivateView as never,
        { title: 'Webhooks' },
        {
          'title-outer:prepend': () => null,
          actions: () =>
            h(VButton as never, { rounded: true, icon: true, loading: loading.value, onClick: load }, () =>
              h(resolveComponent('v-icon') as never, { name: 'refresh' }),
            ),
          default: () =>
            h('div', { style: 'padding: 0 var(--content-padding) var(--content-padding-bottom)' }, [
              // The wrapper carries the test hook: Directus's v-notice does not pass attributes to its root.
              message.value
                ? h('div', { 'data-test': 'message' }, [
                    h(VNotice as never, { type: message.value.type }, () => message.value!.text),
                  ])
                : null,
              h('h2', { style: 'margin: 12px 0' }, 'Subscriptions'),
              h('table', { style: 'border-collapse: collapse; width: 100%; margin-bottom: 24px' }, [
                head(['url', 'events', 'description', 'state', '']),
                h(
                  'tbody',
                  subscriptions.value.length === 0
                    ? [h('tr', [cell('No subscriptions: create one with POST /groundwork/v1/webhooks/subscriptions.')])]
                    : subscriptions.value.map((s) =>
                        row(
                          [
                            cell(s.url),
                            cell((s.events ?? []).join(', ')),
                            cell(s.description ?? ''),
                            cell(
                              s.enabled
                                ? s.failing_since
                                  ? `on, failing since ${when(s.failing_since)}`
                                  : 'on'
                                : 'off',
                            ),
                            cell([
                              button('Deliveries', () => ((selected.value = s.id), void loadDeliveries()), 'show', {
                                secondary: selected.value !== s.id,
                              }),
                              button(s.enabled ? 'Turn off' : 'Turn on', () => toggle(s), 'toggle', {
                                secondary: true,
                              }),
                              button('Send test event', () => sendTest(s), 'send-test', { secondary: true }),
                            ]),
                          ],
                          { 'data-subscription': s.id },
                        ),
                      ),
                ),
              ]),
              current
                ? h('div', [
                    h('h2', { style: 'margin: 12px 0' }, `Deliveries to ${current.url}`),
                    h('div', { style: 'display: flex; gap: 8px; align-items: end; margin-bottom: 12px' }, [
                      h('label', { style: 'display: flex; flex-direction: column' }, [
                        'Created from',
                        h('input', {
                          type: 'datetime-local',
                          value: range.value.from,
                          'data-test': 'range-from',
                          onInput: (e: Event) => (range.value.from = (e.target as HTMLInputElement).value),
                        }),
                      ]),
                      h('label', { style: 'display: flex; flex-direction: column' }, [
                        'to',
                        h('input', {
                          type: 'datetime-local',
                          value: range.value.to,
                          'data-test': 'range-to',
                          onInput: (e: Event) => (range.value.to = (e.target as HTMLInputElement).value),
                        }),
                      ]),
                      h('label', [
                        h('input', {
                          type: 'checkbox',
                          checked: range.value.all,
                          onChange: (e: Event) => (range.value.all = (e.target as HTMLInputElement).checked),
                        }),
                        ' delivered ones too',
                      ]),
                      button('Replay range', replayRange, 'replay-range'),
                    ]),
                    h('table', { style: 'border-collapse: collapse; width: 100%', 'data-test': 'deliveries' }, [
                      head(['created', 'event', 'status', 'attempts', 'HTTP', 'latency', 'response / error', '']),
                      h(
                        'tbody',
                        deliveries.value.length === 0
                          ? [h('tr', [cell('No deliveries yet.')])]
                          : deliveries.value.map((d) =>
                              row(
                                [
                                  cell(when(d.date_created)),
                                  cell(d.event_type),
                                  cell(d.status),
                                  cell(d.attempts),
                                  cell(d.last_status ?? ''),
                                  cell(d.last_latency_ms === null ? '' : `${d.last_latency_ms} ms`),
                                  cell(
                                    h(
                                      'code',
                                      { style: 'white-space: pre-wrap; word-break: break-all' },
                                      (d.response_excerpt ?? d.last_error ?? '').slice(0, 300),
                                    ),
                                  ),
                                  cell(button('Replay', () => replay(d), 'replay')),
                                ],
                                { 'data-delivery': d.id, 'data-status': d.status },
                              ),
                            ),
                      ),
                    ]),
                  ])
                : null,
            ]),
        },
      );
    };
  },
});

export default defineModule({
  id: WEBHOOKS_MODULE_ID,
  name: 'Webhooks',
  icon: 'webhook',
  routes: [{ path: '', component: WebhooksPage }],
  // Admins only: every route and collection behind it answers admins only (decision 0037).
  preRegisterCheck: (user) => user?.admin_access === true,
});
