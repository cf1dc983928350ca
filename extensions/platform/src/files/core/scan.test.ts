import { describe, expect, it } from '@jest/globals';
import { checkEnv, describeEnvProblems } from '../../shared/env.js';
import { chooseScanner } from './scan.js';

describe('chooseScanner', () => {
  it('requires clamd in production by default: without a host the boot fails, naming both variables', () => {
    const choice = chooseScanner({ nodeEnv: 'production', scan: undefined, clamdHost: undefined });
    expect(choice).toEqual({ ok: false, error: expect.stringContaining('GROUNDWORK_CLAMD_HOST is not set') });
    const { error } = choice as { error: string };
    expect(error).toContain('GROUNDWORK_FILES_SCAN defaults to clamd when NODE_ENV=production');
    expect(error).toContain('GROUNDWORK_FILES_SCAN=off');
  });

  it('fails an explicit clamd without a host whatever NODE_ENV says (a blank host counts as none)', () => {
    for (const nodeEnv of ['production', 'development', undefined]) {
      const choice = chooseScanner({ nodeEnv, scan: 'clamd', clamdHost: ' ' });
      expect(choice).toEqual({ ok: false, error: expect.stringMatching(/^GROUNDWORK_FILES_SCAN is clamd, but/) });
    }
  });

  it('scans with clamd when a host is given, set to clamd or unset (a host alone still scans, as before 0061)', () => {
    for (const nodeEnv of ['production', 'development', 'test', undefined]) {
      for (const scan of ['clamd', undefined] as const) {
        expect(chooseScanner({ nodeEnv, scan, clamdHost: 'clamav' })).toEqual({
          ok: true,
          scanner: 'clamd',
          host: 'clamav',
        });
      }
    }
  });

  it('lets production opt out by name only, with a loud warning that also says when a host is ignored', () => {
    const off = chooseScanner({ nodeEnv: 'production', scan: 'off', clamdHost: undefined });
    expect(off).toEqual({ ok: true, scanner: 'none', warning: expect.stringContaining('WITHOUT a malware scan') });
    expect((off as { warning: string }).warning).not.toContain('GROUNDWORK_CLAMD_HOST is set');
    const offWithHost = chooseScanner({ nodeEnv: 'production', scan: 'off', clamdHost: 'clamav' });
    expect(offWithHost).toMatchObject({ ok: true, scanner: 'none' });
    expect((offWithHost as { warning: string }).warning).toContain('GROUNDWORK_CLAMD_HOST is set but not used');
  });

  it('stores unscanned outside production when nothing is set, and says so', () => {
    for (const nodeEnv of ['development', 'test', undefined]) {
      expect(chooseScanner({ nodeEnv, scan: undefined, clamdHost: undefined })).toEqual({
        ok: true,
        scanner: 'none',
        warning: expect.stringContaining('uploads are not scanned for malware'),
      });
    }
  });
});

describe('checkEnv with the scanner decision', () => {
  it('refuses a production configuration without clamd or the opt-out, and accepts each way out', () => {
    const refused = checkEnv({ NODE_ENV: 'production' });
    expect(refused.ok).toBe(false);
    const message = describeEnvProblems((refused as { problems: string[] }).problems);
    expect(message).toContain('GROUNDWORK_FILES_SCAN');
    expect(message).toContain('GROUNDWORK_CLAMD_HOST');
    // An empty variable is unset, as everywhere in checkEnv.
    expect(checkEnv({ NODE_ENV: 'production', GROUNDWORK_FILES_SCAN: '', GROUNDWORK_CLAMD_HOST: '' }).ok).toBe(false);
    expect(checkEnv({ NODE_ENV: 'production', GROUNDWORK_FILES_SCAN: 'off' }).ok).toBe(true);
    expect(checkEnv({ NODE_ENV: 'production', GROUNDWORK_CLAMD_HOST: 'clamav' }).ok).toBe(true);
    expect(checkEnv({}).ok).toBe(true);
  });

  it('refuses a setting other than clamd or off, naming the variable and the choices', () => {
    const result = checkEnv({ NODE_ENV: 'production', GROUNDWORK_FILES_SCAN: 'none' });
    expect(result).toEqual({ ok: false, problems: ['GROUNDWORK_FILES_SCAN must be one of clamd, off'] });
  });
});
