// Which message a file belongs to, for the customer read rule on directus_files. Attachments are an m2m
// (ticket_messages_files), but Directus 11.17.4 cannot evaluate a one-to-many filter in a permission that also
// limits fields (it compiles it to an invalid SQL CASE), so each file also points to the message it was first
// attached to (directus_files.ticket_message) and the rule follows that many-to-one link. Pure.

export type JunctionPayload = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The (file, message) pair a new junction row links, when the payload names both by key; else null. */
export function linkOf(payload: JunctionPayload): { file: string; message: string } | null {
  const file = payload.directus_files_id;
  const message = payload.ticket_messages_id;
  if (typeof file !== 'string' || typeof message !== 'string') return null;
  if (!UUID.test(file) || !UUID.test(message)) return null;
  return { file, message };
}
