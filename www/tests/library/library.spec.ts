// The browser library against the real server, in both cookie worlds.
import { createHash, randomBytes } from 'node:crypto';
import { Page } from '@playwright/test';
import {
  test, expect, siteConfig, register, navigations, events, waitForEvent,
} from '../support/fixtures';
import { open, start, clear, signIn } from '../support/harness';
import { Servers, SiteName } from '../support/servers';

const REQUIRED = ['client_id', 'flow_name', 'flow_version', 'locale', 'redirect_uri', 'sso_server', 'xd_receiver'];

test('calls made before the module is ready are queued and replayed in order', async ({ page, servers }) => {
  await page.goto(`${servers.site.news}/queue.html`);
  await expect.poll(() => page.evaluate(() => window.order.length)).toBe(3);
  expect(await page.evaluate(() => window.wasmLoadedAtCall)).toBe(false);
  expect(await page.evaluate(() => window.order)).toEqual([
    '1 SSO check_session: client_id is required',
    '2 SSO check_session: flow_name is required',
    '3 no_config',
  ]);
  expect(await page.evaluate(() => window.JANRAIN.SSO === window.SSO)).toBe(true);
});

test('request_storage_access needs a check_session config and an element, and says so', async ({ page, servers }) => {
  await page.goto(`${servers.site.news}/app.html`);
  const attempt = (element: boolean) => page.evaluate(async (element) => {
    try {
      await window.SSO.request_storage_access((element ? document.body : 'body') as any);
      return 'resolved';
    } catch (e: any) {
      return `${e.error}: ${e.message}`;
    }
  }, element);
  expect(await attempt(true)).toBe(
    'no_config: SSO request_storage_access: request_storage_access needs the config of an earlier check_session call');
  await page.evaluate((config) => window.SSO.check_session({ ...(config as any), response_method: 'jsonp' }, 'news-sport', 'news'), siteConfig(servers, 'news'));
  expect(await attempt(false)).toBe('invalid_argument: SSO request_storage_access: element must be an Element');
  expect(await page.locator('iframe:not([aria-hidden])').count()).toBe(0);
});

test('passkey_sign_in needs a check_session config, and passes the server\'s refusal on', async ({ page, servers }) => {
  await page.goto(`${servers.site.sport}/app.html`);
  const attempt = () => page.evaluate(async () => {
    try {
      await window.SSO.passkey_sign_in();
      return 'resolved';
    } catch (e: any) {
      return `${e.error}: ${e.message}`;
    }
  });
  expect(await attempt()).toBe(
    'no_config: SSO passkey_sign_in: passkey_sign_in needs the config of an earlier check_session call');
  // News's config on sport's page: the server gives a challenge for news to
  // news's origins only, and the library passes its answer on.
  await page.evaluate((config) => { void window.SSO.check_session({ ...(config as any), response_method: 'jsonp' }, 'news-sport', 'news'); }, siteConfig(servers, 'news'));
  expect(await attempt()).toMatch(/^origin_not_allowed: SSO passkey_sign_in: .+/);
});

test('each missing required parameter is named in capture_error, the rejection and the console', async ({ page, servers, console }) => {
  await page.goto(`${servers.site.news}/app.html`);
  const results = await page.evaluate(async ([config, required]) => {
    const out: any[] = [];
    for (const name of required as string[]) {
      const c: any = { ...(config as any) };
      delete c[name];
      let captured: any = null;
      c.capture_error = (e: any) => { captured = e; };
      try {
        await window.SSO.check_session(c, 'news-sport', 'news');
        out.push({ name, resolved: true });
      } catch (e: any) {
        out.push({ name, message: e.message, error: e.error, isError: e instanceof Error, captured });
      }
    }
    return out;
  }, [siteConfig(servers, 'news'), REQUIRED] as const);
  for (const [i, name] of REQUIRED.entries()) {
    const r = results[i];
    expect(r.resolved, name).toBeUndefined();
    expect(r.isError).toBe(true);
    expect(r.error).toBe('missing_argument');
    expect(r.message).toBe(`SSO check_session: ${name} is required`);
    expect(r.captured).toEqual({ stat: 'error', error: 'missing_argument', error_description: r.message });
    expect(console.some((line) => line.startsWith('[error]') && line.includes(`${name} is required`))).toBe(true);
  }
});

