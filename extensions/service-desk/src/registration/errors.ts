// Registration's refusal: its message is mailed to the address (the caller gets the same 204 as everyone), so it
// says what to do.
import { createError } from '@directus/errors';

export const UNKNOWN_ORGANIZATION_DOMAIN = 'UNKNOWN_ORGANIZATION_DOMAIN';

export const UnknownOrganizationDomainError = createError<{ domain: string | null }>(
  UNKNOWN_ORGANIZATION_DOMAIN,
  (e) =>
    e.domain
      ? `Registration is open to customers of a known organization, and no organization uses the email domain "${e.domain}". Ask your organization's service desk contact to add it, or use your work address.`
      : 'Registration needs a valid email address.',
  400,
);
