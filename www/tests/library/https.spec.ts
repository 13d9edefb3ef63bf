// What the HTTPS projects promise (playwright.config.ts): the sites and the
// SSO server on production-like names over TLS, where the session cookie is
// `__Host-` and Chromium relaxes nothing it relaxes on http://*.localhost.
import { test, expect } from '../support/fixtures';
import { signIn } from '../support/harness';

test.skip(({ tls }) => !tls, 'the HTTPS projects only');

test('the sites and the server are on HTTPS names, and the sign-in cookie is __Host-', async ({ page, servers }) => {
  expect(new URL(servers.sso).protocol).toBe('https:');
  expect(new URL(servers.sso).hostname).toBe('sso.family.test');
  expect(new URL(servers.site.news).hostname).toBe('news.test');
  await signIn(page, servers, 'news');
  // A secure context that is not a localhost exception.
  expect(new URL(page.url()).hostname).toBe('news.test');
  expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
  const cookies = await page.context().cookies(servers.sso);
  const session = cookies.find((c) => c.name.endsWith('sso_session'));
  expect(session?.name).toBe('__Host-sso_session');
  expect(session?.secure).toBe(true);
  expect(session?.path).toBe('/');
  // Host-only: no Domain attribute, so no other host of family.test gets it.
  expect(session?.domain).toBe('sso.family.test');
});
