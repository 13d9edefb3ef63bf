// The real sso-server (debug build, in-process store) on free ports, with
// the demo configuration rewritten to those ports, and a static server per
// site origin for the test pages: on http://*.localhost, or (`tls`) on HTTPS
// with production-like names (tls.ts).
import { spawn, ChildProcess } from 'node:child_process';
import { createServer, Server, RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Server as NetServer } from 'node:net';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { DEMO_SSO_HOST, TLS_HOSTS, TlsMaterial, tlsMaterial, tlsTerminator } from './tls';
import { startWiki, Wiki } from './wiki';

export const ROOT = join(__dirname, '..', '..', '..');
const PAGES = join(__dirname, '..', 'pages');
const RECEIVER = join(ROOT, 'xd-receiver', 'xd_receiver.html');
const OIDC_CLIENT_TS = join(__dirname, '..', '..', 'node_modules', 'oidc-client-ts', 'dist', 'browser', 'oidc-client-ts.min.js');

export type SiteName = 'news' | 'sport' | 'shop' | 'evil';

export interface Servers {
  /** e.g. http://sso.localhost:41234, or https://sso.family.test:41234 */
  sso: string;
  /** The SSO server as this process reaches it (Node resolves neither
   *  *.localhost nor *.test): plain HTTP on loopback. */
  api: string;
  site: Record<SiteName, string>;
  /** The demo sites as this process reaches them: plain HTTP on loopback. */
  backend: Record<'news' | 'sport' | 'shop', string>;
  /** The inbox page of the server's mail relay (the `mail-sink` binary),
   *  as the browser opens it. */
  mail: string;
  /** The demo wiki (Apache httpd with mod_auth_openidc), with the demo
   *  sites on http. */
  wiki?: Wiki;
  /** Paths the static servers served, per site, in order. */
  served: Record<SiteName, string[]>;
  /** The next body a page POSTs to /bench-report on any test site. */
  nextReport(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Bodies POSTed to /bench-report, handed to whoever waits for one. */
class Reports {
  private bodies: string[] = [];
  private waiting: ((body: string) => void)[] = [];
  add(body: string) {
    const waiter = this.waiting.shift();
    if (waiter) waiter(body);
    else this.bodies.push(body);
  }
  next(): Promise<string> {
    const body = this.bodies.shift();
    if (body !== undefined) return Promise.resolve(body);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

function staticSite(
  port: number,
  sso: string,
  log: string[],
  reports: Reports,
  tls: TlsMaterial | null,
): Promise<NetServer> {
  const handler: RequestListener = (req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (req.method === 'POST' && path === '/bench-report') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        reports.add(body);
        res.writeHead(204).end();
      });
      return;
    }
    log.push(path);
    // A stock OIDC library for the SPA page, from the npm packages.
    if (path === '/vendor/oidc-client-ts.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(readFileSync(OIDC_CLIENT_TS));
      return;
    }
    // The receiver page is the one operators copy, from xd-receiver/.
    const file = path === '/xd_receiver.html' ? RECEIVER : join(PAGES, path === '/' ? 'app.html' : path);
    if ((!file.startsWith(PAGES) && file !== RECEIVER) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Pages name the demo server; this run's server is on another port.
    const body = readFileSync(file, 'utf8').replaceAll('http://sso.localhost:8080', sso);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(body);
  };
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The demo configuration at the given origins, listening on `listen`,
 *  with extra test receivers; `backchannel`: where the server posts news's
 *  logout tokens, when not at news's origin (behind TLS: straight to the
 *  backend on loopback, as on an internal network). */
function config(
  origins: Record<'sso' | SiteName, string>,
  listen: number,
  smtp: number,
  backchannel?: string,
  wiki?: string,
): string {
  let text = readFileSync(join(ROOT, 'sso-core', 'config', 'demo.toml'), 'utf8');
  for (const [from, to] of [
    ['http://sso.localhost:8080', origins.sso],
    ['http://news.localhost:8081', origins.news],
    ['http://sport.localhost:8082', origins.sport],
    ['http://shop.localhost:8083', origins.shop],
    ['http://wiki.localhost:8084', wiki ?? 'http://wiki.localhost:8084'],
  ] as const) {
    text = text.replaceAll(from, to);
  }
  text = text
    .replace(/^listen = .*$/m, `listen = "127.0.0.1:${listen}"`)
    .replace(/^admin_listen = .*$/m, 'admin_listen = "127.0.0.1:0"')
    .replace(/^workers = .*$/m, 'workers = 1')
    .replace(/^attempts_per_ip = .*$/m, 'attempts_per_ip = 10000')
    .replace(/^smtp_url = .*$/m, `smtp_url = "smtp://127.0.0.1:${smtp}"`);
  // A receiver that never answers (timeouts) and keeps the fragment for the
  // test (forged-message tests).
  if (backchannel) {
    text = text.replace(`${origins.news}/account/backchannel-logout`, `${backchannel}/account/backchannel-logout`);
  }
  // A public client on news's origin: tests/pages/oidc_spa.html with
  // oidc-client-ts.
  text += `
[[clients]]
id = "spa"
origins = ["${origins.news}"]
segment = "news"
federates_with = ["news", "sport"]
redirect_uris = ["${origins.news}/oidc_spa.html"]
post_logout_redirect_uris = ["${origins.news}/oidc_spa.html"]
grant_types = ["authorization_code", "refresh_token"]
flows = ["standard"]
`;
  text = text.replace(
    `xd_receivers = ["${origins.news}/xd_receiver.html"]`,
    `xd_receivers = ["${origins.news}/xd_receiver.html", "${origins.news}/silent_receiver.html"]`,
  );
  return text;
}

export interface ServerOptions {
  demo?: boolean;
  /** The cargo profile whose binaries run (sso-server, www, mail-sink,
   *  sso-fleet): `debug`, what `make test` builds, unless set; the bench
   *  runs on `release`, what `make build` builds. */
  build?: 'debug' | 'release';
  /** Three sso-server instances on a local Redis Cluster behind a
   *  round-robin proxy (the `sso-fleet` binary) instead of one instance on
   *  the in-process store. Answers name their instance in `x-sso-instance`. */
  fleet?: boolean;
  /** HTTPS on production-like names (`TLS_HOSTS`), the SSO server behind a
   *  TLS listener with an https `public_url` (so its cookie is `__Host-`). */
  tls?: boolean;
}

/** With `demo`, news, sport and shop are the demo sites served by the `www`
 *  binary; otherwise they are static servers of the test pages. Ports are chosen free
 *  and then bound, so a parallel worker can take one in between: a start
 *  that fails is cleaned up and tried again on other ports. */
export async function startServers(options: ServerOptions = {}): Promise<Servers> {
  for (let attempt = 1; ; attempt++) {
    const cleanup: (() => Promise<unknown>)[] = [];
    try {
      return await startOnce(options, cleanup);
    } catch (err) {
      await Promise.all(cleanup.map((c) => c().catch(() => {})));
      if (attempt === 3) throw err;
    }
  }
}

async function startOnce(
  { demo = false, build = 'debug', fleet = false, tls: https = false }: ServerOptions,
  cleanup: (() => Promise<unknown>)[],
): Promise<Servers> {
  if (https && fleet) throw new Error('the fleet runs on http://*.localhost only');
  const tls = https ? tlsMaterial(ROOT) : null;
  const ports = {
    sso: await freePort(),
    news: await freePort(),
    sport: await freePort(),
    shop: await freePort(),
    evil: await freePort(),
  };
  // Behind TLS, the server and the demo sites listen on ports of their own.
  const listen = tls ? await freePort() : ports.sso;
  const wwwPorts = tls
    ? { news: await freePort(), sport: await freePort(), shop: await freePort() }
    : { news: ports.news, sport: ports.sport, shop: ports.shop };
  const backend = {
    news: `http://127.0.0.1:${wwwPorts.news}`,
    sport: `http://127.0.0.1:${wwwPorts.sport}`,
    shop: `http://127.0.0.1:${wwwPorts.shop}`,
  };
  const origins = {} as Record<'sso' | SiteName, string>;
  for (const name of ['sso', 'news', 'sport', 'shop', 'evil'] as const) {
    const host = name === 'sso' && demo ? DEMO_SSO_HOST : TLS_HOSTS[name];
    origins[name] = tls ? `https://${host}:${ports[name]}` : `http://${name}.localhost:${ports[name]}`;
  }
  const sso = origins.sso;
  const dir = mkdtempSync(join(tmpdir(), 'sso-test-'));
  const configFile = join(dir, 'sso.toml');
  // The wiki joins the demo on http (mod_auth_openidc would need the
  // test CA behind TLS).
  const wikiOrigin = demo && !tls && !fleet ? `http://wiki.localhost:${await freePort()}` : undefined;
  // The server's mail goes to a real SMTP server of this run's, whose
  // inbox page the tests open as a person would.
  const mailPorts = { smtp: await freePort(), http: await freePort() };
  const sink = spawn(
    join(ROOT, 'target', build, 'mail-sink'),
    ['--smtp', `127.0.0.1:${mailPorts.smtp}`, '--http', `127.0.0.1:${mailPorts.http}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  cleanup.push(async () => sink.kill('SIGTERM'));
  writeFileSync(
    configFile,
    config(origins, listen, mailPorts.smtp, tls && demo ? backend.news : undefined, wikiOrigin),
  );
  // Files the configuration names are read beside it.
  copyFileSync(
    join(ROOT, 'sso-core', 'config', 'partner-idp.jwks.json'),
    join(dir, 'partner-idp.jwks.json'),
  );

  const bin = join(ROOT, 'target', build, 'sso-server');
  const assets = join(ROOT, 'target', 'sso-client');
  // The fleet stops when its standard input closes, so it never outlives
  // this process.
  const child: ChildProcess = fleet
    ? spawn(
        join(ROOT, 'target', build, 'sso-fleet'),
        ['--config', configFile, '--server-bin', bin, '--assets-dir', assets, '--listen', `127.0.0.1:${ports.sso}`],
        { stdio: ['pipe', 'ignore', 'inherit'] },
      )
    : spawn(bin, ['--config', configFile, '--assets-dir', assets], {
        env: { ...process.env, SSO_LOG: process.env.SSO_TEST_LOG ?? 'warn' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const terminators: NetServer[] = [];
  if (tls) {
    const forward: [number, number][] = [[ports.sso, listen]];
    if (demo) for (const name of ['news', 'sport', 'shop'] as const) forward.push([ports[name], wwwPorts[name]]);
    for (const [from, to] of forward) {
      const started = await tlsTerminator(from, to, tls);
      terminators.push(started);
      cleanup.push(() => new Promise((r) => started.close(r)));
    }
  }

  const served = { news: [], sport: [], shop: [], evil: [] } as Record<SiteName, string[]>;
  const sites: NetServer[] = [];
  const reports = new Reports();
  let www: ChildProcess | null = null;
  for (const name of ['news', 'sport', 'shop', 'evil'] as SiteName[]) {
    if (demo && name !== 'evil') continue;
    const server = await staticSite(ports[name], sso, served[name], reports, tls);
    sites.push(server);
    cleanup.push(() => new Promise((r) => server.close(r)));
  }
  if (demo) {
    const wwwBin = join(ROOT, 'target', build, 'www');
    const args = ['--sso-server', sso, '--ports', `${wwwPorts.news}`, `${wwwPorts.sport}`, `${wwwPorts.shop}`];
    if (tls) {
      args.push('--origins', origins.news, origins.sport, origins.shop);
      args.push('--sso-ca', tls.caFile, '--sso-address', '127.0.0.1');
    }
    www = spawn(wwwBin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const started = www;
    cleanup.push(async () => started.kill('SIGTERM'));
  }

  const deadline = Date.now() + (fleet ? 60_000 : 15_000);
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${listen}/healthz`);
      const site = demo ? await fetch(`${backend.shop}/`) : r;
      const inbox = await fetch(`http://127.0.0.1:${mailPorts.http}/`);
      if (r.ok && site.ok && inbox.ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`sso-server did not start (${bin}, exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  // httpd reads the discovery document at its first sign-in, so it may
  // start once the server answers.
  let wiki: Wiki | undefined;
  if (wikiOrigin) {
    wiki = await startWiki(ROOT, wikiOrigin, sso);
    const started = wiki;
    cleanup.push(() => started.stop());
  }

  const site = {} as Record<SiteName, string>;
  for (const name of ['news', 'sport', 'shop', 'evil'] as SiteName[]) {
    site[name] = origins[name];
  }
  return {
    sso,
    api: `http://127.0.0.1:${listen}`,
    mail: `http://mail.localhost:${mailPorts.http}`,
    site,
    backend,
    wiki,
    served,
    nextReport: () => reports.next(),
    async stop() {
      sink.kill('SIGTERM');
      www?.kill('SIGTERM');
      child.kill('SIGTERM');
      // A graceful stop waits for open connections (up to 30 s in
      // actix-web): past 5 s the processes are killed, so a connection a
      // browser left open cannot outlast the fixture's teardown.
      const kill = setTimeout(() => {
        child.kill('SIGKILL');
        www?.kill('SIGKILL');
      }, 5_000);
      await Promise.all([exited, wiki?.stop()]);
      clearTimeout(kill);
      for (const s of sites) (s as { closeAllConnections?: () => void }).closeAllConnections?.();
      await Promise.all([...sites, ...terminators].map((s) => new Promise((r) => s.close(r))));
    },
  };
}
