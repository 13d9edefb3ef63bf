// The demo sites on three sso-server instances that share a local Redis
// Cluster, behind a round-robin proxy (no stickiness): one person's
// sign-in, silent sign-in elsewhere, code redemption by a site backend and
// sign-out land on different instances and still work together.
import { test, expect, register } from '../support/fixtures';
import { signInWithForm, token, who } from '../support/demo';

/** `url` with its host replaced by loopback: Node does not resolve *.localhost. */
const loopback = (url: string) => { const u = new URL(url); u.hostname = '127.0.0.1'; return u.toString().replace(/\/$/, ''); };

type Logged = { method: string; path: string; instance: number };

test('sign-in, silent sign-in, code redemption and sign-out across three instances on a Redis Cluster', async ({ page, fleet, thirdPartyCookies }) => {
  const reader = await register(fleet, 'sport');
  await signInWithForm(page, fleet, 'sport', reader.capture_user.email);

  // news: signed in silently, and its backend redeems the code it got.
  await page.goto(`${fleet.site.news}/`);
  await expect(page.locator('#account')).toBeVisible();
  expect((await who(page)).uuid).toBe(reader.capture_user.uuid);

  // Sign out on sport: news is signed out too.
  await page.goto(`${fleet.site.sport}/`);
  await expect(page.locator('#signed-in')).toBeVisible();
  await expect.poll(() => token(page)).toBeTruthy();
  await page.locator('#sign-out').click();
  if (!thirdPartyCookies) await page.waitForURL(`${fleet.site.sport}/logout.html`);
  else await expect(page.locator('#signed-out')).toBeVisible();
  await page.goto(`${fleet.site.news}/`);
  await expect(page.locator('#signed-out')).toBeVisible();

  // Where each request of the protocol went.
  const log: Logged[] = await (await fetch(`${loopback(fleet.sso)}/_fleet/log`)).json();
  const kinds = { set: '/sso/set', check: '/sso/check', redeem: '/oauth/token', end: '/sso/end' };
  const served: Record<string, number[]> = {};
  for (const [kind, path] of Object.entries(kinds)) {
    served[kind] = [...new Set(log.filter((e) => e.path === path).map((e) => e.instance))].sort();
    expect(served[kind].length, `${path} went through the proxy`).toBeGreaterThan(0);
  }
  console.log(`fleet (${thirdPartyCookies ? 'cookies allowed' : 'cookies blocked'}): instances per request kind ${JSON.stringify(served)}`);
  // Round robin without stickiness: the person's requests were spread over
  // all three instances, yet every step saw what the others wrote.
  expect(new Set(Object.values(served).flat())).toEqual(new Set([0, 1, 2]));
});
