// Browser figure for `make bench`: the demo wiki (Apache httpd with
// mod_auth_openidc) for a person already signed in on news — from opening
// its protected URL to its page rendered, with the redirects to the SSO
// server's authorization endpoint and back (a code, no page) and
// mod_auth_openidc's code redemption. Median of 20, in both cookie worlds
// (the path is all top-level, so they should agree). Between runs the
// wiki's own session cookie is dropped, so each run signs in anew.
import { test } from '@playwright/test';
import { rmSync } from 'node:fs';
import { launch, register } from '../tests/support/fixtures';
import { signInWithForm } from '../tests/support/demo';
import { startServers } from '../tests/support/servers';

const RUNS = 20;

const line = (label: string, value: string, target: string) =>
  console.log(`${label.padEnd(48)} ${value.padEnd(26)} ${target}`);

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

test('the wiki opened by a person signed in on news', async () => {
  const demo = await startServers({
    demo: true,
    build: 'release',
  });
  try {
    const wiki = demo.wiki!.origin;
    console.log();
    for (const allowed of [true, false]) {
      const { context, dir } = await launch(allowed);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const user = await register(demo, 'news');
        await signInWithForm(page, demo, 'news', user.capture_user.email);
        const times: number[] = [];
        for (let i = 0; i <= RUNS; i++) {
          await context.clearCookies({ domain: 'wiki.localhost' });
          const t0 = Date.now();
          await page.goto(`${wiki}/protected/`);
          await page.locator('#who').waitFor();
          if (!(await page.locator('#who').textContent())?.includes(user.capture_user.email)) {
            throw new Error(`the wiki showed ${await page.content()}`);
          }
          times.push(Date.now() - t0);
        }
        // The first run also fetches the discovery document and JWKS.
        const [first, ...rest] = times;
        const world = allowed ? 'third-party cookies allowed' : 'third-party cookies blocked';
        line(`wiki protected URL -> page, signed in on news (${allowed ? 'allowed' : 'blocked'})`, `median ${median(rest).toFixed(0)} ms (n=${RUNS})`, `(report; first ${first} ms, ${world})`);
      } finally {
        await context.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await demo.stop();
  }
});
