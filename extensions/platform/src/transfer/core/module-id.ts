// The admin app module for imports and exports (src/transfer/app/module.ts); the domain's module bar lists it.
export const TRANSFER_MODULE_ID = 'groundwork-transfer';
