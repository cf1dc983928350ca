// The admin app module that manages API keys (src/api-keys/app/module.ts), enabled in the module bar at boot.
export const API_KEYS_MODULE_ID = 'groundwork-api-keys';