test('malformed parameters are named', async ({ page, servers }) => {
  await page.goto(`${servers.site.news}/app.html`);
  const cases: [string, unknown][] = [
    ['sso_server', 'sso.localhost'],
    ['xd_receiver', 'javascript:alert(1)'],
    ['response_type', 'id_token'],
    ['response_method', 'post'],
    ['refresh', 'yes'],
    ['capture_success', 'notAFunction'],
    ['code_challenge', 'not-a-sha256'],
    ['nonce', 'has spaces'],
    // Values of the wrong JS type, as library.js describes them to the wasm.
    ['client_id', 42],
    ['flow_version', { major: 1 }],
    ['locale', true],
    ['timeout', 2.5],
    ['timeout', -1],
    ['bp_channel', 'a\u0000b'],
  ];
  for (const [name, value] of cases) {
    const message = await page.evaluate(async ([config, name, value]) => {
      try {
        await window.SSO.check_session({ ...(config as any), [name as string]: value });
        return 'resolved';
      } catch (e: any) {
        return `${e.error}: ${e.message}`;
      }
    }, [siteConfig(servers, 'news'), name, value] as const);
    expect(message).toMatch(new RegExp(`^invalid_argument: SSO check_session: ${name} must be `));
  }
  const segment = await page.evaluate(async (config) =>
    window.SSO.check_session(config, 'news--sport', 'news').catch((e: any) => e.message),
    siteConfig(servers, 'news'));
  expect(segment).toContain('supported_segments must be');
  const others = await page.evaluate(async (config) => {
    const message = (call: Promise<unknown>) => call.then(() => 'resolved', (e: any) => `${e.error}: ${e.message}`);
    // Wrong types on purpose (sso.d.ts refuses them): the runtime must too.
    const sso: any = window.SSO;
    return [
      await message(sso.check_session('client_id=news')),
      await message(sso.check_session(null)),
      await message(sso.check_session(config, 'news-sport', 7)),
      await message(sso.check_session(config, Symbol('news'))),
    ];
  }, siteConfig(servers, 'news'));
  expect(others).toEqual([
    'invalid_argument: SSO check_session: config must be an object',
    'invalid_argument: SSO check_session: config must be an object',
    'invalid_argument: SSO check_session: segment must be a string',
    'invalid_argument: SSO check_session: supported_segments must be a string',
  ]);
});

test('a result from another origin, another window or with an unknown state is ignored', async ({ page, servers }) => {
  await open(page, servers, 'news', {
    xd_receiver: `${servers.site.news}/silent_receiver.html`,
    response_method: 'jsonp',
  }, false);
  await start(page, 'check()');
  // The server's answer reached the silent receiver, which keeps it.
  const receiver = await expect.poll(() => page.frames().find((f) => f.url().includes('silent_receiver'))).toBeTruthy()
    .then(() => page.frames().find((f) => f.url().includes('silent_receiver'))!);
  const hash: string = await expect.poll(() => receiver.evaluate(() => window.received)).toMatch(/^#state=/)
    .then(() => receiver.evaluate(() => window.received));
  const state = /state=([\w-]+)/.exec(hash)![1];
  const forged = JSON.stringify({ stat: 'ok', result: { status: 'success', userData: { uuid: 'forged' } } });

  // 1. From another origin (a frame on evil.localhost).
  // 2. From another window of the page's own origin.
  for (const origin of [servers.site.evil, servers.site.news]) {
    await page.evaluate((src) => new Promise((resolve) => {
      const f = document.createElement('iframe');
      f.src = src;
      f.onload = resolve;
      document.body.appendChild(f);
    }), `${origin}/forger.html`);
    const forger = page.frames().find((f) => f.url() === `${origin}/forger.html`)!;
    await forger.evaluate(([s, r]) => window.forge(s, r), [state, forged]);
  }
  // 3. From the request's own frame, with an unknown state.
  await receiver.evaluate(([r]) => window.parent.postMessage({ ssoState: 'f'.repeat(32), ssoResult: r }, location.origin), [forged]);
  await page.waitForTimeout(300);
  expect((await events(page)).map((e) => e.kind)).toEqual(['check_session']);

  // Control: the same message from the request's frame with its state is
  // accepted, so the three above were refused for the reason named.
  await receiver.evaluate(([s, r]) => window.parent.postMessage({ ssoState: s, ssoResult: r }, location.origin), [state, forged]);
  const accepted = await waitForEvent(page, 'capture_success');
  expect(accepted.value.result.userData.uuid).toBe('forged');
});

test('a request without an answer times out and its iframe is removed', async ({ page, servers }) => {
  await open(page, servers, 'news', {
    xd_receiver: `${servers.site.news}/silent_receiver.html`,
    response_method: 'jsonp',
    timeout: 500,
  }, false);
  await start(page, 'check()');
  const error = await waitForEvent(page, 'capture_error');
  expect(error.value.error).toBe('timeout');
  const rejected = await waitForEvent(page, 'check:rejected');
  expect(rejected.value).toMatchObject({ error: 'timeout', isError: true });
  expect(await page.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0);
});

test('a code asked for with code_challenge and nonce redeems only with the verifier, and the ID token repeats the nonce', async ({ page, servers }) => {
  const user = await signIn(page, servers, 'news');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const nonce = `n-${Date.now()}`;
  await open(page, servers, 'sport', { response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', nonce });
  const coded = await waitForEvent(page, 'capture_success', 'callback_failure', 'capture_error');
  expect(coded.kind).toBe('capture_success');
  const code = coded.value.result.code;
  expect(code).toMatch(/^[\w-]{20,}$/);

  const redeem = (code: string, extra: Record<string, string> = {}) => fetch(`${servers.api}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('sport:sport-secret').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${servers.site.sport}/xd_receiver.html`, ...extra }),
  });
  const answer = await redeem(code, { code_verifier: verifier });
  expect(answer.status).toBe(200);
  const idToken: string = (await answer.json()).id_token;
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
  expect(claims).toMatchObject({ sub: user.capture_user.uuid, aud: 'sport', nonce });

  // The challenge binds the code: a check's code without the verifier
  // does not redeem.
  await clear(page);
  await start(page, `check({ response_type: 'code', code_challenge: ${JSON.stringify(challenge)}, nonce: 'other', refresh: true })`);
  const second = (await waitForEvent(page, 'capture_success')).value.result.code;
  const refused = await redeem(second);
  expect(refused.status).toBe(400);
  expect((await refused.json()).error).toBe('invalid_grant');
});

