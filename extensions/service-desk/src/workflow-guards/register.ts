// Registers the service desk's guards in the platform's workflow registry (on globalThis: bundles do not share
// module state; importing the registry file compiles its few lines into this bundle, pointing at the same object).
import { registerGuard } from '../../../platform/src/workflows/guards.js';
import { serviceDeskGuards } from './core/guards.js';

export function registerWorkflowGuards(): void {
  for (const [name, guard] of Object.entries(serviceDeskGuards)) registerGuard(name, guard);
}
