// Adapter: Directus's `users.create` filter. POST /users/register runs it inside the insert's transaction, so a
// refusal here leaves no user row; the platform's register route mails the error's message to the address and
// answers the caller like any other registration (decision 0013: no account enumeration).
import type { EventContext } from '@directus/types';
import {
  assignOrganization,
  isPublicRegistration,
  type NewUser,
  type RegistrationSettings,
} from './core/registration.js';
import { UnknownOrganizationDomainError } from './errors.js';

type Logger = { info(object: object, message: string): void };

export function registrationFilter(logger: Logger) {
  return async (payload: unknown, _meta: unknown, context: EventContext): Promise<unknown> => {
    const user = payload as NewUser;
    const settings = ((await context
      .database('directus_settings')
      .first('public_registration', 'public_registration_role')) as RegistrationSettings | undefined) ?? {
      public_registration: false,
      public_registration_role: null,
    };
    if (
      !isPublicRegistration(user, context.accountability === null || context.accountability === undefined, settings)
    ) {
      return payload;
    }
    const decision = await assignOrganization(user, async (domain) => {
      const row = (await context.database('organizations').whereRaw('lower(domain) = ?', [domain]).first('id')) as
        | { id: string }
        | undefined;
      return row?.id ?? null;
    });
    if (!decision.ok) {
      // The domain is not personal data of the registrant; the address is, and stays out of the log.
      logger.info({ domain: decision.domain }, 'registration refused: unknown organization domain');
      throw new UnknownOrganizationDomainError({ domain: decision.domain });
    }
    return decision.user;
  };
}
