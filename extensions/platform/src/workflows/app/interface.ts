// Admin app interface "Workflow state" for the state field of a collection with a workflow (issue 14 item 8): it
// offers only the moves the signed-in user may make now, from GET /groundwork/v1/workflows/:collection/:id/transitions
// (the same rule the write is checked against), shows the blocked ones with their reason, and the item's recent
// history beside them when the user may read it. A new item keeps the field's default (its initial state); the
// write filter still decides every move. A render function rather than a .vue file keeps it inside the repo's lint.
import { defineInterface, useApi } from '@directus/extensions-sdk';
import { computed, defineComponent, h, ref, resolveComponent, watch } from 'vue';

interface Move {
  name: string;
  to: string;
  reason?: string;
}
interface Transitions {
  state: string;
  transitions: Move[];
  blocked: Move[];
}
interface HistoryRow {
  from: string | null;
  to: string;
  transition: string | null;
  at?: string;
}

const label = (state: string) => state.replaceAll('_', ' ');
/** A move's button: its target, and its name when that says more ("sign off → done", not "open → open"). */
const moveLabel = (move: Move) => (move.name === move.to ? label(move.to) : `${label(move.name)} → ${label(move.to)}`);

const WorkflowState = defineComponent({
  name: 'GroundworkWorkflowState',
  props: {
    value: { type: String, default: null },
    collection: { type: String, required: true },
    primaryKey: { type: [String, Number], default: null },
    disabled: { type: Boolean, default: false },
  },
  emits: ['input'],
  setup(props, { emit }) {
    const api = useApi();
    const loaded = ref<Transitions | null>(null);
    const history = ref<HistoryRow[] | null>(null);
    const problem = ref<string | null>(null);
    const isNew = computed(() => props.primaryKey === null || props.primaryKey === '+');

    async function load() {
      problem.value = null;
      if (isNew.value) return;
      const id = encodeURIComponent(String(props.primaryKey));
      try {
        const response = await api.get(`/groundwork/v1/workflows/${props.collection}/${id}/transitions`);
        loaded.value = response.data.data as Transitions;
      } catch (error) {
        const response = (error as { response?: { data?: { errors?: Array<{ message: string }> } } }).response;
        problem.value = response?.data?.errors?.[0]?.message ?? String(error);
      }
      try {
        const response = await api.get('/items/workflow_history', {
          params: {
            filter: { collection: { _eq: props.collection }, item: { _eq: String(props.primaryKey) } },
            fields: ['from', 'to', 'transition', 'at'],
            sort: ['-id'],
            limit: 5,
          },
        });
        history.value = response.data.data as HistoryRow[];
      } catch {
        // Not every role reads the history (customers do not): then the interface shows the moves alone.
        history.value = null;
      }
    }
    watch(() => [props.collection, props.primaryKey], load, { immediate: true });

    return () => {
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      const saved = loaded.value?.state ?? props.value;
      const chosen = props.value;
      const moves = loaded.value?.transitions ?? [];
      return h('div', { class: 'groundwork-workflow-state', style: 'display: grid; gap: 8px' }, [
        h('div', [
          h('strong', { 'data-workflow-state': saved ?? '' }, label(saved ?? '—')),
          chosen && chosen !== saved
            ? h('span', { 'data-workflow-pending': chosen }, ` → ${label(chosen)} (save to apply)`)
            : null,
        ]),
        isNew.value
          ? h('div', { style: 'color: var(--theme--foreground-subdued)' }, 'A new item starts in this state.')
          : null,
        problem.value ? h(VNotice as never, { type: 'warning' }, () => problem.value) : null,
        moves.length || loaded.value?.blocked.length
          ? h('div', { style: 'display: flex; flex-wrap: wrap; gap: 8px' }, [
              ...moves.map((move) =>
                h(
                  VButton as never,
                  {
                    small: true,
                    secondary: chosen !== move.to,
                    disabled: props.disabled,
                    'data-workflow-to': move.to,
                    onClick: () => emit('input', chosen === move.to ? saved : move.to),
                  },
                  () => moveLabel(move),
                ),
              ),
              ...(loaded.value?.blocked ?? []).map((move) =>
                h(
                  VButton as never,
                  {
                    small: true,
                    secondary: true,
                    disabled: true,
                    title: move.reason,
                    'data-workflow-blocked': move.to,
                  },
                  () => moveLabel(move),
                ),
              ),
            ])
          : loaded.value
            ? h('div', { style: 'color: var(--theme--foreground-subdued)' }, 'No move is open to you from this state.')
            : null,
        history.value && history.value.length
          ? h(
              'ul',
              {
                'data-workflow-history': '',
                style: 'margin: 0; padding-left: 18px; color: var(--theme--foreground-subdued)',
              },
              history.value.map((row) =>
                h(
                  'li',
                  `${row.from ? label(row.from) : 'created'} → ${label(row.to)}${row.at ? ` · ${new Date(row.at).toLocaleString()}` : ''}`,
                ),
              ),
            )
          : null,
      ]);
    };
  },
});

export default defineInterface({
  id: 'groundwork-workflow-state',
  name: 'Workflow state',
  icon: 'account_tree',
  description: 'The moves the signed-in user may make now, from the workflow definition, with recent history',
  component: WorkflowState,
  types: ['string'],
  group: 'selection',
  options: null,
});
