// A site's own sign-in form with the family's passkey: the passkey belongs
// to the SSO server's host (its relying party), news is another site, and
// Chromium lets news use it only after reading the server's
// `https://<host>/.well-known/webauthn` (Related Origin Requests), which
// lists the family's origins. The library's `passkey_sign_in` does the rest
// and answers as a password sign-in; the demo passes its sso_code to
// `set_session`. Chromium reads that file on port 443, which only the HTTPS
// projects map (tls.ts): on http://*.localhost this spec is skipped.
import { Page } from '@playwright/test';
import { test, expect, register } from '../support/fixtures';
import { signInWithForm, token, visit } from '../support/demo';
import { Servers } from '../support/servers';
import { accessible, addPasskey, virtualAuthenticator } from '../support/passkeys';

const SKIP = 'Chromium reads /.well-known/webauthn on port 443: the HTTPS projects only';

/** A person signed up on news with a passkey added on the server's page. */
async function personWithPasskey(page: Page, demo: Servers) {
  const authenticator = await virtualAuthenticator(page);
  const person = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', person.capture_user.email);
  await addPasskey(page, demo);
  return authenticator;
}

/** News in a browser where nothing but the authenticator knows the person. */
async function forgottenOnNews(page: Page, demo: Servers) {
  await page.context().clearCookies();
  await page.goto(`${demo.site.news}/`);
  await page.evaluate(() => { sessionStorage.clear(); localStorage.clear(); });
  await visit(page, demo, 'news');
  await expect(page.locator('#signed-out')).toBeVisible();
}

test("news's own form signs in with the family's passkey", async ({ page, demo, tls }) => {
  test.skip(!tls, SKIP);
  const { cdp, id } = await personWithPasskey(page, demo);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
  expect(credentials.map((c) => c.rpId)).toEqual([new URL(demo.sso).hostname]);
  expect(new URL(demo.site.news).hostname).not.toContain(credentials[0].rpId);

  await forgottenOnNews(page, demo);
  await accessible(page, "news's sign-in form with its passkey button");
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.locator('#signed-in')).toBeVisible();
  await expect(page.locator('#error')).toHaveText('');
  // set_session, then the check that brings a token bound to the session.
  await expect.poll(() => token(page)).toBeTruthy();
  // The sign-in is the family's: sport finds it.
  await visit(page, demo, 'sport');
  await expect(page.locator('#signed-in')).toBeVisible();
});

test('a passkey the server does not know is refused on the site\'s form, and the page says so', async ({ page, demo, tls }) => {
  test.skip(!tls, SKIP);
  const { cdp, id } = await personWithPasskey(page, demo);
  // Deleted on the server; the authenticator still offers it.
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials).toHaveLength(1);

  await forgottenOnNews(page, demo);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.locator('#error')).toHaveText('SSO passkey_sign_in: no account has this passkey');
  await expect(page.locator('#signed-out')).toBeVisible();
});
