import { defineConfig } from '@playwright/test';

// `make bench`: the browser figures (bundle size beside the JS SDKs, and
// time to SSO), against the release server.
export default defineConfig({
  testDir: './bench',
  testMatch: '*.bench.ts',
  timeout: 300_000,
  workers: 1,
  reporter: [['list']],
  outputDir: '../target/playwright-bench',
});
