// Public registration joins the customer to the organization that owns their email's domain. Pure: the adapter
// gives it the user payload, who is creating it, the registration settings, and a lookup of organizations by domain.

export interface RegistrationSettings {
  public_registration: boolean;
  public_registration_role: string | null;
}

export interface NewUser {
  email?: unknown;
  role?: unknown;
  organization?: unknown;
  [field: string]: unknown;
}

/** The part after the last @, lower-cased; null when there is none (Directus validates the email itself). */
export function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return at > 0 && domain.length > 0 ? domain : null;
}

/**
 * Directus's POST /users/register creates the user without accountability and with the registration role; every
 * other creation (an admin in the app or over REST, an invitation) carries the creator's accountability.
 */
export function isPublicRegistration(
  user: NewUser,
  creatorIsAnonymous: boolean,
  settings: RegistrationSettings,
): boolean {
  return (
    creatorIsAnonymous &&
    settings.public_registration &&
    settings.public_registration_role !== null &&
    user.role === settings.public_registration_role &&
    (user.organization === undefined || user.organization === null)
  );
}

export type Decision = { ok: true; user: NewUser } | { ok: false; domain: string | null };

/** The user with their organization set, or a refusal naming the domain nobody owns. */
export async function assignOrganization(
  user: NewUser,
  findOrganization: (domain: string) => Promise<string | number | null>,
): Promise<Decision> {
  const domain = emailDomain(user.email);
  if (!domain) return { ok: false, domain: null };
  const organization = await findOrganization(domain);
  return organization === null ? { ok: false, domain } : { ok: true, user: { ...user, organization } };
}
