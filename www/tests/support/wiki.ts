// The demo wiki: Apache httpd with Debian's mod_auth_openidc, a stock
// OpenID Connect relying party, from www/wiki/httpd.conf.in (as `make run`
// renders it, www/wiki/render.sh) on a port of its own.
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const APACHE = process.env.APACHE ?? '/usr/sbin/apache2';

export interface Wiki {
  /** e.g. http://wiki.localhost:41235 */
  origin: string;
  /** mod_auth_openidc's and httpd's log. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts httpd for `origin` (listening on its port) against the SSO
 *  server at `sso`; resolves once it answers. */
export async function startWiki(root: string, origin: string, sso: string): Promise<Wiki> {
  const dir = mkdtempSync(join(tmpdir(), 'sso-wiki-'));
  const port = new URL(origin).port;
  execFileSync(join(root, 'www', 'wiki', 'render.sh'), [dir, port, sso, origin]);
  const file = join(dir, 'httpd.conf');
  const child: ChildProcess = spawn(APACHE, ['-f', file, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`httpd did not start (${APACHE}, exit ${child.exitCode}): ${file}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    origin,
    log: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
