// What the "Ticket assist" panel (app/interface.ts) shows: the route's events read so far, or its refusal in words.
// Pure, so the browser's part is rendering only.

export interface AssistView {
  text: string;
  model: string | null;
  cached: boolean;
  result: Record<string, unknown> | null;
  error: string | null;
  done: boolean;
}

/** The events received so far (the whole text each time: a partial last event is left for the next call). */
export function parseAssistEvents(raw: string): AssistView {
  const view: AssistView = { text: '', model: null, cached: false, result: null, error: null, done: false };
  for (const block of raw.replace(/\r\n/g, '\n').split('\n\n').slice(0, -1)) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const line = /^data: (.*)$/m.exec(block)?.[1];
    if (!event || !line) continue;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Our route writes JSON; anything else (a proxy's page) is not an event of ours.
      continue;
    }
    if (event === 'meta') {
      view.model = String(data.model ?? '');
      view.cached = data.cached === true;
    } else if (event === 'delta') view.text += String(data.text ?? '');
    else if (event === 'result') view.result = data;
    else if (event === 'error') view.error = String(data.message ?? data.code ?? 'failed');
    else if (event === 'done') view.done = true;
  }
  return view;
}

export interface AssistRefusal {
  /** `off`: the feature is not configured here (the panel says so and offers nothing more); else a warning. */
  kind: 'off' | 'refused';
  message: string;
}

export const NOT_CONFIGURED_MESSAGE =
  'LLM assist is not set up on this server: an administrator enables it with GROUNDWORK_LLM_BASE_URL and GROUNDWORK_LLM_MODELS.';

/** A refused request (an error envelope before any event, or no answer at all) in words for the agent. */
export function describeRefusal(status: number | null, body: unknown): AssistRefusal {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      parsed = null;
    }
  }
  const first = (parsed as { errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> } | null)
    ?.errors?.[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : null;
  if (code === 'LLM_NOT_CONFIGURED') return { kind: 'off', message: NOT_CONFIGURED_MESSAGE };
  if (typeof first?.message === 'string' && first.message) return { kind: 'refused', message: first.message };
  if (status === null) return { kind: 'refused', message: 'The server could not be reached; try again.' };
  return { kind: 'refused', message: `The server answered ${status}; try again later.` };
}
