// Silent SSO where the browser blocks third-party cookies: the ladder
// (iframe, then FedCM's silent mode on a site where the person chose the
// account before, then the redirect) and continue_as, in Chromium's
// default world, with the FedCM dialog driven through the CDP FedCm domain.
import { BrowserContext, CDPSession, Page } from '@playwright/test';
import { createPublicKey, verify } from 'node:crypto';
import { test, expect, register, waitForEvent } from '../support/fixtures';
import { signInWithForm, visit, who } from '../support/demo';
import { Servers } from '../support/servers';
import { answerFedCm, open, start, clear, signIn } from '../support/harness';

/** Adds a "Continue as" button that calls continue_as, as a site would. */
async function button(page: Page) {
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'continue';
    b.textContent = 'Continue as …';
    b.onclick = () => window.harness.continueAs();
    document.body.append(b);
  });
}

/** A tab whose FedCM dialogs are answered (the first account), and whose
 *  FedCM requests are counted by mediation in sessionStorage. */
async function tab(context: BrowserContext, rejectionDelay = false) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options?: any) => {
      if (options?.identity) {
        const calls = JSON.parse(sessionStorage.getItem('fedcm-calls') || '[]');
        calls.push(options.mediation);
        sessionStorage.setItem('fedcm-calls', JSON.stringify(calls));
      }
      return get(options);
    };
  });
  const cdp = await context.newCDPSession(page);
  const dialogs = await answerFedCm(cdp, rejectionDelay);
  // Top-level requests (a 303 from the server commits no navigation).
  const navs: string[] = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navs.push(r.url());
  });
  return { page, cdp, dialogs, navs };
}

const fedcmCalls = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('fedcm-calls') || '[]'));
const toServer = (navs: string[], servers: Servers) => navs.filter((u) => u.startsWith(servers.sso));

/** Opens sport's harness page in `page` and waits for its check's outcome. */
async function checkOnSport(page: Page, servers: Servers, extra: Record<string, unknown> = {}) {
  await open(page, servers, 'sport', extra);
  return waitForEvent(page, 'capture_success', 'callback_failure', 'capture_error');
}

/** Signed in on news (a redirect round trip: the cookie is first-party
 *  there), then sport's first visit in a new tab by a jsonp check that
 *  finds the cookie withheld: the site may now offer a button. */
async function blockedOnSport(context: BrowserContext, servers: Servers) {
  const first = await tab(context);
  const user = await signIn(first.page, servers, 'news');
  const sport = await tab(context);
  const blocked = await checkOnSport(sport.page, servers, { response_method: 'jsonp' });
  expect(blocked.value.result.status).toBe('third_party_cookies_blocked');
  await clear(sport.page);
  return { user, sport, blocked };
}

/** The person clicks sport's "Continue as" button; its outcome. */
async function continueOnSport(sport: { page: Page }) {
  await button(sport.page);
  await sport.page.click('#continue');
  return waitForEvent(sport.page, 'capture_success', 'callback_failure', 'capture_error');
}

