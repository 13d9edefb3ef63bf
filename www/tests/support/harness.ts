// Driving the test pages' harness (tests/pages/harness.js): shared by the
// library and FedCM specs.
import { CDPSession, Page } from '@playwright/test';
import { expect, siteConfig, register, waitForEvent } from './fixtures';
import { Servers, SiteName } from './servers';

/** Opens the harness page of `site` with the given check settings. */
export async function open(page: Page, servers: Servers, site: SiteName, extra: Record<string, unknown> = {}, autorun = true, janrain = false) {
  await page.goto(`${servers.site[site]}/app.html`);
  const segments = site === 'shop' ? ['shop', 'shop'] : ['news-sport', site];
  await page.evaluate(
    ([config, supported, segment, autorun, janrain]) =>
      window.harness.setup({ config, supported, segment, autorun, janrain }),
    [siteConfig(servers, site, extra), segments[0], segments[1], autorun, janrain] as const,
  );
  // Later loads of the page (after a redirect) run the check by themselves.
  if (autorun) await start(page, 'check()');
}

/** Starts a harness call without waiting: it may navigate the page. */
export async function start(page: Page, call: string) {
  await page.evaluate((call) => { eval(`window.harness.${call}`); }, call);
}

export async function clear(page: Page) {
  await page.evaluate(() => sessionStorage.removeItem('harness-events'));
}

/** Signs a new user in on `site` through set_session (redirect round trip
 *  where the browser blocks third-party cookies). */
export async function signIn(page: Page, servers: Servers, site: SiteName) {
  const user = await register(servers, site);
  await open(page, servers, site);
  await waitForEvent(page, 'check:resolved');
  await clear(page);
  await start(page, `set(${JSON.stringify(user.sso_code)})`);
  const done = await waitForEvent(page, 'callback_success', 'callback_failure', 'capture_error');
  expect(done.kind).toBe('callback_success');
  expect(done.value.result.status).toBe('success');
  return user;
}


/** Answers the browser's FedCM dialogs in a tab as a person would: the
 *  first account in the chooser, and "close" on an error. Returns the
 *  dialog types shown, in order. Without `rejectionDelay` Chromium refuses
 *  at once instead of after its deliberate delay. */
export async function answerFedCm(cdp: CDPSession, rejectionDelay = false): Promise<string[]> {
  await cdp.send('FedCm.enable', { disableRejectionDelay: !rejectionDelay });
  const dialogs: string[] = [];
  cdp.on('FedCm.dialogShown', (e: any) => {
    dialogs.push(e.dialogType);
    if (e.dialogType === 'AccountChooser') {
      cdp.send('FedCm.selectAccount', { dialogId: e.dialogId, accountIndex: 0 }).catch(() => {});
    } else if (e.dialogType === 'Error') {
      cdp.send('FedCm.dismissDialog', { dialogId: e.dialogId }).catch(() => {});
    }
  });
  return dialogs;
}
