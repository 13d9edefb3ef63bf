// A site's own sign-in form with the family's passkey: the passkey belongs
// to the SSO server's host (its relying party), news is another site, and
// Chromium lets news use it only after reading the server's
// `https://<host>/.well-known/webauthn` (Related Origin Requests), which
// lists the family's origins. The library's `passkey_sign_in` does the rest
// and answers as a password sign-in; the demo passes its sso_code to
// `set_session`. Chromium reads that file on port 443, which only the HTTPS
// projects map (tls.ts): on http://*.localhost this spec is skipped.
import { test, expect } from '../support/fixtures';
import { signInWithForm, token, visit } from '../support/demo';
import { register } from '../support/fixtures';
import { accessible, addPasskey, virtualAuthenticator } from '../support/passkeys';

test("news's own form signs in with the family's passkey", async ({ page, demo, tls }) => {
  test.skip(!tls, 'Chromium reads /.well-known/webauthn on port 443: the HTTPS projects only');
  const { cdp, id } = await virtualAuthenticator(page);
  const person = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', person.capture_user.email);
  await addPasskey(page, demo);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
  expect(credentials.map((c) => c.rpId)).toEqual([new URL(demo.sso).hostname]);
  expect(new URL(demo.site.news).hostname).not.toContain(credentials[0].rpId);

  // Nothing but the authenticator knows the person now.
  await page.context().clearCookies();
  await page.goto(`${demo.site.news}/`);
  await page.evaluate(() => { sessionStorage.clear(); localStorage.clear(); });
  await visit(page, demo, 'news');
  await expect(page.locator('#signed-out')).toBeVisible();
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
  test.skip(!tls, 'Chromium reads /.well-known/webauthn on port 443: the HTTPS projects only');
  const { cdp, id } = await virtualAuthenticator(page);
  const person = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', person.capture_user.email);
  await addPasskey(page, demo);
  // Deleted on the server; the authenticator still offers it.
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })).credentials).toHaveLength(1);

  await page.context().clearCookies();
  await page.goto(`${demo.site.news}/`);
  await page.evaluate(() => { sessionStorage.clear(); localStorage.clear(); });
  await visit(page, demo, 'news');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.locator('#error')).toHaveText('SSO passkey_sign_in: no account has this passkey');
  await expect(page.locator('#signed-out')).toBeVisible();
});
