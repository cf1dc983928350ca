// Admin app module "API keys": the keys with status and last use, a form to create one (policy, expiry, signature
// required) that shows the key and signing secret once, and Revoke. The routes refuse non-admins; a render function
// keeps it inside the repo's TypeScript lint, like the Jobs module.
import { defineModule, useApi } from '@directus/extensions-sdk';
import { defineComponent, h, onMounted, ref, resolveComponent, type VNode } from 'vue';
import { API_KEYS_MODULE_ID } from '../core/module-id.js';

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  policy: string;
  status: string;
  require_signature: boolean;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
}
interface Policy {
  id: string;
  name: string;
  admin_access: boolean;
}

const cell = (content: string | number | VNode | VNode[] | null) =>
  h('td', { style: 'padding: 6px 12px; vertical-align: top' }, content ?? '');
const when = (value: string | null) => (value ? new Date(value).toLocaleString() : '—');

const ApiKeysPage = defineComponent({
  name: 'GroundworkApiKeys',
  setup() {
    const api = useApi();
    const keys = ref<KeyView[]>([]);
    const policies = ref<Policy[]>([]);
    const message = ref<string | null>(null);
    const shown = ref<{ key: string; signing_secret: string | null } | null>(null);
    const form = ref({ name: '', policy: '', expires_at: '', require_signature: false });

    const failure = (error: unknown) => {
      const response = (error as { response?: { data?: { errors?: Array<{ message: string }> } } }).response;
      message.value = response?.data?.errors?.[0]?.message ?? String(error);
    };

    async function load() {
      message.value = null;
      try {
        const [list, found] = await Promise.all([
          api.get('/groundwork/v1/api-keys'),
          api.get('/policies', { params: { fields: 'id,name,admin_access', limit: -1 } }),
        ]);
        keys.value = list.data.data;
        policies.value = (found.data.data as Policy[]).filter((p) => !p.admin_access);
      } catch (error) {
        failure(error);
      }
    }

    async function create() {
      try {
        const { name, policy, expires_at, require_signature } = form.value;
        const created = await api.post('/groundwork/v1/api-keys', {
          name,
          policy,
          expires_at: expires_at ? new Date(expires_at).toISOString() : null,
          require_signature,
        });
        shown.value = { key: created.data.data.key, signing_secret: created.data.data.signing_secret };
        form.value = { name: '', policy: '', expires_at: '', require_signature: false };
        await load();
      } catch (error) {
        failure(error);
      }
    }

    async function revoke(key: KeyView) {
      try {
        await api.post(`/groundwork/v1/api-keys/${key.id}/revoke`);
        await load();
      } catch (error) {
        failure(error);
      }
    }

    onMounted(load);

    const policyName = (id: string) => policies.value.find((p) => p.id === id)?.name ?? id;
    const input = (field: 'name' | 'expires_at', type: string, placeholder: string) =>
      h('input', {
        type,
        placeholder,
        value: form.value[field],
        style: 'padding: 6px',
        onInput: (event: Event) => (form.value[field] = (event.target as HTMLInputElement).value),
      });

    return () => {
      const PrivateView = resolveComponent('private-view');
      const VButton = resolveComponent('v-button');
      const VNotice = resolveComponent('v-notice');
      return h(
        PrivateView as never,
        { title: 'API keys' },
        {
          'title-outer:prepend': () => null,
          default: () =>
            h('div', { style: 'padding: 0 var(--content-padding) var(--content-padding-bottom)' }, [
              message.value ? h(VNotice as never, { type: 'danger' }, () => message.value) : null,
              shown.value
                ? h(VNotice as never, { type: 'warning' }, () =>
                    h('div', [
                      h('p', 'Copy it now: it is shown this once.'),
                      h('code', { style: 'user-select: all; word-break: break-all' }, shown.value!.key),
                      shown.value!.signing_secret
                        ? h('p', [
                            'Signing secret: ',
                            h('code', { style: 'user-select: all' }, shown.value!.signing_secret),
                          ])
                        : null,
                    ]),
                  )
                : null,
              h('h2', { style: 'margin: 12px 0' }, 'New key'),
              h(
                'div',
                { style: 'display: flex; gap: 8px; align-items: center; margin-bottom: 24px; flex-wrap: wrap' },
                [
                  input('name', 'text', 'Name'),
                  h(
                    'select',
                    {
                      value: form.value.policy,
                      style: 'padding: 6px',
                      onChange: (event: Event) => (form.value.policy = (event.target as HTMLSelectElement).value),
                    },
                    [
                      h('option', { value: '' }, 'Policy…'),
                      ...policies.value.map((p) => h('option', { value: p.id }, p.name)),
                    ],
                  ),
                  input('expires_at', 'datetime-local', 'Expires'),
                  h('label', [
                    h('input', {
                      type: 'checkbox',
                      checked: form.value.require_signature,
                      onChange: (event: Event) =>
                        (form.value.require_signature = (event.target as HTMLInputElement).checked),
                    }),
                    ' require signed requests',
                  ]),
                  h(VButton as never, { small: true, onClick: create }, () => 'Create'),
                ],
              ),
              h('table', { style: 'border-collapse: collapse; width: 100%' }, [
                h(
                  'thead',
                  h(
                    'tr',
                    ['name', 'key', 'policy', 'status', 'signed', 'expires', 'last used', 'created', ''].map((label) =>
                      h('th', { style: 'padding: 6px 12px; text-align: left' }, label),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  keys.value.map((key) =>
                    h('tr', [
                      cell(key.name),
                      cell(h('code', `gw_${key.prefix}_…`)),
                      cell(policyName(key.policy)),
                      cell(key.status),
                      cell(key.require_signature ? 'yes' : 'no'),
                      cell(when(key.expires_at)),
                      cell(when(key.last_used_at)),
                      cell(when(key.created_at)),
                      cell(
                        key.status === 'revoked'
                          ? null
                          : h(
                              VButton as never,
                              { small: true, kind: 'danger', onClick: () => revoke(key) },
                              () => 'Revoke',
                            ),
                      ),
                    ]),
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
  id: API_KEYS_MODULE_ID,
  name: 'API keys',
  icon: 'key',
  routes: [{ path: '', component: ApiKeysPage }],
  // Staff with app access reach the module; the routes refuse everyone but admins.
  preRegisterCheck: (user) => Boolean(user),
});
