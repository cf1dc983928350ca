// Admin app module "Import / Export" (issue 11, item 6): staff pick a collection, upload a CSV, XLSX, JSON or NDJSON
// file with mode, match fields, natural-key relations and a column mapping, run a dry run or the import, and read
// the row report (downloadable as CSV); or export the collection with fields, filter and sort as CSV, XLSX, JSON or
// NDJSON, directly or in the background (a run followed here, listed with its owner-only download). It calls the
// routes as the signed-in user, so it can do exactly what their permissions allow. A render function keeps it inside
// the repo's TypeScript lint, like the Jobs module.
import { defineModule, useApi } from '@directus/extensions-sdk';
import { defineComponent, h, onMounted, onUnmounted, ref, resolveComponent, watch } from 'vue';
import type { ImportRun } from '../../imports/core/contract.js';
import { FINISHED } from '../../imports/core/progress.js';
import { reportCsv, type ImportReport } from '../../imports/core/report.js';
import type { SavedMapping } from '../../imports/core/saved.js';
import type { ExportRunView } from '../../exports/core/runs.js';
import { EXPORT_FINISHED } from '../../exports/core/status.js';
import { TRANSFER_MODULE_ID } from '../core/module-id.js';

const FORMATS = ['csv', 'xlsx', 'json', 'ndjson'] as const;
const field = 'display: flex; flex-direction: column; gap: 4px; min-width: 220px';
const control = 'padding: 6px; font: inherit';

function download(data: Blob, name: string): void {
  const url = URL.createObjectURL(data);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  URL.revokeObjectURL(url);
}

/** One line on a background run: its status, rows through each phase, pace and time left. */
function describeRun(run: ImportRun): string {
  const p = run.progress;
  const total = p.rows_total === null ? '?' : String(p.rows_total);
  const pace = p.rows_per_second === null ? '' : `, ${p.rows_per_second} rows/s`;
  const eta = p.eta_seconds === null || FINISHED.includes(run.status) ? '' : `, about ${p.eta_seconds} s left`;
  const attempts = run.attempts > 1 ? ` (attempt ${run.attempts})` : '';
  return `${run.status}${attempts}: ${p.percent} %, ${p.rows_checked}/${total} checked, ${p.rows_written} written${pace}${eta}`;
}

/** One line on a background export: its status, rows and bytes written, pace. */
function describeExport(run: ExportRunView): string {
  const p = run.progress;
  const pace = p.rows_per_second === null ? '' : `, ${p.rows_per_second} rows/s`;
  const attempts = run.attempts > 1 ? ` (attempt ${run.attempts})` : '';
  const reason = run.status === 'failed' && run.error ? `: ${run.error}` : '';
  return `${run.status}${attempts}: ${p.rows_written} rows, ${Math.ceil(p.bytes_written / 1024)} KiB${pace}${reason}`;
}

