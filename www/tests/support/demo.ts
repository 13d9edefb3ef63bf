// Driving the demo sites as a person does: shared by the e2e specs.
import { Page } from '@playwright/test';
import { expect, PASSWORD } from './fixtures';
import { Servers } from './servers';

/** `read` evaluated in the page, or null while the page is navigating. */
export async function inPage<R>(page: Page, read: (arg: string | null) => R, arg: string | null): Promise<R | null> {
  try {
    return await page.evaluate(read, arg);
  } catch {
    return null;
  }
}

/** A sessionStorage value. */
export const stored = (page: Page, key: string) => inPage(page, (k) => sessionStorage.getItem(k ?? ''), key);

/** The access token the demo keeps with its sign-in. */
export const token = (page: Page) =>
  inPage(page, () => JSON.parse(localStorage.getItem('demo-user') || 'null')?.token ?? null, null);

export type Site = 'news' | 'sport' | 'shop';

/** Opens a demo site and waits for its check on load to finish (a redirect
 *  round trip where third-party cookies are blocked). */
export async function visit(page: Page, demo: Servers, site: Site) {
  await page.goto(`${demo.site[site]}/`);
  await expect.poll(() => stored(page, `sso.checked.${site}`)).toBe('1');
}

/** Signs in with the site's form, as a person would, after the page's own
 *  check; returns once set_session has finished (in-page or redirected). */
export async function signInWithForm(page: Page, demo: Servers, site: Site, email: string, keep = false) {
  await visit(page, demo, site);
  await page.evaluate((key) => sessionStorage.removeItem(key), `sso.checked.${site}`);
  const form = page.locator('#sign-in');
  await form.locator('[name=signInEmailAddress]').fill(email);
  await form.locator('[name=currentPassword]').fill(PASSWORD);
  if (keep) await form.locator('[name=keepMeLoggedIn]').check();
  await form.locator('button[type=submit]').click();
  await expect(page.locator('#signed-in')).toBeVisible();
  // set_session, then the check that brings a session-bound token.
  await expect.poll(() => token(page)).toBeTruthy();
}

export async function who(page: Page) {
  const who = page.locator('#who');
  await expect(who).not.toHaveText('…');
  return { text: await who.textContent(), uuid: await who.getAttribute('data-uuid') };
}
