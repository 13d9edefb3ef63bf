// Passkeys in real Chromium: its virtual authenticator (CDP `WebAuthn`: a
// platform authenticator that keeps discoverable credentials and verifies
// the person), the server's "Your passkeys" page, and axe-core on the pages.
import { CDPSession, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { expect } from './fixtures';
import { Servers } from './servers';

export async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

export async function accessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}`), `${what}: ${page.url()}`).toEqual([]);
}

/** Adds a passkey on the server's page for the browser's person. */
export async function addPasskey(page: Page, demo: Servers) {
  await page.goto(`${demo.sso}/account/passkeys?client_id=news`);
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  await accessible(page, 'Your passkeys');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.locator('form.passkey input[name=name]')).toHaveValue('Passkey 1');
  await expect(page.getByText('Last used: Not used yet')).toBeVisible();
  await accessible(page, 'Your passkeys, with one');
}
