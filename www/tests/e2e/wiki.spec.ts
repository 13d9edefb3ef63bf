// A stock OpenID Connect application in the family: the demo wiki, Apache
// httpd with Debian's mod_auth_openidc, in both cookie worlds. Its sign-in
// is the family's: the hosted page signs the library sites in, a library
// sign-in opens the wiki with no page, and sign-outs reach both ways.
import { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, navigations, register, PASSWORD } from '../support/fixtures';
import { Servers } from '../support/servers';
import { visit, signInWithForm } from '../support/demo';

function wikiOf(demo: Servers): string {
  if (!demo.wiki) throw new Error('the demo runs without its wiki');
  return demo.wiki.origin;
}

/** axe-core on the page: no serious or critical violation. */
async function accessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}`), `${what}: ${page.url()}`).toEqual([]);
}

/** Signs in on the server's hosted page, where the wiki sent the browser. */
async function signInOnHostedPage(page: Page, demo: Servers, email: string) {
  await expect(page).toHaveURL(new RegExp(`^${demo.sso}/oauth/authorize\\?`));
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('signing in from the wiki on the hosted page signs news and sport in, not shop', async ({ page, demo }) => {
  const wiki = wikiOf(demo);
  const user = await register(demo, 'news');
  await page.goto(`${wiki}/protected/`);
  await accessible(page, 'the sign-in page');
  await signInOnHostedPage(page, demo, user.capture_user.email);
  await expect(page).toHaveURL(`${wiki}/protected/`);
  await expect(page.locator('#who')).toHaveText(`Signed in as ${user.capture_user.email}`);

  for (const site of ['news', 'sport'] as const) {
    await visit(page, demo, site);
    await expect(page.locator('#signed-in')).toBeVisible();
  }
  await visit(page, demo, 'shop');
  await expect(page.locator('#signed-out')).toBeVisible();
});

test('signed in on news, the wiki opens with no page of the server shown', async ({ page, demo, thirdPartyCookies }) => {
  const wiki = wikiOf(demo);
  const user = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', user.capture_user.email);
  const navs = navigations(page);
  const opened = Date.now();
  await page.goto(`${wiki}/protected/`);
  await expect(page.locator('#who')).toHaveText(`Signed in as ${user.capture_user.email}`);
  const world = thirdPartyCookies ? 'third-party cookies allowed' : 'third-party cookies blocked';
  console.log(`wiki time-to-page signed in on news (${world}): ${Date.now() - opened} ms`);
  // Redirects only: no document of the server was shown on the way.
  expect(navs.filter((u) => u.startsWith(demo.sso))).toEqual([]);
  expect(navs.at(-1)).toBe(`${wiki}/protected/`);
});

test('signing out on the wiki (RP-initiated logout) signs news out', async ({ page, demo }) => {
  const wiki = wikiOf(demo);
  const user = await register(demo, 'news');
  await page.goto(`${wiki}/protected/`);
  await signInOnHostedPage(page, demo, user.capture_user.email);
  await expect(page.locator('#who')).toContainText(user.capture_user.email);
  await visit(page, demo, 'news');
  await expect(page.locator('#signed-in')).toBeVisible();

  await page.goto(`${wiki}/protected/`);
  await page.locator('#sign-out').click();
  // The ID token was the hint: no confirmation, straight to the wiki's page.
  await expect(page).toHaveURL(`${wiki}/bye.html`);
  await visit(page, demo, 'news');
  await expect(page.locator('#signed-out')).toBeVisible();
  // And the wiki asks for a sign-in again.
  await page.goto(`${wiki}/protected/`);
  await expect(page).toHaveURL(new RegExp(`^${demo.sso}/oauth/authorize\\?`));
});

test('a sign-out on sport ends the wiki\'s own session (back-channel logout)', async ({ page, demo, thirdPartyCookies }) => {
  const wiki = wikiOf(demo);
  const user = await register(demo, 'sport');
  await signInWithForm(page, demo, 'sport', user.capture_user.email);
  await page.goto(`${wiki}/protected/`);
  await expect(page.locator('#who')).toContainText(user.capture_user.email);

  await page.goto(`${demo.site.sport}/`);
  await expect(page.locator('#signed-in')).toBeVisible();
  await page.locator('#sign-out').click();
  // In-page, or (cookies blocked) through a top-level round trip that ends
  // on sport's logout page.
  if (thirdPartyCookies) await expect(page.locator('#signed-out')).toBeVisible();
  else await page.waitForURL(`${demo.site.sport}/logout.html`);
  // mod_auth_openidc ended its session when our logout token reached it:
  // the wiki sends the browser to sign in, and no sign-in is left.
  await expect
    .poll(async () => {
      await page.goto(`${wiki}/protected/`);
      return page.url().startsWith(`${demo.sso}/oauth/authorize?`);
    })
    .toBe(true);
  expect(demo.wiki!.log()).not.toContain('oidc_handle_logout_backchannel: error');
});

test('prompt=none without a session comes back to the wiki with login_required', async ({ page, demo }) => {
  const wiki = wikiOf(demo);
  const redirect = `${wiki}/protected/redirect_uri`;
  const query = new URLSearchParams({
    client_id: 'wiki',
    redirect_uri: redirect,
    response_type: 'code',
    scope: 'openid',
    state: 'no-session-1',
    prompt: 'none',
  });
  const arrived = page.waitForRequest((r) => r.url().startsWith(redirect));
  await page.goto(`${demo.sso}/oauth/authorize?${query}`).catch(() => {});
  const url = new URL((await arrived).url());
  expect(url.searchParams.get('error')).toBe('login_required');
  expect(url.searchParams.get('state')).toBe('no-session-1');
  expect(url.searchParams.get('iss')).toBe(demo.sso);
});

test('every hosted page has no serious or critical accessibility violation', async ({ page, demo }) => {
  const wiki = wikiOf(demo);
  await page.goto(`${wiki}/protected/`);
  await accessible(page, 'sign in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByLabel('Your name')).toBeVisible();
  await accessible(page, 'create an account');
  // An error next to its field.
  await page.getByLabel('Your name').fill('Ada');
  await page.getByLabel('Email address').fill('not-an-email');
  await page.locator('#password').fill(PASSWORD);
  await page.evaluate(() => document.querySelector('form')!.setAttribute('novalidate', ''));
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#email-error')).toBeVisible();
  await accessible(page, 'create an account, with an error');

  await page.goto(`${demo.sso}/oauth/authorize?client_id=nobody`);
  await accessible(page, 'the error page');
  await page.goto(`${demo.sso}/oauth/logout?client_id=wiki`);
  await accessible(page, 'the signed-out page');
  const user = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', user.capture_user.email);
  await page.goto(`${demo.sso}/oauth/logout?client_id=wiki`);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await accessible(page, 'the sign-out confirmation');
  await page.goto(`${demo.sso}/oauth/authorize?client_id=shop&redirect_uri=${encodeURIComponent(`${demo.site.shop}/`)}&response_type=code&scope=openid&ui_locales=sv`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await accessible(page, 'sign in, in Swedish');
});

test('keyboard only: Tab through the sign-in page and Enter signs in', async ({ page, demo }) => {
  const wiki = wikiOf(demo);
  const user = await register(demo, 'news');
  await page.goto(`${wiki}/protected/`);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email address')).toBeFocused();
  await page.keyboard.type(user.capture_user.email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.locator('#who')).toContainText(user.capture_user.email);
});
