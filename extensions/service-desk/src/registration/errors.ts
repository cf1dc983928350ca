// Registration's error, in Directus's envelope: a 400 that says what to do, not a generic 403.
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