test('auto: sign in with set_session, then silent checks return a token or a code', async ({ page, servers, thirdPartyCookies }) => {
  const navs = navigations(page);
  const user = await signIn(page, servers, 'news');

  // A second site of the segment family: token by default.
  await open(page, servers, 'sport');
  const success = await waitForEvent(page, 'capture_success', 'callback_failure', 'capture_error');
  expect(success.kind).toBe('capture_success');
  const result = success.value.result;
  expect(result).toMatchObject({
    status: 'success', statusMessage: 'gotSSOCode', action: 'ssoSignin', oneTime: false,
    ssoImplicitLogin: true, renders: false, keepMeLoggedIn: false,
  });
  expect(result.userData).toEqual({ email: user.capture_user.email, displayName: 'Test User', uuid: user.capture_user.uuid });
  expect(result.accessToken).toMatch(/^[\w-]{20,}$/);
  expect(result.code).toBeUndefined();
  expect((await waitForEvent(page, 'check:resolved')).value).toEqual(success.value);

  // response_type code, forced with refresh.
  await clear(page);
  await start(page, "check({ response_type: 'code', refresh: true })");
  const coded = await waitForEvent(page, 'capture_success');
  expect(coded.value.result.code).toMatch(/^[\w-]{20,}$/);
  expect(coded.value.result.accessToken).toBeUndefined();

  const topLevel = navs.filter((u) => u.startsWith(servers.sso) || u.includes('xd_receiver'));
  if (thirdPartyCookies) {
    expect(navs.filter((u) => !u.endsWith('/app.html'))).toEqual([]);
  } else {
    // One round trip each: news's first check, set_session and its
    // confirmation, sport's check, and sport's refreshed check.
    expect(navs.filter((u) => u.includes('xd_receiver.html#state=')).length).toBe(5);
  }
  expect(topLevel.every((u) => !u.includes('accessToken') || u.includes('#'))).toBe(true);
});

test('jsonp stays in-page: success with cookies allowed, a blocked report without', async ({ page, servers, thirdPartyCookies }) => {
  await signIn(page, servers, 'news');
  const navs = navigations(page);
  await open(page, servers, 'sport', { response_method: 'jsonp' });
  const outcome = await waitForEvent(page, 'capture_success', 'callback_failure', 'capture_error');
  if (thirdPartyCookies) {
    expect(outcome.kind).toBe('capture_success');
  } else {
    expect(outcome.kind).toBe('callback_failure');
    expect(outcome.value.result.status).toBe('third_party_cookies_blocked');
  }
  expect(navs.filter((u) => !u.endsWith('/app.html'))).toEqual([]);
});

