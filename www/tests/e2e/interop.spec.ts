// Interop with OpenID Connect libraries nobody here wrote: openid-client
// (Node) through a full code flow with refresh and end session, and
// oidc-client-ts in a page as a public client (PKCE) with sign-in redirect
// and token renewal. Both in both cookie worlds.
import { test, expect, register } from '../support/fixtures';
import { Servers } from '../support/servers';
import { visit, signInWithForm, stored } from '../support/demo';

/** fetch for openid-client: Node resolves no *.localhost name, so requests
 *  to the server go to its loopback address. */
function loopback(servers: Servers) {
  return (url: string, options: RequestInit) => fetch(url.replace(servers.sso, servers.api), options);
}

test('openid-client: code flow with PKCE, userinfo, refresh and end session', async ({ page, demo }) => {
  const oidc = await import('openid-client');
  const user = await register(demo, 'news');
  await signInWithForm(page, demo, 'news', user.capture_user.email);

  // openid-client's own fetch type; ours has the same shape.
  const customFetch: any = loopback(demo);
  const config = await oidc.discovery(new URL(demo.sso), 'sport', 'sport-secret', undefined, {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: customFetch,
  });
  config[oidc.customFetch] = customFetch;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const redirect = `${demo.site.sport}/`;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  // The callback is the client's: its URL, as the browser was sent there.
  const arrived = page.waitForRequest((r) => r.url().startsWith(`${redirect}?`));
  await page.goto(url.href);
  const callback = (await arrived).url();
  expect(callback).toContain('code=');
  // The callback is sport's page: its own check on load (a top-level round
  // trip where third-party cookies are blocked) must finish before the
  // test navigates again, or the two navigations race.
  await expect.poll(() => stored(page, 'sso.checked.sport')).toBe('1');

  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!;
  expect(claims.sub).toBe(user.capture_user.uuid);
  expect(claims.aud).toBe('sport');
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  expect(info.email).toBe(user.capture_user.email);

  expect(tokens.refresh_token).toBeTruthy();
  const renewed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  expect(renewed.refresh_token).toBeTruthy();
  expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
  expect(renewed.claims()!.sub).toBe(claims.sub);
  // The spent refresh token is refused (and revokes the chain).
  await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toThrow();

  const end = oidc.buildEndSessionUrl(config, {
    id_token_hint: renewed.id_token!,
    post_logout_redirect_uri: `${demo.site.sport}/logout.html`,
    state: 'bye-1',
  });
  await page.goto(end.href);
  await expect(page).toHaveURL(`${demo.site.sport}/logout.html?state=bye-1`);
  await visit(page, demo, 'news');
  await expect(page.locator('#signed-out')).toBeVisible();
});

test('oidc-client-ts: a public client signs in by redirect with PKCE and renews its tokens', async ({ page, servers }) => {
  const user = await register(servers, 'news');
  // The person signs in on the hosted page the SPA sends them to.
  await page.goto(`${servers.site.news}/oidc_spa.html`);
  await expect(page.locator('#status')).toHaveText('ready');
  // It navigates away: started, not awaited.
  await page.evaluate(() => {
    void window.spa.signIn();
  });
  await expect(page).toHaveURL(new RegExp(`^${servers.sso}/oauth/authorize\\?.*code_challenge_method=S256`));
  await page.getByLabel('Email address').fill(user.capture_user.email);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#status')).toHaveText(`signed in as ${user.capture_user.email}`);

  const first = await page.evaluate(async () => {
    const u = await window.spa.user();
    return { access: u!.access_token, refresh: u!.refresh_token, sub: u!.profile.sub };
  });
  expect(first.sub).toBe(user.capture_user.uuid);
  expect(first.refresh).toBeTruthy();
  // Renewal: the refresh token grant, from the page, as a public client.
  const renewed = await page.evaluate(async () => {
    const u = await window.spa.renew();
    return { access: u!.access_token, refresh: u!.refresh_token, email: u!.profile.email };
  });
  expect(renewed.access).not.toBe(first.access);
  expect(renewed.refresh).not.toBe(first.refresh);
  expect(renewed.email).toBe(user.capture_user.email);
});
