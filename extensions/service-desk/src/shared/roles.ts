// The service desk's Customer role (fixed id, extensions/service-desk/spec/service-desk/access.ts ROLE.customer; a unit test in
// scripts/ checks the two agree).
export const CUSTOMER_ROLE = '83d99a9a-cb56-4b7c-8ccd-d5f680d6221c';

/** True when any of the caller's roles (Directus lists nested roles too) is the Customer role. */
export const isCustomer = (roles: readonly string[] | undefined, role: string | null | undefined): boolean =>
  role === CUSTOMER_ROLE || (roles ?? []).includes(CUSTOMER_ROLE);
