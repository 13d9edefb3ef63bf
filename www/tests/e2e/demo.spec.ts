// The demo sites end to end, as a person uses them, in both cookie worlds.
import { Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';

/** A sessionStorage value, or null while the page is navigating. */
async function stored(page: Page, key: string) {
  try {
    return await page.evaluate((k) => sessionStorage.getItem(k), key);
  } catch {
    return null;
  }
}

async function who(page: Page) {
  const who = page.locator('#who');
  await expect(who).not.toHaveText('…');
  return { text: await who.textContent(), uuid: await who.getAttribute('data-uuid') };
}

test('register on news, silently signed in on sport, not on shop', async ({ page, demo }) => {
  const email = `demo-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  await page.goto(`${demo.site.news}/`);
  // The first visit's check (a redirect round trip where cookies are
  // blocked) has finished before the person starts typing.
  await expect.poll(() => stored(page, 'sso.checked.news')).toBe('1');
  await page.evaluate(() => sessionStorage.removeItem('sso.checked.news'));
  await expect(page.locator('#signed-out')).toBeVisible();
  const form = page.locator('#register');
  await form.locator('[name=emailAddress]').fill(email);
  await form.locator('[name=displayName]').fill('Ann Example');
  await form.locator('[name=password]').fill('correct horse battery staple');
  await form.locator('button').click();
  await expect(page.locator('#signed-in')).toBeVisible();
  const onNews = await who(page);
  expect(onNews.text).toBe('Ann Example');
  expect(onNews.uuid).toMatch(/^[0-9a-f-]{36}$/);
  // set_session finished (in-page, or back from its redirect).
  await expect.poll(() => stored(page, 'sso.checked.news')).toBe('1');

  await page.goto(`${demo.site.sport}/`);
  await expect(page.locator('#signed-in')).toBeVisible();
  expect((await who(page)).uuid).toBe(onNews.uuid);

  await page.goto(`${demo.site.shop}/`);
  await expect.poll(() => stored(page, 'sso.checked.shop')).toBe('1');
  await expect(page.locator('#signed-out')).toBeVisible();
  expect((await who(page)).text).toBe('not signed in');
});