test('redirect: a top-level round trip in both worlds', async ({ page, servers }) => {
  await signIn(page, servers, 'news');
  const navs = navigations(page);
  const entries = await page.evaluate(() => history.length);
  await open(page, servers, 'sport', { response_method: 'redirect' });
  const outcome = await waitForEvent(page, 'capture_success', 'callback_failure', 'capture_error');
  expect(outcome.kind).toBe('capture_success');
  expect(navs.some((u) => u.includes('/xd_receiver.html#state='))).toBe(true);
  // Back on the page the check started from, with no fragment left in the
  // address bar or in history: opening sport added one entry, and each step
  // of the round trip replaced the entry before it.
  expect(page.url()).toBe(`${servers.site.sport}/app.html`);
  expect(await page.evaluate(() => history.length)).toBe(entries + 1);
});

test('a receiver given an answer nobody waits for clears it from the address bar', async ({ page, servers }) => {
  const answer = encodeURIComponent(JSON.stringify({ stat: 'ok', result: { status: 'success', accessToken: 'secret' } }));
  await page.goto(`${servers.site.sport}/app.html`);
  const entries = await page.evaluate(() => history.length);
  await page.goto(`${servers.site.sport}/xd_receiver.html#state=${'a'.repeat(32)}&sso=${answer}`);
  await expect.poll(() => page.evaluate(() => location.href)).toBe(`${servers.site.sport}/xd_receiver.html`);
  expect(await page.evaluate(() => history.length)).toBe(entries + 1);
  expect(await page.evaluate(() => sessionStorage.getItem('sso.result'))).toBeNull();
});

test('a completed check is not repeated in the browser session unless refresh is set', async ({ page, servers }) => {
  const checks: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/sso/check')) checks.push(r.url()); });
  await open(page, servers, 'shop');
  const first = await waitForEvent(page, 'callback_failure');
  expect(['no_session', 'third_party_cookies_blocked']).toContain(first.value.result.status);
  const asked = checks.length;
  expect(asked).toBeGreaterThan(0);

  await clear(page);
  await page.reload();
  const again = await waitForEvent(page, 'callback_failure');
  expect(again.value.result.status).toBe('already_checked');
  expect(checks.length).toBe(asked);

  await clear(page);
  await start(page, 'check({ refresh: true })');
  const refreshed = await waitForEvent(page, 'callback_failure');
  expect(refreshed.value.result.status).toBe('no_session');
  expect(checks.length).toBeGreaterThan(asked);
});

test('end_session ends the session, loads the other sites\' logout URIs, then calls back', async ({ page, servers, thirdPartyCookies }) => {
  await signIn(page, servers, 'news');
  await open(page, servers, 'sport');
  expect((await waitForEvent(page, 'capture_success', 'callback_failure')).kind).toBe('capture_success');

  await open(page, servers, 'news');
  await waitForEvent(page, 'check:resolved');
  await clear(page);
  const before = servers.served.sport.filter((p) => p === '/logout.html').length;
  await start(page, 'end(true)');
  if (thirdPartyCookies) {
    const ended = await waitForEvent(page, 'end_callback', 'capture_error');
    expect(ended.kind).toBe('end_callback');
    expect(ended.value.result.status).toBe('success');
    expect(ended.value.result.logoutUris).toEqual([`${servers.site.sport}/logout.html`]);
    expect((await waitForEvent(page, 'end:resolved')).value).toEqual(ended.value);
  } else {
    // The callback cannot survive the top-level round trip: the returned
    // page's check_session finishes the sign-out and goes to logout_uri.
    await page.waitForURL(`${servers.site.news}/logout.html`);
  }
  expect(servers.served.sport.filter((p) => p === '/logout.html').length).toBe(before + 1);

  await open(page, servers, 'sport', { refresh: true });
  const after = await waitForEvent(page, 'capture_success', 'callback_failure');
  expect(after.kind).toBe('callback_failure');
  expect(after.value.result.status).toBe('no_session');
});

test('the JANRAIN.SSO.CAPTURE names work', async ({ page, servers, thirdPartyCookies }) => {
  await signIn(page, servers, 'news');
  await open(page, servers, 'sport', {}, true, true);
  const outcome = await waitForEvent(page, 'capture_success', 'callback_failure', 'capture_error');
  expect(outcome.kind).toBe('capture_success');
  expect(outcome.url).toBe(`${servers.site.sport}/app.html`);

  await clear(page);
  await start(page, 'logout({})');
  if (thirdPartyCookies) {
    const ended = await waitForEvent(page, 'end_callback', 'capture_error');
    expect(ended.kind).toBe('end_callback');
    expect(ended.value.result.logoutUris).toEqual([`${servers.site.news}/logout.html`]);
  } else {
    await page.waitForURL(`${servers.site.sport}/logout.html`);
  }
  expect(servers.served.news).toContain('/logout.html');
});
