// Admin app interface "Ticket assist" (issue 13, decision 0050): a presentation field on the ticket form with the
// three assists (suggested reply, summary, triage), each streamed from POST /groundwork/v1/assist/tickets/:id/:assist
// and shown as it arrives. The app's own API client (useApi: its auth, its base URL) reads the server-sent events
// through its download progress. A render function rather than a .vue file keeps it inside the repo's lint.
import { defineInterface, useApi } from '@directus/extensions-sdk';
import { computed, defineComponent, h, ref, resolveComponent } from 'vue';
import { TICKET_ASSIST_INTERFACE_ID } from '../core/interface-id.js';
import { describeRefusal, parseAssistEvents, type AssistView } from '../core/panel.js';

const ASSISTS = [
  { key: 'reply', label: 'Suggest a reply', icon: 'reply' },
  { key: 'summary', label: 'Summarize', icon: 'summarize' },
  { key: 'triage', label: 'Triage', icon: 'category' },
] as const;

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
    const output = ref<AssistView | null>(null);
    const problem = ref<string | null>(null);
    // The server has no LLM configured (404 LLM_NOT_CONFIGURED): said once, plainly, and the buttons go.
    const off = ref<string | null>(null);
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
        const response = (error as { response?: { status?: number; data?: unknown } }).response;
        const refusal = describeRefusal(response?.status ?? null, response?.data);
        // The download progress also saw the refusal's body: it is not an answer.
        output.value = null;
        if (refusal.kind === 'off') off.value = refusal.message;
        else problem.value = refusal.message;
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
      if (off.value)
        return h(
          VNotice as never,
          { type: 'info', class: 'groundwork-ticket-assist', 'data-assist-off': '' },
          () => off.value,
        );
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
  id: TICKET_ASSIST_INTERFACE_ID,
  name: 'Ticket assist',
  icon: 'auto_awesome',
  description: 'LLM suggestions on a ticket (reply, summary, triage), streamed; needs GROUNDWORK_LLM_* on the server',
  component: TicketAssist,
  types: ['alias'],
  localTypes: ['presentation'],
  group: 'presentation',
  options: null,
});