test.describe('third-party cookies blocked', () => {
  test.skip(({ thirdPartyCookies }) => thirdPartyCookies, 'the blocked world only');

  test('continue_as once, then signed in silently with no redirect; in the quiet period by the redirect', async ({ context, servers }) => {
    // Sport, first visit: the site shows "Continue as" (response_method
    // jsonp: no redirect of its own) and the person clicks it.
    const { user, sport, blocked } = await blockedOnSport(context, servers);
    expect(blocked.kind).toBe('callback_failure');
    expect(await fedcmCalls(sport.page)).toEqual([]); // never chosen here: not tried
    const chosen = await continueOnSport(sport);
    expect(chosen.kind).toBe('capture_success');
    expect(chosen.value.result.channel).toBe('fedcm');
    expect(chosen.value.result.userData.uuid).toBe(user.capture_user.uuid);
    expect(sport.dialogs).toEqual(['AccountChooser']);
    expect(toServer(sport.navs, servers)).toEqual([]);

    // The next visit, in a new tab, by the default ladder: FedCM's silent
    // mode signs the person in, with no top-level navigation to the server.
    const next = await tab(context);
    const silent = await checkOnSport(next.page, servers);
    expect(silent.kind).toBe('capture_success');
    expect(silent.value.result.channel).toBe('fedcm');
    expect(silent.value.result.userData.uuid).toBe(user.capture_user.uuid);
    expect(await fedcmCalls(next.page)).toEqual(['silent']);
    expect(next.dialogs).toEqual(['AutoReauthn']);
    expect(toServer(next.navs, servers)).toEqual([]);
    // The token is the check's: it opens /entity for sport.
    const entity = await fetch(`${servers.api}/entity`, {
      headers: { authorization: `Bearer ${silent.value.result.accessToken}` },
    });
    expect(entity.status).toBe(200);

    // Within the browser's ten quiet minutes the library does not ask
    // FedCM again: the redirect signs the person in.
    const quiet = await tab(context);
    const redirected = await checkOnSport(quiet.page, servers);
    expect(redirected.kind).toBe('capture_success');
    expect(redirected.value.result.channel).toBe('redirect');
    expect(await fedcmCalls(quiet.page)).toEqual([]);
    expect(toServer(quiet.navs, servers).length).toBe(1);
  });

  test("a silent refusal is waited for at most 1.5 s, then the redirect signs in, and FedCM is not asked again meanwhile", async ({ context, servers }) => {
    const first = await tab(context);
    const user = await signIn(first.page, servers, 'news');
    // Earn the silent mode with a click, spend it once, then forget the
    // library's quiet record: the browser refuses, after its delay.
    const click = await tab(context);
    await open(click.page, servers, 'sport', { response_method: 'jsonp' }, false);
    expect((await continueOnSport(click)).value.result.channel).toBe('fedcm');
    const spend = await tab(context);
    expect((await checkOnSport(spend.page, servers)).value.result.channel).toBe('fedcm');

    const delayed = await tab(context, true);
    await delayed.page.goto(`${servers.site.sport}/app.html`);
    await delayed.page.evaluate(() => localStorage.setItem('sso.checked.sport.fedcm', '0'));
    const started = Date.now();
    const fellBack = await checkOnSport(delayed.page, servers);
    const elapsed = Date.now() - started;
    expect(fellBack.kind).toBe('capture_success');
    expect(fellBack.value.result.channel).toBe('redirect');
    expect(fellBack.value.result.userData.uuid).toBe(user.capture_user.uuid);
    expect(await fedcmCalls(delayed.page)).toEqual(['silent']);
    console.log(`silent FedCM refused by the browser, then the redirect: ${elapsed} ms from opening the page to capture_success`);
    // The refusal left a quiet record: the next check goes straight to the redirect.
    const until = Number(await delayed.page.evaluate(() => localStorage.getItem('sso.checked.sport.fedcm')));
    expect(until).toBeGreaterThan(Date.now() + 9 * 60_000);
  });

  test('sign-out ends the FedCM path too', async ({ context, servers }) => {
    const first = await tab(context);
    await signIn(first.page, servers, 'news');
    // Sport by the default ladder (the redirect), then continue_as.
    const sport = await tab(context);
    expect((await checkOnSport(sport.page, servers)).value.result.channel).toBe('redirect');
    await clear(sport.page);
    expect((await continueOnSport(sport)).value.result.channel).toBe('fedcm');
    // Sign out on sport (a redirect: the cookie is third-party here), which
    // ends at the site's logout_uri.
    await start(sport.page, 'end()');
    await sport.page.waitForURL(`${servers.site.sport}/logout.html`);
    expect(await sport.page.evaluate(() => localStorage.getItem('sso.checked.sport.fedcm'))).toBeNull();

    // A new tab finds no session, by the redirect, without asking FedCM.
    const after = await tab(context);
    const none = await checkOnSport(after.page, servers);
    expect(none.kind).toBe('callback_failure');
    expect(none.value.result.status).toBe('no_session');
    expect(await fedcmCalls(after.page)).toEqual([]);

    // And FedCM itself, asked directly, has no account to offer.
    const asked = await after.page.evaluate(async (sso) => {
      try {
        await (navigator.credentials as any).get({
          identity: { providers: [{ configURL: `${sso}/fedcm/config.json`, clientId: 'sport', params: { query: 'x' } }] },
          mediation: 'silent',
        });
        return 'a credential';
      } catch (e: any) {
        return e.name;
      }
    }, servers.sso);
    expect(asked).not.toBe('a credential');
  });

  test("a site's IdentityCredential.disconnect() ends the silent path there; the sign-in stays", async ({ context, servers }) => {
    const { user, sport } = await blockedOnSport(context, servers);
    expect((await continueOnSport(sport)).value.result.channel).toBe('fedcm');
    // The site unlinks the account: the browser asks /fedcm/disconnect.
    const disconnected = await sport.page.evaluate(async ([sso, uuid]) => {
      try {
        await (window as any).IdentityCredential.disconnect({ configURL: `${sso}/fedcm/config.json`, clientId: 'sport', accountHint: uuid });
        return 'disconnected';
      } catch (e: any) {
        return `${e.name}: ${e.message}`;
      }
    }, [servers.sso, user.capture_user.uuid] as const);
    expect(disconnected).toBe('disconnected');

    // The next visit: FedCM's silent mode is refused (no reauthentication
    // dialog), the redirect signs the person in.
    const next = await tab(context);
    const found = await checkOnSport(next.page, servers);
    expect(found.kind).toBe('capture_success');
    expect(found.value.result.channel).toBe('redirect');
    expect(found.value.result.userData.uuid).toBe(user.capture_user.uuid);
    expect(await fedcmCalls(next.page)).toEqual(['silent']);
    expect(next.dialogs).toEqual([]);
  });
});

