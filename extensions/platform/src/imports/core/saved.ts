// Saved import mappings (decision 0058): a named set of import options (collection, mode, match, mapping, relations,
// vocabularies, create_missing and the file's reading options) a user saves and reuses with mapping_id=. Stored in
// the wire form the import route takes (text values), so using one is a merge of texts before the route's own zod
// parse: a saved mapping can never hold what the route would refuse, and the request's own options win.
import { z } from 'zod';
import { importOptions } from './contract.js';

/** The options a saved mapping keeps: what describes the file and its mapping, not what one run does. */
export const SAVED_KEYS = [
  'mode',
  'match',
  'mapping',
  'relations',
  'vocabularies',
  'create_missing',
  'format',
  'sheet',
  'delimiter',
  'encoding',
] as const;
type SavedKey = (typeof SAVED_KEYS)[number];
export type SavedOptions = Partial<Record<SavedKey, string>>;

const OBJECT_KEYS: SavedKey[] = ['mapping', 'relations', 'vocabularies'];

/** Objects (mapping, relations, vocabularies) may be given as JSON objects or as the JSON text the route takes. */
const asText = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value;

export const savedOptions = z.record(z.string(), z.unknown()).transform((raw, ctx) => {
  const unknown = Object.keys(raw).filter((key) => !(SAVED_KEYS as readonly string[]).includes(key));
  if (unknown.length) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `A saved mapping keeps only ${SAVED_KEYS.join(', ')}; not ${unknown.join(', ')}.`,
    });
    return z.NEVER;
  }
  const text: SavedOptions = {};
  for (const key of SAVED_KEYS) {
    const value = key === 'match' || key === 'create_missing' ? asList(raw[key]) : asText(raw[key]);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `${key} must be text.` });
      return z.NEVER;
    }
    text[key] = value;
  }
  // The same checks as the import route's, so a saved mapping always parses there.
  const parsed = importOptions.safeParse(text);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: z.ZodIssueCode.custom });
    return z.NEVER;
  }
  return text;
});

/** match and create_missing may be given as arrays of field names. */
function asList(value: unknown): unknown {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.join(',') : value;
}

const NAME = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');
const COLLECTION = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a collection name');

export const savedMappingCreate = z
  .object({
    name: NAME.describe("Unique among the owner's mappings."),
    collection: COLLECTION,
    options: savedOptions.describe(
      'Import options: mode, match, mapping, relations, vocabularies, create_missing, format, sheet, delimiter, encoding (objects as JSON objects or as JSON text).',
    ),
  })
  .strict();

/** Rename, or replace the collection and options (the options are replaced whole, not merged). */
export const savedMappingUpdate = z
  .object({ name: NAME.optional(), collection: COLLECTION.optional(), options: savedOptions.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'Give name, collection or options.');

export const savedMappingParams = z.object({ id: z.string().uuid('a saved mapping id') }).strict();
export const savedMappingsQuery = z
  .object({ collection: COLLECTION.optional().describe('Only the mappings of this collection.') })
  .strict();

export const savedMapping = z.object({
  id: z.string().uuid(),
  name: z.string(),
  collection: z.string(),
  user: z.string().uuid().nullable().describe('The owner.'),
  options: z.record(z.string(), z.unknown()).describe('mapping, relations and vocabularies as JSON objects.'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type SavedMapping = z.infer<typeof savedMapping>;

/** The options as a client reads them: JSON texts as objects, lists as text (as the route takes them). */
export function readableOptions(stored: SavedOptions): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored))
    result[key] = OBJECT_KEYS.includes(key as SavedKey) ? (JSON.parse(value) as unknown) : value;
  return result;
}

/**
 * The request's options over a saved mapping's: every option the request gives wins, the saved ones fill the rest.
 * mapping_id itself is dropped (the mapping's content identifies the run, not its id).
 */
export function withSavedOptions(saved: SavedOptions, given: Record<string, unknown>): Record<string, unknown> {
  const { mapping_id: _id, ...rest } = given;
  return { ...saved, ...rest };
}
