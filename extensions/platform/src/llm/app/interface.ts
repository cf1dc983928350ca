// Admin app interface "Ticket assist" (issue 13, decision 0050): a presentation field on the ticket form with the
// three assists (suggested reply, summary, triage), each streamed from POST /groundwork/v1/assist/tickets/:id/:assist
// and shown as it arrives. The app's own API client (useApi: its auth, its base URL) reads the server-sent events
// through its download progress. A render function rather than a .vue file keeps it inside the repo's lint.
import { defineInterface, useApi } from '@directus/extensions-sdk';
import { computed, defineComponent, h, ref, resolveComponent } from 'vue';

const ASSISTS = [
  { key: 'reply', label: 'Suggest a reply', icon: 'reply' },
  { key: 'summary', label: 'Summarize', icon: 'summarize' },
  { key: 'triage', label: 'Triage', icon: 'category' },
] as const;

interface Parsed {
  text: string;
  model: string | null;
  cached: boolean;
  result: Record<string, unknown> | null;
  error: string | null;
  done: boolean;
}

/** The events received so far (the whole text each time: a partial last event is left for the next call). */
export function parseAssistEvents(raw: string): Parsed {
  const parsed: Parsed = { text: '', model: null, cached: false, result: null, error: null, done: false };
  for (const block of raw.split('\n\n').slice(0, -1)) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const line = /^data: (.*)$/m.exec(block)?.[1];
    if (!event || !line) continue;
    const data = JSON.parse(line) as Record<string, unknown>;
    if (event === 'meta') {
      parsed.model = String(data.model ?? '');
      parsed.cached = data.cached === true;
    } else if (event === 'delta') parsed.text += String(data.text ?? '');
    else if (event === 'result') parsed.result = data;
    else if (event === 'error') parsed.error = String(data.message ?? data.code ?? 'failed');
    else if (event === 'done') parsed.done = true;
  }
  return parsed;
}

const TicketAssist = defineComponent({
  name: 'GroundworkTicketAssist',
  props: {
    collection: { type: String, required: true },
    primaryKey: { type: [String, Number], default: null },
  },
  setup(props) {
    const api = useApi();
    const running = ref<string | null>(null);
    const last = ref('reply');
    const output = ref<Parsed | null>(null);
    const problem = ref<string | null>(null);
    const isNew = computed(() => props.primaryKey === null || props.primaryKey === '+');

    async function run(assist: string, fresh = false) {
      running.value = assist;
      last.value = assist;
      output.value = null;
      problem.value = null;
      const id = encodeURIComponent(String(props.primaryKey));
      try {
        const response = await api.post(`/groundwork/v1/assist/tickets/${id}/${assist}`, fresh ? { fresh: true } : {}, {
          responseType: 'text',
          onDownloadProgress: (progress: { event?: { target?: { responseText?: string } } }) => {
            const text = progress.event?.target?.responseText;
            if (typeof text === 'string') output.value = parseAssistEvents(text);
          },
        });
        output.value = parseAssistEvents(String(response.data));
      } catch (error) {
        const data = (error as { response?: { data?: unknown } }).response?.data;
        const body = typeof data === 'string' ? (JSON.parse(data) as unknown) : data;
        problem.value =
          (body as { errors?: Array<{ message: string }> } | undefined)?.errors?.[0]?.message ?? String(error);
      } finally {
        running.value = null;
      }
    }

    return () => {
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      const VIcon = resolveComponent('v-icon');
      if (isNew.value)
        return h('div', { style: 'color: var(--theme--foreground-subdued)' }, 'Save the ticket to use the assists.');
      const result = output.value?.result;
      return h('div', { class: 'groundwork-ticket-assist', style: 'display: grid; gap: 8px' }, [
        h(
          'div',
          { style: 'display: flex; flex-wrap: wrap; gap: 8px' },
          ASSISTS.map((assist) =>
            h(
              VButton as never,
              {
                small: true,
                secondary: true,
                loading: running.value === assist.key,
                disabled: running.value !== null,
                'data-assist': assist.key,
                onClick: () => run(assist.key),
              },
              () => [h(VIcon as never, { name: assist.icon, left: true, small: true }), assist.label],
            ),
          ),
        ),
        problem.value ? h(VNotice as never, { type: 'warning' }, () => problem.value) : null,
        output.value
          ? h(
              'div',
              {
                'data-assist-output': '',
                style:
                  'white-space: pre-wrap; padding: 12px; border-radius: var(--theme--border-radius); background: var(--theme--background-subdued)',
              },
              result
                ? `Priority: ${String(result.priority)}\nCategory: ${String(result.category ?? '—')}\nTags: ${(result.tags as string[]).join(', ')}\n${String(result.reason ?? '')}`
                : output.value.text,
            )
          : null,
        output.value?.error ? h(VNotice as never, { type: 'danger' }, () => output.value?.error) : null,
        output.value?.done
          ? h('div', { style: 'color: var(--theme--foreground-subdued); font-size: 12px' }, [
              `${output.value.cached ? 'From the cache' : 'Model'}: ${output.value.model ?? ''}. A suggestion: check it before using it. `,
              output.value.cached
                ? h(
                    'a',
                    { href: '#', onClick: (event: Event) => (event.preventDefault(), run(last.value, true)) },
                    'Ask again',
                  )
                : null,
            ])
          : null,
      ]);
    };
  },
});

export default defineInterface({
  id: 'groundwork-ticket-assist',
  name: 'Ticket assist',
  icon: 'auto_awesome',
  description: 'LLM suggestions on a ticket (reply, summary, triage), streamed; needs GROUNDWORK_LLM_* on the server',
  component: TicketAssist,
  types: ['alias'],
  localTypes: ['presentation'],
  group: 'presentation',
  options: null,
});
