// The admin app module that manages API keys (src/api-keys/app/module.ts). It is not in the module bar by default:
// its routes answer admins only, and admins enable it in Settings → Module Bar.
export const API_KEYS_MODULE_ID = 'groundwork-api-keys';
