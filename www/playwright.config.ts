import { defineConfig } from '@playwright/test';
import type { Options } from './tests/support/fixtures';

// Every browser test runs in both worlds: Chromium's default (third-party
// cookies blocked, so `auto` falls back to a top-level redirect) and with
// third-party cookies allowed (everything stays in-page).
export default defineConfig<Options>({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 2,
  fullyParallel: true,
  reporter: [['list']],
  outputDir: '../target/playwright',
  projects: [
    { name: 'cookies-blocked', use: { thirdPartyCookies: false } },
    { name: 'cookies-allowed', use: { thirdPartyCookies: true } },
  ],
});
