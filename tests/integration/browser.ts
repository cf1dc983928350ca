/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Headless Chromium for the admin-app checks (Debian's package, driven by puppeteer-core; .ci/run installs it).
// Without it (or CHROMIUM_PATH), the browser tests skip with a warning naming the file.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is there; warns once for `what` (the test that will be skipped) when it is not. */
export function haveChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  console.warn(
    `\n*** SKIPPED: ${what} needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH) ***\n`,
  );
  return false;
}

/** A headless Chromium with a throwaway profile; `close()` also removes the profile. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'gw-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Directus asks admins about the project owner on their first login: "Remind Later" closes it, if it shows. */
export async function dismissOwnerDialog(page: Page): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const closed = await page.evaluate(() => {
    const button = [...document.querySelectorAll('button')].find((b) => /remind later/i.test(b.innerText));
    button?.click();
    return Boolean(button);
  });
  if (closed) await new Promise((resolve) => setTimeout(resolve, 500));
}
