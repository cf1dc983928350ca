import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MODULE_BAR, withModule } from './module-bar.js';

describe('withModule', () => {
  it('adds the module, enabled, before Settings on the default bar', () => {
    const bar = withModule(null, 'groundwork-jobs')!;
    expect(bar).toHaveLength(DEFAULT_MODULE_BAR.length + 1);
    expect(bar.at(-2)).toEqual({ type: 'module', id: 'groundwork-jobs', enabled: true });
    expect(bar.at(-1)).toEqual(expect.objectContaining({ id: 'settings' }));
  });

  it('keeps a customised bar and appends when it has no Settings entry', () => {
    const bar = withModule([{ type: 'module', id: 'content', enabled: true }], 'groundwork-jobs');
    expect(bar).toEqual([
      { type: 'module', id: 'content', enabled: true },
      { type: 'module', id: 'groundwork-jobs', enabled: true },
    ]);
  });

  it('leaves the bar alone once it has an entry for the module, even a disabled one', () => {
    expect(withModule([{ type: 'module', id: 'groundwork-jobs', enabled: false }], 'groundwork-jobs')).toBeNull();
  });
});
