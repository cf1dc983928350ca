// One cell to the value of a Directus field type. CSV gives strings; JSON gives values that are checked the same way.
// An empty cell is null (a CSV has no other way to say "no value").
export type Coerced = { ok: true; value: unknown } | { ok: false; code: 'INVALID_TYPE'; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRUE_WORDS = ['true', '1', 'yes', 'y', 't'];
const FALSE_WORDS = ['false', '0', 'no', 'n', 'f'];
const INT_BOUNDS = { integer: [-2147483648, 2147483647] } as const;

const bad = (message: string): Coerced => ({ ok: false, code: 'INVALID_TYPE', message });

export function coerceCell(raw: unknown, type: string): Coerced {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  const text = typeof raw === 'string' ? raw.trim() : null;
  if (text === '') return { ok: true, value: null };
  switch (type) {
    case 'integer':
    case 'bigInteger': {
      const number = typeof raw === 'number' ? raw : Number(text);
      if (text !== null && !/^[+-]?\d+$/.test(text)) return bad(`"${text}" is not a whole number.`);
      if (!Number.isSafeInteger(number)) return bad(`${String(raw)} is not a whole number in range.`);
      if (type === 'integer' && (number < INT_BOUNDS.integer[0] || number > INT_BOUNDS.integer[1]))
        return bad(`${number} is out of range for an integer.`);
      return { ok: true, value: number };
    }
    case 'float':
    case 'decimal': {
      const number = typeof raw === 'number' ? raw : Number(text);
      if (text !== null && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text))
        return bad(`"${text}" is not a number.`);
      if (!Number.isFinite(number)) return bad(`${String(raw)} is not a number.`);
      // Decimals keep their digits as text: Postgres reads them exactly, a float would round.
      return { ok: true, value: type === 'decimal' && text !== null ? text : number };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const word = String(text ?? raw).toLowerCase();
      if (TRUE_WORDS.includes(word)) return { ok: true, value: true };
      if (FALSE_WORDS.includes(word)) return { ok: true, value: false };
      return bad(`"${String(raw)}" is not true or false.`);
    }
    case 'json': {
      if (text === null) return { ok: true, value: raw };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return bad(`"${text.slice(0, 50)}" is not JSON.`);
      }
    }
    case 'uuid': {
      const value = text ?? String(raw);
      return UUID.test(value) ? { ok: true, value: value.toLowerCase() } : bad(`"${value}" is not a UUID.`);
    }
    case 'date':
    case 'dateTime':
    case 'timestamp': {
      if (text === null) return bad(`${JSON.stringify(raw)} is not a date.`);
      const shape =
        type === 'date'
          ? /^\d{4}-\d{2}-\d{2}$/
          : /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
      if (!shape.test(text) || Number.isNaN(Date.parse(text.length === 10 ? text : text.replace(' ', 'T'))))
        return bad(`"${text}" is not a ${type === 'date' ? 'date (YYYY-MM-DD)' : 'date and time (ISO 8601)'}.`);
      return { ok: true, value: text };
    }
    case 'time': {
      if (text === null || !/^\d{2}:\d{2}(:\d{2})?$/.test(text)) return bad(`"${String(raw)}" is not a time (HH:MM).`);
      return { ok: true, value: text };
    }
    default:
      if (typeof raw === 'object')
        return bad(`A ${type} field takes text, not ${Array.isArray(raw) ? 'a list' : 'an object'}.`);
      return { ok: true, value: typeof raw === 'string' ? raw : String(raw) };
  }
}
