// The admin app's module bar with one more module. Pure.

/** The admin app module that shows jobs (src/jobs/app/module.ts). */
export const JOBS_MODULE_ID = 'groundwork-jobs';

export type ModuleBarEntry = { type: 'module' | 'link'; id: string; enabled: boolean; [key: string]: unknown };

/** Directus 11.17's default bar (app: MODULE_BAR_DEFAULT), used while the setting is still empty. */
export const DEFAULT_MODULE_BAR: ModuleBarEntry[] = [
  { type: 'module', id: 'content', enabled: true },
  { type: 'module', id: 'visual', enabled: false },
  { type: 'module', id: 'users', enabled: true },
  { type: 'module', id: 'files', enabled: true },
  { type: 'module', id: 'insights', enabled: true },
  { type: 'module', id: 'deployments', enabled: false },
  { type: 'link', id: 'docs', enabled: true, name: '$t:documentation', icon: 'help', url: 'https://docs.directus.io' },
  { type: 'module', id: 'settings', enabled: true, locked: true },
];

/** The bar with `moduleId` enabled before Settings, or null when the bar already has an entry for it. */
export function withModule(current: ModuleBarEntry[] | null, moduleId: string): ModuleBarEntry[] | null {
  const bar = current ?? DEFAULT_MODULE_BAR;
  if (bar.some((entry) => entry.type === 'module' && entry.id === moduleId)) return null;
  const entry: ModuleBarEntry = { type: 'module', id: moduleId, enabled: true };
  const settings = bar.findIndex((e) => e.type === 'module' && e.id === 'settings');
  return settings === -1 ? [...bar, entry] : [...bar.slice(0, settings), entry, ...bar.slice(settings)];
}
