/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Headless Chromium for the admin-app checks (Debian's package, driven by puppeteer-core; .ci/run installs it).
// Without it (or CHROMIUM_PATH), the browser tests skip with a warning naming the file.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { waitForOtpWindow } from './http.js';

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
 * Directus shows its "set a project owner" dialog (its BSL licence check) over the page to an admin while the project
 * has no owner, and there it takes every click; "Remind Later" closes it, as an admin would. Whether it will show is
 * asked of the API the way the app decides it (admin access, no project_owner, not dismissed yet), so a person who
 * never gets it costs two requests instead of a wait for a dialog that does not come.
 */
export async function dismissOwnerDialog(page: Page): Promise<void> {
  const shows = await page.evaluate(async () => {
    if (document.cookie.includes('license-banner-dismissed=')) return false;
    const data = async (route: string) =>
      ((await (await fetch(route, { credentials: 'include' })).json()) as { data?: Record<string, unknown> }).data;
    if (!(await data('/policies/me/globals'))?.admin_access) return false;
    return !(await data('/settings?fields=project_owner'))?.project_owner;
  });
  if (!shows) return;
  const later = await page.waitForFunction(
    () => [...document.querySelectorAll('button')].find((button) => button.innerText.trim() === 'Remind Later'),
    { timeout: 60_000 },
  );
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
    // Up to three tries: on a loaded machine a one-time password can run out between its making and its check, and
    // the form can take the click before the app has bound it. Each try types whatever the form then asks for.
    for (let attempt = 1; ; attempt++) {
      if (person.otpSecret) {
        // The login form asks for the one-time password once the password is right.
        const field = await page.waitForSelector('input[autocomplete="one-time-code"], input[name="otp"]', {
          timeout: 60_000,
        });
        // Typing and submitting take seconds here: at least 10 s of the code's window left.
        await waitForOtpWindow(10);
        await field!.click({ count: 3 });
        await field!.type(otp(person.otpSecret));
        await page.click('button[type="submit"]');
      }
      const left = await page
        .waitForFunction(() => !location.pathname.includes('/login'), { timeout: attempt < 3 ? 30_000 : 60_000 })
        .then(() => true)
        .catch((error: unknown) => {
          if (attempt >= 3) throw error;
          return false;
        });
      if (left) break;
      if (!person.otpSecret || !(await page.$('input[autocomplete="one-time-code"], input[name="otp"]'))) {
        // Still at the password step: type both again over what is there.
        await page.click('input[type="email"]', { count: 3 });
        await page.type('input[type="email"]', person.email);
        await page.click('input[type="password"]', { count: 3 });
        await page.type('input[type="password"]', person.password);
        await page.click('button[type="submit"]');
      }
    }
    // The login page's own failed requests are how Directus's login works, not errors: /auth/refresh answers 400
    // without a session cookie, and a password without the required OTP answers 401 before the OTP field shows.
    errors.length = 0;
    return { page, errors };
  }

  /**
   * Opens an app route and waits until the network is quiet (at most 2 requests for 500 ms, as `networkidle2`), so
   * the view has loaded what it asked for, and logged any error, before the test reads the page. On a page where the
   * app runs, it moves there with the app's own router, as a click on a link does: a page load runs the app's whole
   * start again (some 60 requests, 3 to 12 s on a loaded 2-core machine) where a move fetches what the view shows.
   */
  async function go(page: Page, route: string): Promise<void> {
    const moved = await page.evaluate(async (path) => {
      type Router = { push(to: string): Promise<unknown> };
      const app = (
        document.querySelector('#app') as {
          __vue_app__?: { config: { globalProperties: { $router?: Router } } };
        } | null
      )?.__vue_app__;
      const router = app?.config.globalProperties.$router;
      if (!router) return false;
      // A failure (the route redirects, or is the one already shown) still leaves the app where the route leads.
      await router.push(path);
      return true;
    }, route);
    if (moved) await page.waitForNetworkIdle({ idleTime: 500, concurrency: 2, timeout: 120_000 });
    else await page.goto(`${baseUrl}/admin${route}`, { waitUntil: 'networkidle2', timeout: 120_000 });
  }

  /** Opens an app route (go) and waits for `text` on the page; answers the page's text. */
  async function visit(page: Page, route: string, text: string): Promise<string> {
    await go(page, route);
    await page.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout: 60_000 }, text);
    return page.evaluate(() => document.body.innerText);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(screenshots, `${name}.png`) });
  }

  return { logIn, go, visit, shot };
}

/**
 * The console errors that count. The browser asks for /favicon.ico at the site root, which Directus does not serve
 * (the app's icon is under /admin): a 404 of no consequence to staff.
 */
export function appErrors(errors: string[]): string[] {
  return errors.filter((error) => !error.includes('/favicon.ico)'));
}
