// Which malware scanner uploads pass (decision 0061): production requires one unless it is turned off by name, so an
// install cannot store unscanned uploads just because a variable is missing. Pure: the env check and the files
// capability both ask it.

export const FILE_SCAN_SETTINGS = ['clamd', 'off'] as const;
export type FileScanSetting = (typeof FILE_SCAN_SETTINGS)[number];

export interface ScanSettings {
  /** NODE_ENV as the process has it (the image sets production). */
  nodeEnv: string | undefined;
  /** GROUNDWORK_FILES_SCAN; unset means clamd in production and off elsewhere, unless a clamd host is set. */
  scan: FileScanSetting | undefined;
  /** GROUNDWORK_CLAMD_HOST. */
  clamdHost: string | undefined;
}

export type ScanChoice =
  | { ok: true; scanner: 'clamd'; host: string }
  | { ok: true; scanner: 'none'; warning: string }
  | { ok: false; error: string };

export function chooseScanner({ nodeEnv, scan, clamdHost }: ScanSettings): ScanChoice {
  const production = nodeEnv === 'production';
  const host = clamdHost?.trim() || undefined;
  // A host alone still means "scan" (configurations from before GROUNDWORK_FILES_SCAN existed).
  const effective: FileScanSetting = scan ?? (production || host ? 'clamd' : 'off');
  if (effective === 'clamd') {
    if (host) return { ok: true, scanner: 'clamd', host };
    const why = scan ? 'is clamd' : 'defaults to clamd when NODE_ENV=production';
    return {
      ok: false,
      error:
        `GROUNDWORK_FILES_SCAN ${why}, but GROUNDWORK_CLAMD_HOST is not set: set GROUNDWORK_CLAMD_HOST to clamd's ` +
        'host, or GROUNDWORK_FILES_SCAN=off to store uploads without a malware scan',
    };
  }
  const ignoredHost = host ? ' (GROUNDWORK_CLAMD_HOST is set but not used)' : '';
  return {
    ok: true,
    scanner: 'none',
    warning: production
      ? `GROUNDWORK_FILES_SCAN=off in production: uploads are stored and served WITHOUT a malware scan${ignoredHost}. ` +
        'Set GROUNDWORK_CLAMD_HOST and remove GROUNDWORK_FILES_SCAN=off to scan them.'
      : `uploads are not scanned for malware (GROUNDWORK_FILES_SCAN is off outside production)${ignoredHost}; ` +
        'set GROUNDWORK_CLAMD_HOST to scan them with clamd',
  };
}
