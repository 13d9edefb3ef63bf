// Test fixtures: the servers (one set per worker), and a fresh Chromium
// profile per test in the project's cookie world. On failure a test keeps a
// screenshot and the browser console.
import { test as base, chromium, BrowserContext, Page, TestInfo } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, Servers, SiteName, startServers } from './servers';
import { chromiumArgs, RegistrableDomain, registrableDomain, tlsMaterial } from './tls';

/** Debian's Chromium, or $CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** A fresh Chromium profile folder; `allowThirdPartyCookies` writes the
 *  preference Chromium reads at launch. */
export function profile(allowThirdPartyCookies: boolean, userDataDir?: string) {
  const dir = userDataDir ?? mkdtempSync(join(tmpdir(), 'sso-chromium-'));
  if (allowThirdPartyCookies) {
    mkdirSync(join(dir, 'Default'), { recursive: true });
    writeFileSync(
      join(dir, 'Default', 'Preferences'),
      JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
    );
  }
  return dir;
}

/** Launches Debian's Chromium on a fresh profile (see `profile`), with
 *  `extraArgs` (the HTTPS project's, see tls.ts). */
export async function launch(allowThirdPartyCookies: boolean, userDataDir?: string, extraArgs: string[] = []) {
  const dir = profile(allowThirdPartyCookies, userDataDir);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  return { context, dir };
}

export type Options = { thirdPartyCookies: boolean };
type WorkerOptions = { tls: boolean };
/** With `tls`: the family's registrable domain (FedCM's well-known file),
 *  and the flags every Chromium of the worker is launched with. */
type Registrable = { registrable: RegistrableDomain | null; browserArgs: string[] };
type Fixtures = { context: BrowserContext; page: Page; console: string[] };
type WorkerFixtures = { servers: Servers; demo: Servers; fleet: Servers } & WorkerOptions & Registrable;

/** A worker's servers: test pages, or (`demo`) the demo sites, on one
 *  instance or (`fleet`) three behind a round-robin proxy on a Redis Cluster. */
function serve(demo: boolean, fleet = false) {
  return async (
    { tls, registrable }: WorkerOptions & Pick<Registrable, 'registrable'>,
    use: (servers: Servers) => Promise<void>,
  ) => {
    const servers = await startServers({ demo, fleet, tls });
    registrable?.forwardTo(servers.sso, Number(new URL(servers.api).port));
    await use(servers);
    await servers.stop();
  };
}

export const test = base.extend<Fixtures & Options, WorkerFixtures>({
  thirdPartyCookies: [false, { option: true }],
  tls: [false, { option: true, scope: 'worker' }],
  registrable: [
    async ({ tls }, use) => {
      if (!tls) return use(null);
      const registrable = await registrableDomain(tlsMaterial(ROOT));
      await use(registrable);
      await registrable.close();
    },
    { scope: 'worker' },
  ],
  browserArgs: [
    async ({ registrable }, use) => use(registrable ? chromiumArgs(tlsMaterial(ROOT), registrable) : []),
    { scope: 'worker' },
  ],
  servers: [serve(false), { scope: 'worker', timeout: 30_000 }],
  demo: [serve(true), { scope: 'worker', timeout: 30_000 }],
  fleet: [serve(true, true), { scope: 'worker', timeout: 90_000 }],
  console: async ({}, use) => {
    await use([]);
  },
  context: async ({ thirdPartyCookies, browserArgs }, use) => {
    const { context, dir } = await launch(thirdPartyCookies, undefined, browserArgs);
    await use(context);
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  },
  page: async ({ context, console }, use, testInfo) => {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => console.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => console.push(`[pageerror] ${e.message}`));
    await use(page);
    await keepEvidence(page, console, testInfo);
  },
});

async function keepEvidence(page: Page, console: string[], testInfo: TestInfo) {
  if (testInfo.status === testInfo.expectedStatus) return;
  try {
    await testInfo.attach('screenshot', {
      body: await page.screenshot({ timeout: 5_000 }),
      contentType: 'image/png',
    });
  } catch {}
  await testInfo.attach('console', { body: console.join('\n'), contentType: 'text/plain' });
}

export { expect } from '@playwright/test';

/** The `check_session` config of a test site. */
export function siteConfig(servers: Servers, site: SiteName, extra: Record<string, unknown> = {}) {
  const origin = servers.site[site];
  return {
    client_id: site,
    flow_name: 'standard',
    flow_version: '1',
    locale: 'en-US',
    redirect_uri: `${origin}/`,
    sso_server: servers.sso,
    xd_receiver: `${origin}/xd_receiver.html`,
    logout_uri: `${origin}/logout.html`,
    ...extra,
  };
}

/** The password of every user the tests register. */
export const PASSWORD = 'correct horse battery staple';

let counter = 0;

/** Registers a new user through the registration API, as the site's
 *  browser code would, and returns the answer (with its sso_code). */
export async function register(servers: Servers, site: SiteName, keepMeLoggedIn = false) {
  const origin = servers.site[site];
  const email = `user${process.pid}-${Date.now()}-${counter++}@example.com`;
  const form = new URLSearchParams({
    client_id: site,
    flow: 'standard',
    flow_version: '1',
    locale: 'en-US',
    redirect_uri: `${origin}/`,
    response_type: 'token',
    form: 'registrationForm',
    emailAddress: email,
    password: PASSWORD,
    displayName: 'Test User',
  });
  if (keepMeLoggedIn) form.set('keepMeLoggedIn', 'true');
  const r = await fetch(`${servers.api}/oauth/register_native_traditional`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const body = await r.json();
  if (body.stat !== 'ok') throw new Error(`registration failed: ${JSON.stringify(body)}`);
  return body as { capture_user: { uuid: string; email: string }; sso_code: string; access_token: string };
}

/** Main-frame navigations of a page, to tell in-page from top-level. */
export function navigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) urls.push(f.url());
  });
  return urls;
}

export type Event = { kind: string; value: any; url: string };

/** The events the harness page recorded (they survive redirects). */
export async function events(page: Page): Promise<Event[]> {
  for (let i = 0; i < 50; i++) {
    try {
      await page.waitForLoadState('load', { timeout: 5_000 });
      return await page.evaluate(() => window.harness.events());
    } catch (e) {
      // The page was navigating; ask again once it has loaded.
      await page.waitForTimeout(100);
    }
  }
  throw new Error('the harness page never settled');
}

/** Waits until the harness has recorded an event of one of `kinds`. */
export async function waitForEvent(page: Page, ...kinds: string[]): Promise<Event> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const found = (await events(page)).find((e) => kinds.includes(e.kind));
    if (found) return found;
    await page.waitForTimeout(50);
  }
  throw new Error(`no ${kinds.join('/')} event within 15 s: ${JSON.stringify(await events(page))}`);
}
