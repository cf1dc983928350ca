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

/**
 * A new admin's first visit shows Directus's "set a project owner" dialog over the page (its BSL licence check),
 * which takes every click; "Remind Later" closes it, as an admin would. Nothing happens when it does not show.
 */
export async function dismissOwnerDialog(page: Page): Promise<void> {
  const later = await page
    .waitForFunction(
      () => [...document.querySelectorAll('button')].find((button) => button.innerText.trim() === 'Remind Later'),
      { timeout: 10_000 },
    )
    .catch(() => null);
  if (!later) return;
  await (later as unknown as { click(): Promise<void> }).click();
  await page.waitForFunction(
    () => ![...document.querySelectorAll('button')].some((button) => button.innerText.trim() === 'Remind Later'),
    { timeout: 10_000 },
  );
}

export interface AppPerson {
  email: string;
  password: string;
  otpSecret?: string;
}

/** The admin app at `baseUrl`, driven by `browser`: log in, visit, screenshot into `screenshots`. */
export function adminAppSession(
  browser: Browser,
  baseUrl: string,
  screenshots: string,
  otp: (secret: string) => string = () => {
    throw new Error('this person needs a one-time password: pass an otp generator');
  },
) {
  /** A fresh browser context (no shared cookies), logged in through the login page, collecting console errors. */
  async function logIn(person: AppPerson): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url ?? ''})`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${String(error)}`));
    page.on('dialog', (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(`${baseUrl}/admin/login`, { waitUntil: 'networkidle2', timeout: 120_000 });
    await page.waitForSelector('input[type="email"]', { timeout: 60_000 });
    await page.type('input[type="email"]', person.email);
    await page.type('input[type="password"]', person.password);
    await page.click('button[type="submit"]');
    if (person.otpSecret) {
      // The login form asks for the one-time password once the password is right.
      const field = await page.waitForSelector('input[autocomplete="one-time-code"], input[name="otp"]', {
        timeout: 60_000,
      });
      await field!.type(otp(person.otpSecret));
      await page.click('button[type="submit"]');
    }
    await page.waitForFunction(() => !location.pathname.includes('/login'), { timeout: 60_000 });
    // The login page's own failed requests are how Directus's login works, not errors: /auth/refresh answers 400
    // without a session cookie, and a password without the required OTP answers 401 before the OTP field shows.
    errors.length = 0;
    return { page, errors };
  }

  /** Opens an app route and waits for `text` on the page; answers the page's text. */
  async function visit(page: Page, route: string, text: string): Promise<string> {
    await page.goto(`${baseUrl}/admin${route}`, { waitUntil: 'networkidle2', timeout: 120_000 });
    await page.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout: 60_000 }, text);
    return page.evaluate(() => document.body.innerText);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(screenshots, `${name}.png`) });
  }

  return { logIn, visit, shot };
}

/**
 * The console errors that count. The browser asks for /favicon.ico at the site root, which Directus does not serve
 * (the app's icon is under /admin): a 404 of no consequence to staff.
 */
export function appErrors(errors: string[]): string[] {
  return errors.filter((error) => !error.includes('/favicon.ico)'));
}
