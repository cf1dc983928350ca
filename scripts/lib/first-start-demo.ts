// What `npm start` asks of the domain on its first run: demo data to log in with. The domain line's config.json
// names the domain folder ("domain"); `<domain>/seed/first-start.ts` exports `writeDemoData`. A domain without that
// file starts with no demo data, and npm start says so.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';

export const FIRST_START_MODULE = path.join('seed', 'first-start.ts');

export interface FirstStartDemo {
  /** Writes the demo data unless it is there already; returns what npm start prints (logins, a key shown once). */
  writeDemoData(client: pg.Client, env: Record<string, string | undefined>): Promise<string[]>;
}

export async function loadFirstStartDemo(domainFolder: string | undefined): Promise<FirstStartDemo | undefined> {
  if (!domainFolder) return undefined;
  const file = path.join(domainFolder, FIRST_START_MODULE);
  if (!existsSync(file)) return undefined;
  const module = (await import(pathToFileURL(file).href)) as Partial<FirstStartDemo>;
  if (typeof module.writeDemoData !== 'function') throw new Error(`${file} exports no writeDemoData function`);
  return { writeDemoData: module.writeDemoData };
}
