// A forgotten password, reset as a person does it: "Forgot your password?"
// on the hosted sign-in page, the mail in the run's real SMTP sink (its
// inbox page), the link, the new password; and an address confirmed from
// the verification mail. axe-core on every page on the way.
import { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, register, PASSWORD } from '../support/fixtures';
import { Servers } from '../support/servers';
import { visit } from '../support/demo';

async function accessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}`), `${what}: ${page.url()}`).toEqual([]);
}

/** The hosted sign-in page, as a standard client (sport) sends the browser. */
function authorizeUrl(servers: Servers): string {
  const q = new URLSearchParams({
    client_id: 'sport',
    redirect_uri: `${servers.site.sport}/`,
    response_type: 'code',
    scope: 'openid email',
    state: 'recovery-1',
  });
  return `${servers.sso}/oauth/authorize?${q}`;
}

/** Opens the newest mail to `email` whose subject is `subject` on the inbox
 *  page and follows its link. */
async function followMailedLink(page: Page, servers: Servers, email: string, subject: string) {
  await expect(async () => {
    await page.goto(servers.mail);
    await expect(page.locator('article', { hasText: email }).filter({ hasText: subject }).first()).toBeVisible({
      timeout: 500,
    });
  }).toPass({ timeout: 15_000 });
  const mail = page.locator('article', { hasText: email }).filter({ hasText: subject }).first();
  await mail.locator('a').first().click();
}

test('a forgotten password is reset through the mailed link', async ({ page, servers }) => {
  const user = await register(servers, 'news');
  const email = user.capture_user.email;
  await page.goto(authorizeUrl(servers));
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await accessible(page, 'forgot password');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send link' }).click();
  await expect(page.getByText('a link is on its way')).toBeVisible();
  await accessible(page, 'link sent');

  await followMailedLink(page, servers, email, 'Reset your password');
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  // Refused by the server (the browser checks only the length): shown next
  // to the field, and the link still works.
  await page.getByLabel(/Password/).fill(email);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.locator('#password-error')).toContainText('must not be your email address');
  await accessible(page, 'reset form with an error');
  await page.getByLabel(/Password/).fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'Your password is changed' })).toBeVisible();
  await accessible(page, 'password changed');

  // The new password signs in on the hosted page; the old one does not.
  await page.goto(authorizeUrl(servers));
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('wrong');
  await page.getByLabel('Password').fill('a brand new passphrase');
  const back = page.waitForRequest((r) => r.url().startsWith(`${servers.site.sport}/?`));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  expect((await back).url()).toContain('code=');
});

test('a new account confirms its address from the verification mail', async ({ page, servers }) => {
  const user = await register(servers, 'news');
  const email = user.capture_user.email;
  await followMailedLink(page, servers, email, 'Confirm your email address');
  await expect(page.getByRole('heading', { name: 'Confirm your email address' })).toBeVisible();
  await accessible(page, 'verify');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('heading', { name: 'Your email address is confirmed' })).toBeVisible();
  await accessible(page, 'verified');
  // The link works once.
  await page.goBack();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
  await accessible(page, 'link invalid');
});

test("a demo site's own form asks for a reset link, and the new password signs in there", async ({ page, demo }) => {
  const user = await register(demo, 'news');
  const email = user.capture_user.email;
  await visit(page, demo, 'news');
  const form = page.locator('#sign-in');
  await form.locator('[name=signInEmailAddress]').fill(email);
  await page.getByRole('button', { name: 'Forgot password?' }).click();
  await expect(page.locator('#notice')).toContainText('a link to choose a new password is on its way');

  await followMailedLink(page, demo, email, 'Reset your password');
  await page.getByLabel(/Password/).fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'Your password is changed' })).toBeVisible();

  await visit(page, demo, 'news');
  await form.locator('[name=signInEmailAddress]').fill(email);
  await form.locator('[name=currentPassword]').fill('a brand new passphrase');
  await form.locator('button[type=submit]').click();
  await expect(page.locator('#signed-in')).toBeVisible();
});
