// Admin app module "Jobs": per-queue counts and the job list from /groundwork/v1/jobs, filtered by status, with
// Retry and Discard on dead jobs (the endpoints refuse them to non-admins). A render function rather than a .vue
// file keeps it inside the repo's TypeScript lint. Enabled in the module bar once, at boot (app-module.ts).
import { defineModule, useApi } from '@directus/extensions-sdk';
import { defineComponent, h, onMounted, ref, resolveComponent, type VNode } from 'vue';
import { JOBS_MODULE_ID } from '../core/module-bar.js';

interface JobView {
  id: string;
  queue: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  createdOn: string;
}

interface QueueCounts {
  queue: string;
  queued: number;
  active: number;
  retrying: number;
  failed: number;
  dead: number;
}

const STATUSES = ['dead', 'failed', 'retrying', 'active', 'queued', 'scheduled', 'completed'] as const;

const cell = (content: string | number | VNode | VNode[]) =>
  h('td', { style: 'padding: 6px 12px; vertical-align: top' }, content);
const head = (labels: string[]) =>
  h(
    'thead',
    h(
      'tr',
      labels.map((label) => h('th', { style: 'padding: 6px 12px; text-align: left' }, label)),
    ),
  );

const JobsPage = defineComponent({
  name: 'GroundworkJobs',
  setup() {
    const api = useApi();
    const status = ref<(typeof STATUSES)[number]>('dead');
    const jobs = ref<JobView[]>([]);
    const queues = ref<QueueCounts[]>([]);
    const message = ref<string | null>(null);
    const loading = ref(false);

    const failure = (error: unknown) => {
      const response = (error as { response?: { data?: { errors?: Array<{ message: string }> } } }).response;
      message.value = response?.data?.errors?.[0]?.message ?? String(error);
    };

    async function load() {
      loading.value = true;
      message.value = null;
      try {
        const [list, counts] = await Promise.all([
          api.get('/groundwork/v1/jobs', { params: { status: status.value, limit: 200 } }),
          api.get('/groundwork/v1/jobs/queues'),
        ]);
        jobs.value = list.data.data;
        queues.value = counts.data.data;
      } catch (error) {
        failure(error);
      } finally {
        loading.value = false;
      }
    }

    async function act(job: JobView, action: 'retry' | 'discard') {
      try {
        if (action === 'retry') await api.post(`/groundwork/v1/jobs/${job.id}/retry`);
        else await api.delete(`/groundwork/v1/jobs/${job.id}`);
        await load();
      } catch (error) {
        failure(error);
      }
    }

    onMounted(load);

    return () => {
      const PrivateView = resolveComponent('private-view');
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      return h(
        PrivateView as never,
        { title: 'Jobs' },
        {
          'title-outer:prepend': () => null,
          actions: () =>
            h(VButton as never, { rounded: true, icon: true, loading: loading.value, onClick: load }, () =>
              h(resolveComponent('v-icon') as never, { name: 'refresh' }),
            ),
          default: () =>
            h('div', { style: 'padding: 0 var(--content-padding) var(--content-padding-bottom)' }, [
              message.value ? h(VNotice as never, { type: 'danger' }, () => message.value) : null,
              h('h2', { style: 'margin: 12px 0' }, 'Queues'),
              h('table', { style: 'border-collapse: collapse; margin-bottom: 24px' }, [
                head(['queue', 'queued', 'active', 'retrying', 'failed', 'dead']),
                h(
                  'tbody',
                  queues.value.map((q) =>
                    h('tr', [
                      cell(q.queue),
                      cell(q.queued),
                      cell(q.active),
                      cell(q.retrying),
                      cell(q.failed),
                      cell(q.dead),
                    ]),
                  ),
                ),
              ]),
              h(
                'div',
                { style: 'display: flex; gap: 8px; margin-bottom: 12px' },
                STATUSES.map((s) =>
                  h(
                    VButton as never,
                    {
                      small: true,
                      secondary: status.value !== s,
                      onClick: () => {
                        status.value = s;
                        void load();
                      },
                    },
                    () => s,
                  ),
                ),
              ),
              h('table', { style: 'border-collapse: collapse; width: 100%' }, [
                head(['queue', 'status', 'attempts', 'last error', 'created', '']),
                h(
                  'tbody',
                  jobs.value.length === 0
                    ? [h('tr', [cell(`No ${status.value} jobs.`)])]
                    : jobs.value.map((job) =>
                        h(
                          'tr',
                          { style: 'border-top: var(--theme--border-width) solid var(--theme--border-color-subdued)' },
                          [
                            cell(job.queue),
                            cell(job.status),
                            cell(`${job.attempts} / ${job.maxAttempts}`),
                            cell(job.error ?? ''),
                            cell(new Date(job.createdOn).toLocaleString()),
                            cell(
                              job.status === 'dead'
                                ? [
                                    h(
                                      VButton as never,
                                      { small: true, onClick: () => act(job, 'retry') },
                                      () => 'Retry',
                                    ),
                                    h(
                                      VButton as never,
                                      {
                                        small: true,
                                        secondary: true,
                                        kind: 'danger',
                                        onClick: () => act(job, 'discard'),
                                      },
                                      () => 'Discard',
                                    ),
                                  ]
                                : '',
                            ),
                          ],
                        ),
                      ),
                ),
              ]),
            ]),
        },
      );
    };
  },
});

export default defineModule({
  id: JOBS_MODULE_ID,
  name: 'Jobs',
  icon: 'work_history',
  routes: [{ path: '', component: JobsPage }],
  // Staff only: users with app access reach the module; the endpoints check again.
  preRegisterCheck: (user) => Boolean(user),
});
