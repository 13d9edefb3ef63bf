// The demo wiki: Apache httpd with Debian's mod_auth_openidc, a stock
// OpenID Connect relying party, from www/wiki/httpd.conf.in (as `make run`
// renders it) on a port of its own.
import { spawn, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  // httpd's workers run as www-data: the pages are served from a copy in
  // the run folder, opened to them, since the checkout may sit in a folder
  // only its owner can enter (`mktemp -d` makes one).
  chmodSync(dir, 0o755);
  const htdocs = join(dir, 'htdocs');
  cpSync(join(root, 'www', 'wiki', 'htdocs'), htdocs, { recursive: true });
  const port = new URL(origin).port;
  const conf = readFileSync(join(root, 'www', 'wiki', 'httpd.conf.in'), 'utf8')
    .replaceAll('@PORT@', port)
    .replaceAll('@RUN_DIR@', dir)
    .replaceAll('@HTDOCS@', htdocs)
    .replaceAll('@SSO@', sso)
    .replaceAll('@WIKI@', origin)
    .replaceAll('@PASSPHRASE@', randomBytes(24).toString('hex'));
  const file = join(dir, 'httpd.conf');
  writeFileSync(file, conf);
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
