// Passkeys in real Chromium with its virtual authenticator (CDP `WebAuthn`:
// a platform authenticator that keeps discoverable credentials and verifies
// the person): added on the server's "Your passkeys" page, then the only
// thing a person needs to sign in at the wiki, a stock OpenID Connect
// application, through the hosted page.
import { test, expect, navigations, register } from '../support/fixtures';
import { signInWithForm, visit } from '../support/demo';
import { accessible, addPasskey, virtualAuthenticator } from '../support/passkeys';

test('a passkey added on the server\'s page signs in at the wiki with no password', async ({ page, demo }) => {
  if (!demo.wiki) throw new Error('the demo runs without its wiki');
  const { cdp, id } = await virtualAuthenticator(page);
  const person = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', person.capture_user.email);
  await addPasskey(page, demo);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  expect(credentials[0].rpId).toBe(new URL(demo.sso).hostname);

  // A new browser session: nothing but the authenticator knows the person.
  // The wiki sends the browser to the hosted page, whose email field asks
  // for the family's passkeys (autofill, conditional mediation); the
  // virtual authenticator answers at once, as a person choosing the
  // offered passkey would, and the page posts it with its form.
  await page.context().clearCookies();
  const navs = navigations(page);
  await page.goto(`${demo.wiki.origin}/protected/`);
  await expect(page.locator('#who')).toHaveText(`Signed in as ${person.capture_user.email}`);
  expect(navs.some((u) => u.startsWith(`${demo.sso}/oauth/authorize?`)), navs.join('\n')).toBe(true);
  expect(navs).not.toContainEqual(expect.stringContaining('/protected/redirect_uri?error'));
  // The sign-in was the family's: news finds it.
  await visit(page, demo, 'news');
  await expect(page.locator('#signed-in')).toBeVisible();
  // And the page shows when the passkey was used.
  await page.goto(`${demo.sso}/account/passkeys?client_id=news`);
  await expect(page.getByText('Last used: Not used yet')).toHaveCount(0);
});

test('a passkey is renamed and deleted on the server\'s page, and then signs no one in', async ({ page, demo }) => {
  if (!demo.wiki) throw new Error('the demo runs without its wiki');
  await virtualAuthenticator(page);
  const person = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', person.capture_user.email);
  await addPasskey(page, demo);
  const name = page.locator('form.passkey input[name=name]');
  await name.fill('My laptop');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(name).toHaveValue('My laptop');
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();

  // The authenticator still holds the key and offers it; the server
  // refuses it, the page says so and asks nothing more by itself.
  await page.context().clearCookies();
  const navs = navigations(page);
  await page.goto(`${demo.wiki.origin}/protected/`);
  const refused = page.getByRole('alert').filter({ hasText: 'That passkey was not accepted.' });
  await expect(refused).toBeVisible();
  await expect(page.getByLabel('Email address')).toHaveAttribute('autocomplete', 'username webauthn');
  await accessible(page, 'the sign-in page with a refused passkey');
  // The button asks again, and is refused again.
  const posted = navs.length;
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect.poll(() => navs.length).toBeGreaterThan(posted);
  await expect(refused).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`^${demo.sso}/oauth/authorize/sign-in`));
});
