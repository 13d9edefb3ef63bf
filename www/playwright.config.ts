import { defineConfig } from '@playwright/test';
import type { Options } from './tests/support/fixtures';

// Every browser test runs in both worlds: Chromium's default (third-party
// cookies blocked, so `auto` falls back to a top-level redirect) and with
// third-party cookies allowed (everything stays in-page). The library,
// FedCM and demo-site suites (sign-in, sign-out, back-channel logout) run a
// second time where production runs: HTTPS on production-like names
// (sso.family.test, news.test, ...), where Chromium relaxes none of the
// checks it relaxes on http://*.localhost. The fleet suite stays on http.
const HTTPS_SUITES = ['library/**', 'e2e/fedcm.spec.ts', 'e2e/demo.spec.ts', 'e2e/passkeys-related-origins.spec.ts'];

export default defineConfig<Options & { tls: boolean }>({
  testDir: './tests',
  // Generous for slow machines: on a 2-core VM where the whole stack ran
  // two to five times slower than usual, 6 of 198 tests ran past a 30 s
  // limit within `make test` (each takes 4-15 s alone). A test that waits
  // for something that never happens still fails, only later.
  timeout: 60_000,
  expect: { timeout: 20_000 },
  workers: 2,
  fullyParallel: true,
  reporter: [['list']],
  outputDir: '../target/playwright',
  projects: [
    { name: 'cookies-blocked', use: { thirdPartyCookies: false } },
    { name: 'cookies-allowed', use: { thirdPartyCookies: true } },
    { name: 'https-cookies-blocked', testMatch: HTTPS_SUITES, use: { thirdPartyCookies: false, tls: true } },
    { name: 'https-cookies-allowed', testMatch: HTTPS_SUITES, use: { thirdPartyCookies: true, tls: true } },
  ],
});
