// The personal-data export (GDPR art. 15 and 20, BE-301): what the platform holds about a user plus what each domain
// registered, as one JSON document. Credentials are never part of it: they are not data *about* the user, and an
// export is a file that travels.
import { z } from 'zod';
import type { DomainErasure } from './erasure.js';

/** Columns of directus_users that are credentials: the password hash, the TOTP seed, the static token, SSO tokens. */
export const CREDENTIAL_COLUMNS = ['password', 'tfa_secret', 'token', 'auth_data'] as const;

export function withoutCredentials(row: Record<string, unknown>): Record<string, unknown> {
  const kept = { ...row };
  for (const column of CREDENTIAL_COLUMNS) delete kept[column];
  return kept;
}

/**
 * A domain's share of a user's personal data: named sections (e.g. tickets, messages), each a list of rows or one
 * row. `Request` is what the adapter passes (the caller's id and accountability, services, knex). A domain that
 * exports someone's data also erases it (`erase`, decision 0021): one registration, so neither can be forgotten.
 */
export interface PersonalDataSource<Request, Erasure = unknown> {
  /** The domain's name; its sections appear under it in the export. */
  name: string;
  collect(request: Request): Promise<Record<string, unknown>>;
  /** Anonymises the domain's part inside the erasure's transaction and says what the platform should finish. */
  erase(request: Erasure): Promise<DomainErasure>;
}

/** Where domains register their sources; the platform names no domain collection itself. */
export function createPersonalDataRegistry<Request, Erasure = unknown>() {
  const sources = new Map<string, PersonalDataSource<Request, Erasure>>();
  return {
    register(source: PersonalDataSource<Request, Erasure>): void {
      // A second registration under one name is a wiring mistake that would hide data: refuse it loudly.
      if (sources.has(source.name)) throw new Error(`personal data source "${source.name}" is already registered`);
      sources.set(source.name, source);
    },
    sources: (): PersonalDataSource<Request, Erasure>[] => [...sources.values()],
  };
}
export type PersonalDataRegistry<Request, Erasure = unknown> = ReturnType<
  typeof createPersonalDataRegistry<Request, Erasure>
>;

/** Sections the platform gathers itself, from collections it owns or Directus's own. */
export interface PlatformSections {
  user: Record<string, unknown>;
  files: Record<string, unknown>[];
  notifications: {
    in_app: Record<string, unknown>[];
    preferences: Record<string, unknown>[];
    outbox: Record<string, unknown>[];
  };
  workflow_history: Record<string, unknown>[];
  /** null when this instance records no security events (the table does not exist). */
  security_events: Record<string, unknown>[] | null;
  /** Inbound emails received from the user's address. */
  inbound_emails: Record<string, unknown>[];
}

export async function assembleExport<Request>(input: {
  exportedAt: Date;
  platform: PlatformSections;
  sources: Pick<PersonalDataSource<Request>, 'name' | 'collect'>[];
  request: Request;
}) {
  const domains: Record<string, Record<string, unknown>> = {};
  for (const source of input.sources) domains[source.name] = await source.collect(input.request);
  return {
    exported_at: input.exportedAt.toISOString(),
    ...input.platform,
    user: withoutCredentials(input.platform.user),
    domains,
  };
}

// The route takes no input; `access_token` is how Directus lets a client authenticate a plain GET (a download link).
export const exportQuery = z.object({ access_token: z.string().optional() }).strict();

const rows = z.array(z.record(z.string(), z.unknown()));
export const personalDataExport = z.object({
  data: z.object({
    exported_at: z.iso.datetime().describe('When the export was made.'),
    user: z.record(z.string(), z.unknown()).describe('The account, without password hash, TOTP secret or tokens.'),
    files: rows.describe('Metadata of the files the user uploaded (not their contents).'),
    notifications: z.object({
      in_app: rows.describe('In-app notifications addressed to the user.'),
      preferences: rows.describe('Notification preferences.'),
      outbox: rows.describe('Email and in-app deliveries addressed to the user.'),
    }),
    workflow_history: rows.describe('Workflow transitions the user made.'),
    security_events: rows.nullable().describe('Security events about the user; null where none are recorded.'),
    inbound_emails: rows.describe(
      "Inbound emails received from the user's address: what each became, and the raw email (base64) while held.",
    ),
    domains: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .describe('Each domain\'s sections, e.g. domains["service-desk"].tickets.'),
  }),
});