test('a hostile site asking FedCM for another site\'s assertion gets nothing', async ({ context, servers, thirdPartyCookies }) => {
  test.skip(thirdPartyCookies, 'the blocked world only');
  const first = await tab(context);
  await signIn(first.page, servers, 'news');
  // evil.localhost names sport's client id and a valid sport query; the
  // browser sends its own Origin, which sport did not register.
  const evil = await tab(context);
  await evil.page.goto(`${servers.site.evil}/app.html`);
  const query = new URLSearchParams({
    client_id: 'sport', segment: 'sport', supported_segments: 'news-sport', state: 'stolen-state-1',
    xd_receiver: `${servers.site.sport}/xd_receiver.html`, flow: 'standard', flow_version: '1', locale: 'en-US',
  }).toString();
  const got = await evil.page.evaluate(async ([sso, query]) => {
    try {
      const c: any = await (navigator.credentials as any).get({
        identity: { providers: [{ configURL: `${sso}/fedcm/config.json`, clientId: 'sport', params: { query } }] },
        mediation: 'optional',
      });
      return `token: ${c.token}`;
    } catch (e: any) {
      return `refused: ${e.name}`;
    }
  }, [servers.sso, query]);
  // The person was asked, chose, and was told it failed.
  expect(evil.dialogs[0]).toBe('AccountChooser');
  expect(got).toMatch(/^refused: /);
});

/** Verifies a compact ES256 JWT against the server's JWKS, as a site's
 *  backend would; its claims. */
async function verifiedClaims(token: string, servers: Servers) {
  const [head, body, signature] = token.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString());
  expect(header.alg).toBe('ES256');
  const jwks = await (await fetch(`${servers.api}/oauth/jwks`)).json();
  const jwk = jwks.keys.find((k: any) => k.kid === header.kid);
  expect(jwk).toBeTruthy();
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const signed = Buffer.from(`${head}.${body}`);
  expect(verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
  return JSON.parse(Buffer.from(body, 'base64url').toString());
}

test('a site without the library: its own FedCM call gets an ID token for it, with its nonce', async ({ context, servers, thirdPartyCookies }) => {
  test.skip(thirdPartyCookies, 'the blocked world only');
  const first = await tab(context);
  const user = await signIn(first.page, servers, 'news');
  // Sport's page asks the browser itself, as for "Sign in with …": no
  // library query, only a nonce in params (how Chrome 143+ sends one).
  const sport = await tab(context);
  await sport.page.goto(`${servers.site.sport}/app.html`);
  const got = await sport.page.evaluate(async (sso) => {
    try {
      const c: any = await (navigator.credentials as any).get({
        identity: { providers: [{ configURL: `${sso}/fedcm/config.json`, clientId: 'sport', params: { nonce: 'n-e2e-0S6_WzA2Mj' } }] },
        mediation: 'optional',
      });
      return c.token as string;
    } catch (e: any) {
      return `refused: ${e.name}: ${e.message}`;
    }
  }, servers.sso);
  expect(sport.dialogs[0]).toBe('AccountChooser');
  expect(got).not.toMatch(/^refused/);
  const claims = await verifiedClaims(got, servers);
  const discovery = await (await fetch(`${servers.api}/.well-known/openid-configuration`)).json();
  expect(claims.iss).toBe(discovery.issuer);
  expect(claims.aud).toBe('sport');
  expect(claims.sub).toBe(user.capture_user.uuid);
  expect(claims.nonce).toBe('n-e2e-0S6_WzA2Mj');
  expect(typeof claims.sid).toBe('string');
  expect(toServer(sport.navs, servers)).toEqual([]);
});

