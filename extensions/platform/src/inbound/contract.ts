// What the platform hands a domain for each inbound email, and what the domain answers (decision 0049). The platform
// verifies, parses, de-duplicates, drops automatic mail and checks attachments; the domain decides what the email
// becomes (a ticket, a reply), through platformApi.inbound.register.
import type { Accountability } from '@directus/types';
import type { HookExtensionContext } from '@directus/types';
import type { Knex } from 'knex';

export type UnknownSenders = 'reject' | 'pending_contact';

export interface InboundEmail {
  /** Bracketed, as in the header: the idempotency key. */
  messageId: string;
  from: { address: string; name: string };
  subject: string;
  /** The new text only: quoted history and signatures removed (core/quotes.ts). */
  text: string;
  /** Every id of In-Reply-To and References. */
  replyTo: string[];
  /** What the notification emails those ids name were about (the platform's own sent Message-IDs). */
  sentFor: Array<{ collection: string; item: string }>;
  attachmentCount: number;
}

export interface InboundTools {
  database: Knex;
  services: HookExtensionContext['services'];
  getSchema: HookExtensionContext['getSchema'];
  unknownSenders: UnknownSenders;
  /** The accountability a user has now (roles, policies), for the API only; null for an inactive or admin user. */
  accountabilityFor(userId: string): Promise<Accountability | null>;
  /**
   * Stores the email's attachments as Directus files after the same content check and scan as uploads, under the
   * upload size limit of the sender's role and within the sender's storage quota, as files the sender uploaded.
   * Refused ones are recorded by the platform (and infected ones quarantined).
   */
  storeAttachments(sender: Pick<Accountability, 'role' | 'user'>): Promise<string[]>;
}

export type InboundOutcome =
  | { status: 'accepted'; collection: string; item: string }
  | { status: 'refused' | 'held'; reason: string };

export type InboundHandler = (email: InboundEmail, tools: InboundTools) => Promise<InboundOutcome>;

let handler: InboundHandler | null = null;

/** The domain's handler (one domain owns inbound email; a second registration replaces the first). */
export const inboundHandlers = {
  register(next: InboundHandler): void {
    handler = next;
  },
  current(): InboundHandler | null {
    return handler;
  },
};
