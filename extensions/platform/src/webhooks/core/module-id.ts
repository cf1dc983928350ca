// The admin app module for outgoing webhooks (src/webhooks/app/module.ts); the domain's module bar lists it.
export const WEBHOOKS_MODULE_ID = 'groundwork-webhooks';