test('shop\'s chooser never offers a person signed in only in the news family', async ({ context, servers, thirdPartyCookies }) => {
  test.skip(thirdPartyCookies, 'the blocked world only');
  const first = await tab(context);
  await signIn(first.page, servers, 'news');
  // Asked with the site's client id as domainHint (as the library does):
  // the accounts' domain_hints let the browser list only the people whose
  // segments the site may use.
  const ask = async (site: 'shop' | 'sport') => {
    const t = await tab(context);
    // Any other dialog (the browser offering to sign in to the server) is closed.
    t.cdp.on('FedCm.dialogShown', (e: any) => {
      if (e.dialogType !== 'AccountChooser') t.cdp.send('FedCm.dismissDialog', { dialogId: e.dialogId }).catch(() => {});
    });
    await t.page.goto(`${servers.site[site]}/app.html`);
    const got = await t.page.evaluate(async ([sso, site]) => {
      try {
        const c: any = await (navigator.credentials as any).get({
          identity: { providers: [{ configURL: `${sso}/fedcm/config.json`, clientId: site, domainHint: site, params: { query: 'unused' } }] },
          mediation: 'optional',
        });
        return `token: ${typeof c.token}`;
      } catch (e: any) {
        return `refused: ${e.name}`;
      }
    }, [servers.sso, site]);
    return { got, dialogs: t.dialogs };
  };
  const shop = await ask('shop');
  expect(shop.dialogs).not.toContain('AccountChooser');
  expect(shop.got).toMatch(/^refused: /);
  // The same person is offered on sport, of the news family.
  const sport = await ask('sport');
  expect(sport.dialogs[0]).toBe('AccountChooser');
});

test.describe('the demo sites', () => {
  test.skip(({ thirdPartyCookies }) => thirdPartyCookies, 'the blocked world only');

  test('show the path: one redirect, one "Continue as", then FedCM with no redirect', async ({ context, demo }) => {
    const news = await tab(context);
    const reader = await register(demo, 'news');
    await signInWithForm(news.page, demo, 'news', reader.capture_user.email);

    // Sport's first visit: the redirect (the person never chose FedCM here).
    const sport = await tab(context);
    await visit(sport.page, demo, 'sport');
    await expect(sport.page.locator('#channel')).toHaveText('redirect');
    expect(toServer(sport.navs, demo).length).toBe(1);
    // The page offers to spare later visits the redirect: one click.
    await sport.page.click('#use-fedcm');
    await expect(sport.page.locator('#channel')).toHaveText('fedcm');
    expect(sport.dialogs).toEqual(['AccountChooser']);
    await expect(sport.page.locator('#use-fedcm')).toBeHidden();

    // The next visit, in a new tab: FedCM, no top-level navigation.
    const next = await tab(context);
    await visit(next.page, demo, 'sport');
    await expect(next.page.locator('#channel')).toHaveText('fedcm');
    expect((await who(next.page)).uuid).toBe(reader.capture_user.uuid);
    expect(toServer(next.navs, demo)).toEqual([]);
    expect(await fedcmCalls(next.page)).toEqual(['silent']);
  });
});