const TransferPage = defineComponent({
  name: 'GroundworkTransfer',
  setup() {
    const api = useApi();
    const collections = ref<string[]>([]);
    const collection = ref('');
    const message = ref<string | null>(null);
    const busy = ref(false);
    const file = ref<File | null>(null);
    const emptyOptions = () => ({
      mode: 'insert',
      match: '',
      relations: '',
      mapping: '',
      vocabularies: '',
      create_missing: '',
      sheet: '',
    });
    const options = ref(emptyOptions());
    // Saved mappings (decision 0058): picking one fills the form (the user sees and may change what it holds);
    // "Save" keeps the form under a name.
    const saved = ref<SavedMapping[]>([]);
    const savedChoice = ref('');
    const savedName = ref({ name: '' });
    const background = ref(false);
    // Off by default, as the route: imported rows notify no one unless the user asks (an import of history).
    const notify = ref(false);
    const run = ref<ImportRun | null>(null);
    const history = ref<ImportRun[]>([]);
    let polling: ReturnType<typeof setTimeout> | null = null;
    onUnmounted(() => polling && clearTimeout(polling));
    const report = ref<ImportReport | null>(null);
    const exportForm = ref({ format: 'csv', fields: '*', filter: '', sort: '' });
    const exportBackground = ref(false);
    const exportRun = ref<ExportRunView | null>(null);
    const exportHistory = ref<ExportRunView[]>([]);
    let exportPolling: ReturnType<typeof setTimeout> | null = null;
    onUnmounted(() => exportPolling && clearTimeout(exportPolling));

    const failure = (error: unknown) => {
      const response = (error as { response?: { data?: { errors?: Array<{ message: string }> } } }).response;
      message.value = response?.data?.errors?.[0]?.message ?? String(error);
    };

    async function loadHistory() {
      try {
        history.value = (await api.get('/groundwork/v1/imports/runs', { params: { limit: 10 } })).data
          .data as ImportRun[];
      } catch {
        history.value = [];
      }
    }

    /** A background run: its progress every second until it ends, then its report as a direct run shows it. */
    async function follow(id: string) {
      try {
        const current = (await api.get(`/groundwork/v1/imports/runs/${id}`)).data.data as ImportRun;
        run.value = current;
        if (FINISHED.includes(current.status)) {
          busy.value = false;
          if (current.report) report.value = current.report as ImportReport;
          else message.value = current.error ?? 'The import failed.';
          void loadHistory();
        } else polling = setTimeout(() => void follow(id), 1000);
      } catch (error) {
        busy.value = false;
        failure(error);
      }
    }

    async function loadSaved() {
      saved.value = [];
      savedChoice.value = '';
      if (!collection.value) return;
      try {
        saved.value = (
          await api.get('/groundwork/v1/imports/saved-mappings', { params: { collection: collection.value } })
        ).data.data as SavedMapping[];
      } catch (error) {
        failure(error);
      }
    }
    watch(collection, () => void loadSaved());

    function useSaved(id: string) {
      savedChoice.value = id;
      const chosen = saved.value.find((entry) => entry.id === id);
      if (!chosen) return;
      const next = emptyOptions();
      for (const key of Object.keys(next) as Array<keyof typeof next>) {
        const value = chosen.options[key];
        if (value !== undefined && value !== null)
          next[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
      }
      options.value = next;
      savedName.value.name = chosen.name;
    }

    /** The form's options as the routes take them (empty ones left out). */
    function formOptions(): Record<string, string> {
      const given: Record<string, string> = { mode: options.value.mode };
      for (const key of ['match', 'relations', 'mapping', 'vocabularies', 'create_missing', 'sheet'] as const)
        if (options.value[key].trim()) given[key] = options.value[key].trim();
      return given;
    }

    /** Saves the form under the name: replaces the caller's mapping of that name, else creates one. */
    async function saveMapping() {
      message.value = null;
      const name = savedName.value.name.trim();
      if (!collection.value || !name) return void (message.value = 'Choose a collection and give the mapping a name.');
      const same = saved.value.find((entry) => entry.name === name);
      try {
        if (same) await api.patch(`/groundwork/v1/imports/saved-mappings/${same.id}`, { options: formOptions() });
        else
          await api.post('/groundwork/v1/imports/saved-mappings', {
            name,
            collection: collection.value,
            options: formOptions(),
          });
        await loadSaved();
        const kept = saved.value.find((entry) => entry.name === name);
        if (kept) savedChoice.value = kept.id;
      } catch (error) {
        failure(error);
      }
    }

    async function deleteMapping() {
      if (!savedChoice.value) return;
      try {
        await api.delete(`/groundwork/v1/imports/saved-mappings/${savedChoice.value}`);
        await loadSaved();
      } catch (error) {
        failure(error);
      }
    }

    async function loadExportHistory() {
      try {
        exportHistory.value = (await api.get('/groundwork/v1/exports/runs', { params: { limit: 10 } })).data
          .data as ExportRunView[];
      } catch {
        exportHistory.value = [];
      }
    }

    /** A background export: its progress every second until it ends; the file is then in the list below. */
    async function followExport(id: string) {
      try {
        const current = (await api.get(`/groundwork/v1/exports/runs/${id}`)).data.data as ExportRunView;
        exportRun.value = current;
        if (EXPORT_FINISHED.includes(current.status)) {
          busy.value = false;
          if (current.status === 'failed') message.value = current.error ?? 'The export failed.';
          void loadExportHistory();
        } else exportPolling = setTimeout(() => void followExport(id), 1000);
      } catch (error) {
        busy.value = false;
        failure(error);
      }
    }

    /** Through the owner-only route, with the app's session (a plain link would carry no token). */
    async function downloadRun(entry: ExportRunView) {
      if (!entry.file_url) return;
      try {
        const answer = await api.get(entry.file_url, { responseType: 'blob' });
        download(answer.data as Blob, entry.file_name ?? `${entry.collection}.${entry.format}`);
      } catch (error) {
        failure(error);
      }
    }

    onMounted(async () => {
      void loadHistory();
      void loadExportHistory();
      try {
        const found = await api.get('/collections');
        collections.value = (found.data.data as Array<{ collection: string; schema: unknown }>)
          .filter((entry) => entry.schema && !entry.collection.startsWith('directus_'))
          .map((entry) => entry.collection)
          .sort();
      } catch (error) {
        failure(error);
      }
    });

    async function runImport(dryRun: boolean) {
      message.value = null;
      report.value = null;
      if (!collection.value || !file.value) return void (message.value = 'Choose a collection and a file.');
      const form = new FormData();
      for (const [key, value] of Object.entries(formOptions())) form.append(key, value);
      form.append('dry_run', String(dryRun));
      if (background.value) form.append('background', 'true');
      if (notify.value) form.append('notify', 'true');
      form.append('file', file.value, file.value.name);
      busy.value = true;
      run.value = null;
      if (background.value) {
        try {
          const answer = await api.post(`/groundwork/v1/imports/${collection.value}`, form);
          await follow((answer.data.data as { id: string }).id);
        } catch (error) {
          busy.value = false;
          failure(error);
        }
        return;
      }
      try {
        const answer = await api.post(`/groundwork/v1/imports/${collection.value}`, form, {
          // A report with row errors is an answer, not a failure: show it.
          validateStatus: (status: number) => status < 500,
        });
        if (answer.data?.data?.counts) report.value = answer.data.data as ImportReport;
        else message.value = answer.data?.errors?.[0]?.message ?? `The import answered ${answer.status}.`;
      } catch (error) {
        failure(error);
      } finally {
        busy.value = false;
      }
    }

    async function runExport() {
      message.value = null;
      if (!collection.value) return void (message.value = 'Choose a collection.');
      const { format, fields, filter, sort } = exportForm.value;
      const params: Record<string, string> = { format };
      if (fields.trim()) params['fields'] = fields.trim();
      if (filter.trim()) params['filter'] = filter.trim();
      if (sort.trim()) params['sort'] = sort.trim();
      if (exportBackground.value) return startBackgroundExport(params);
      busy.value = true;
      try {
        const answer = await api.get(`/groundwork/v1/exports/items/${collection.value}`, {
          params,
          responseType: 'blob',
        });
        download(answer.data as Blob, `${collection.value}.${format}`);
      } catch (error) {
        const blob = (error as { response?: { data?: Blob } }).response?.data;
        if (blob instanceof Blob) {
          try {
            message.value = (
              JSON.parse(await blob.text()) as { errors: Array<{ message: string }> }
            ).errors[0]!.message;
          } catch {
            failure(error);
          }
        } else failure(error);
      } finally {
        busy.value = false;
      }
    }

    /** The same query as the GET, as the POST's JSON body (a filter as an object). */
    async function startBackgroundExport(params: Record<string, string>) {
      const body: Record<string, unknown> = { ...params };
      if (params['filter']) {
        try {
          body['filter'] = JSON.parse(params['filter']);
        } catch {
          return void (message.value = 'The filter is not valid JSON.');
        }
      }
      busy.value = true;
      exportRun.value = null;
      try {
        const answer = await api.post(`/groundwork/v1/exports/${collection.value}`, body);
        await followExport((answer.data.data as { id: string }).id);
      } catch (error) {
        busy.value = false;
        failure(error);
      }
    }

    const text = (target: Record<string, string>, key: string, label: string, placeholder = '') =>
      h('label', { style: field }, [
        label,
        h('input', {
          type: 'text',
          value: target[key],
          placeholder,
          style: control,
          'data-test': key,
          onInput: (event: Event) => (target[key] = (event.target as HTMLInputElement).value),
        }),
      ]);
    const checkbox = (flag: { value: boolean }, dataTest: string, label: string) =>
      h('label', { style: 'display: flex; gap: 6px; align-items: center' }, [
        h('input', {
          type: 'checkbox',
          checked: flag.value,
          'data-test': dataTest,
          onChange: (event: Event) => (flag.value = (event.target as HTMLInputElement).checked),
        }),
        label,
      ]);
    const select = (target: Record<string, string>, key: string, label: string, choices: readonly string[]) =>
      h('label', { style: field }, [
        label,
        h(
          'select',
          {
            value: target[key],
            style: control,
            onChange: (event: Event) => (target[key] = (event.target as HTMLSelectElement).value),
          },
          choices.map((choice) => h('option', { value: choice }, choice)),
        ),
      ]);

    return () => {
      const PrivateView = resolveComponent('private-view');
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      const row = (children: unknown[]) =>
        h(
          'div',
          { style: 'display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-end; margin: 12px 0' },
          children as never,
        );
      const current = report.value;
      return h(
        PrivateView as never,
        { title: 'Import / Export' },
        {
          'title-outer:prepend': () => null,
          default: () =>
            h('div', { style: 'padding: 0 var(--content-padding) var(--content-padding-bottom); max-width: 1100px' }, [
              message.value ? h(VNotice as never, { type: 'danger' }, () => message.value) : null,
              row([
                h('label', { style: field }, [
                  'Collection',
                  h(
                    'select',
                    {
                      value: collection.value,
                      style: control,
                      'data-test': 'collection',
                      onChange: (event: Event) => (collection.value = (event.target as HTMLSelectElement).value),
                    },
                    [
                      h('option', { value: '' }, 'Choose…'),
                      ...collections.value.map((c) => h('option', { value: c }, c)),
                    ],
                  ),
                ]),
              ]),
              h('h2', { style: 'margin: 24px 0 4px; font-size: 18px' }, 'Import'),
              h('p', 'All or nothing: any row error writes nothing. A dry run makes every check and writes nothing.'),
              row([
                h('label', { style: field }, [
                  'Saved mapping',
                  h(
                    'select',
                    {
                      value: savedChoice.value,
                      style: control,
                      'data-test': 'saved-mapping',
                      onChange: (event: Event) => useSaved((event.target as HTMLSelectElement).value),
                    },
                    [
                      h('option', { value: '' }, saved.value.length ? 'Choose…' : 'None for this collection'),
                      ...saved.value.map((entry) => h('option', { value: entry.id }, entry.name)),
                    ],
                  ),
                ]),
                text(savedName.value, 'name', 'Save the form as', 'Monthly tickets'),
                h(
                  VButton as never,
                  { secondary: true, disabled: busy.value, 'data-test': 'save-mapping', onClick: saveMapping },
                  () => 'Save mapping',
                ),
                h(
                  VButton as never,
                  { secondary: true, disabled: busy.value || !savedChoice.value, onClick: deleteMapping },
                  () => 'Delete',
                ),
              ]),
              row([
                h('label', { style: field }, [
                  'File (CSV, XLSX, JSON, NDJSON)',
                  h('input', {
                    type: 'file',
                    accept: '.csv,.xlsx,.json,.ndjson,text/csv,application/json',
                    'data-test': 'file',
                    onChange: (event: Event) => (file.value = (event.target as HTMLInputElement).files?.[0] ?? null),
                  }),
                ]),
                select(options.value, 'mode', 'Mode', ['insert', 'update', 'upsert']),
                text(options.value, 'match', 'Match fields (update, upsert)', 'number'),
              ]),
              row([
                text(options.value, 'relations', 'Relations by natural key (JSON)', '{"organization":"domain"}'),
                text(options.value, 'mapping', 'Column → field (JSON, optional)', '{"Subject":"subject"}'),
                text(options.value, 'sheet', 'XLSX sheet (default: the first)', 'Tickets'),
              ]),
              row([
                text(options.value, 'vocabularies', 'Vocabulary columns (JSON)', '{"tags":"tags.name"}'),
                text(options.value, 'create_missing', 'Create missing names in', 'tags'),
              ]),
              row([
                checkbox(background, 'background', 'In the background (progress here, a notification at the end)'),
                checkbox(notify, 'notify', "Notify as for new items (the rows' events: receipts, rules, webhooks)"),
                h(
                  VButton as never,
                  { secondary: true, disabled: busy.value, 'data-test': 'dry-run', onClick: () => runImport(true) },
                  () => 'Dry run',
                ),
                h(VButton as never, { disabled: busy.value, onClick: () => runImport(false) }, () => 'Import'),
              ]),
              run.value ? h('p', { 'data-test': 'progress' }, describeRun(run.value)) : null,
              current
                ? h('div', { 'data-test': 'report' }, [
                    h(
                      VNotice as never,
                      { type: current.counts.errors ? 'warning' : 'success' },
                      () =>
                        `${current.dry_run ? 'Dry run' : current.written ? 'Imported' : 'Nothing written'}` +
                        `${current.replayed ? ' (the earlier run of this file)' : ''}: ${current.counts.rows} rows, ` +
                        `${current.counts.insert} to insert, ${current.counts.update} to update, ` +
                        `${current.counts.skip} skipped, ${current.counts.errors} errors.` +
                        (current.vocabularies ?? [])
                          .filter((entry) => entry.created > 0)
                          .map(
                            (entry) =>
                              ` ${entry.created} new ${entry.collection} ${current.written ? 'created' : 'to create'}: ${entry.names.join(', ')}.`,
                          )
                          .join(''),
                    ),
                    current.errors.length
                      ? h('div', [
                          h(
                            VButton as never,
                            {
                              small: true,
                              secondary: true,
                              onClick: () =>
                                download(new Blob([reportCsv(current)], { type: 'text/csv' }), 'import-report.csv'),
                            },
                            () => 'Download the report (CSV)',
                          ),
                          h('table', { style: 'border-collapse: collapse; width: 100%; margin-top: 8px' }, [
                            h(
                              'thead',
                              h(
                                'tr',
                                ['row', 'field', 'code', 'message'].map((label) =>
                                  h('th', { style: 'padding: 4px 8px; text-align: left' }, label),
                                ),
                              ),
                            ),
                            h(
                              'tbody',
                              current.errors.slice(0, 500).map((error) =>
                                h(
                                  'tr',
                                  [error.row, error.field ?? '', error.code, error.message].map((value) =>
                                    h('td', { style: 'padding: 4px 8px; vertical-align: top' }, String(value)),
                                  ),
                                ),
                              ),
                            ),
                          ]),
                        ])
                      : null,
                  ])
                : null,
              history.value.length
                ? h('details', { style: 'margin: 12px 0' }, [
                    h('summary', 'Your recent background imports'),
                    h(
                      'ul',
                      history.value.map((entry) =>
                        h(
                          'li',
                          `${entry.created_at.slice(0, 16).replace('T', ' ')} ${entry.file_name} → ${entry.collection}: ${describeRun(entry)}`,
                        ),
                      ),
                    ),
                  ])
                : null,
              h('h2', { style: 'margin: 32px 0 4px; font-size: 18px' }, 'Export'),
              h('p', 'Streams every row your permissions let you read; cells that look like formulas are neutralised.'),
              row([
                select(exportForm.value, 'format', 'Format', FORMATS),
                text(exportForm.value, 'fields', 'Fields', 'id,subject,organization.name'),
                text(exportForm.value, 'filter', 'Filter (JSON)', '{"status":{"_eq":"open"}}'),
                text(exportForm.value, 'sort', 'Sort', '-date_created'),
              ]),
              row([
                checkbox(
                  exportBackground,
                  'export-background',
                  'In the background (a file only you can download, a notification at the end)',
                ),
                h(VButton as never, { disabled: busy.value, onClick: runExport }, () => 'Export'),
              ]),
              exportRun.value ? h('p', { 'data-test': 'export-progress' }, describeExport(exportRun.value)) : null,
              exportHistory.value.length
                ? h('details', { style: 'margin: 12px 0', open: true, 'data-test': 'export-runs' }, [
                    h('summary', 'Your recent background exports'),
                    h(
                      'ul',
                      exportHistory.value.map((entry) =>
                        h('li', [
                          `${entry.created_at.slice(0, 16).replace('T', ' ')} ${entry.collection} (${entry.format}): ${describeExport(entry)} `,
                          entry.file_url
                            ? h(
                                VButton as never,
                                { small: true, secondary: true, onClick: () => downloadRun(entry) },
                                () => 'Download',
                              )
                            : null,
                        ]),
                      ),
                    ),
                  ])
                : null,
            ]),
        },
      );
    };
  },
});

export default defineModule({
  id: TRANSFER_MODULE_ID,
  name: 'Import / Export',
  icon: 'import_export',
  routes: [{ path: '', component: TransferPage }],
  // Anyone signed in to the app: the routes apply the caller's own permissions to every row.
  preRegisterCheck: (user) => Boolean(user),
});
