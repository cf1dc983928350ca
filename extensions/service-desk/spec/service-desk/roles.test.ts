// The service-desk extension names the Customer role by id (its hooks cannot import scripts/): it must be this one.
import { describe, expect, it } from '@jest/globals';
import { CUSTOMER_ROLE, isCustomer } from '../../../service-desk/src/shared/roles.js';
import { ROLE } from './access.js';

describe('service-desk role ids', () => {
  it('agree between the extension and the access rules', () => {
    expect(CUSTOMER_ROLE).toBe(ROLE.customer);
    expect(isCustomer([ROLE.customer], null)).toBe(true);
    expect(isCustomer([ROLE.agent], ROLE.agent)).toBe(false);
  });
});