test.describe('Storage Access', () => {
  test.skip(({ thirdPartyCookies }) => thirdPartyCookies, 'the blocked world only');

  test('with a grant, the server activates it and the iframe check succeeds in-page', async ({ context, servers }) => {
    const first = await tab(context);
    const user = await signIn(first.page, servers, 'news');
    // Chromium 156 headless shows no Storage Access prompt (requestStorageAccess
    // is refused), so the grant a person would give is set through CDP.
    const sport = await tab(context);
    await sport.cdp.send('Browser.setPermission', {
      permission: { name: 'storage-access' },
      setting: 'granted',
      origin: servers.site.sport,
      embeddedOrigin: servers.sso,
    });
    const checks: Record<string, string>[] = [];
    sport.page.on('request', async (r) => {
      if (r.url().startsWith(`${servers.sso}/sso/check`)) checks.push(await r.allHeaders());
    });
    const found = await checkOnSport(sport.page, servers, { response_method: 'jsonp' });
    expect(found.kind).toBe('capture_success');
    expect(found.value.result.channel).toBe('iframe');
    expect(found.value.result.userData.uuid).toBe(user.capture_user.uuid);
    // The browser sent the grant as inactive, from sport's origin.
    expect(checks[0]['sec-fetch-storage-access']).toBe('inactive');
    expect(checks[0]['origin']).toBe(servers.site.sport);
    expect(await fedcmCalls(sport.page)).toEqual([]);
    expect(toServer(sport.navs, servers)).toEqual([]);
  });

  const grant = (sport: { cdp: CDPSession }, servers: Servers) => sport.cdp.send('Browser.setPermission', {
    permission: { name: 'storage-access' },
    setting: 'granted',
    origin: servers.site.sport,
    embeddedOrigin: servers.sso,
  });

  test("request_storage_access: the person's click in the SSO server's frame, once granted, signs in in-page", async ({ context, servers }) => {
    const { user, sport } = await blockedOnSport(context, servers);
    await start(sport.page, "requestStorageAccess('use-sign-in')");
    const frame = sport.page.frameLocator('#use-sign-in iframe');
    await expect(frame.locator('button#allow')).toBeVisible();
    // The person's answer to the browser's prompt (Chromium 156 headless
    // shows none), given while the button waits for the click.
    await grant(sport, servers);
    await frame.locator('button#allow').click();
    const found = await waitForEvent(sport.page, 'capture_success', 'callback_failure', 'capture_error');
    expect(found.kind).toBe('capture_success');
    expect(found.value.result.channel).toBe('iframe');
    expect(found.value.result.userData.uuid).toBe(user.capture_user.uuid);
    expect((await waitForEvent(sport.page, 'access:resolved')).value.result.status).toBe('success');
    await expect(sport.page.locator('#use-sign-in iframe')).toHaveCount(0);
    expect(toServer(sport.navs, servers)).toEqual([]);
  });

  test('request_storage_access: where a grant exists the frame goes on without a click; refused, the site learns the cookie is still withheld', async ({ context, servers }) => {
    const { user, sport } = await blockedOnSport(context, servers);
    // No grant, and Chromium 156 headless refuses requestStorageAccess():
    // the click goes on to the check, which answers that the cookie is
    // withheld (jsonp: delivered; auto would take the next rung).
    await start(sport.page, "requestStorageAccess('use-sign-in')");
    await sport.page.frameLocator('#use-sign-in iframe').locator('button#allow').click();
    const refused = await waitForEvent(sport.page, 'capture_success', 'callback_failure', 'capture_error');
    expect(refused.kind).toBe('callback_failure');
    expect(refused.value.result.status).toBe('third_party_cookies_blocked');
    await expect(sport.page.locator('#use-sign-in iframe')).toHaveCount(0);

    // With a grant, the button's page is loaded with it activated
    // (Sec-Fetch-Storage-Access: inactive, then the server's retry) and
    // goes on to the check by itself.
    await clear(sport.page);
    await grant(sport, servers);
    await start(sport.page, "requestStorageAccess('again')");
    const found = await waitForEvent(sport.page, 'capture_success', 'callback_failure', 'capture_error');
    expect(found.kind).toBe('capture_success');
    expect(found.value.result.userData.uuid).toBe(user.capture_user.uuid);
    expect(toServer(sport.navs, servers)).toEqual([]);
  });
});

test('third-party cookies allowed: in-page, and FedCM is never asked', async ({ context, servers, thirdPartyCookies }) => {
  test.skip(!thirdPartyCookies, 'the allowed world only');
  const first = await tab(context);
  const user = await signIn(first.page, servers, 'news');
  const sport = await tab(context);
  const found = await checkOnSport(sport.page, servers);
  expect(found.kind).toBe('capture_success');
  expect(found.value.result.channel).toBe('iframe');
  expect(found.value.result.userData.uuid).toBe(user.capture_user.uuid);
  expect(await fedcmCalls(sport.page)).toEqual([]);
  expect(toServer(sport.navs, servers)).toEqual([]);
});
