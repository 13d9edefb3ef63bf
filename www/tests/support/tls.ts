// HTTPS on production-like names for the `https-*` projects: a certificate
// authority made for this worker by `test-ca` (rcgen), one server
// certificate for every name, the Chromium flags that map the names to
// loopback and trust that authority, and the TLS listener the SSO server
// sits behind (as it would behind a load balancer).
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { AddressInfo, connect, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/** The host of each part on HTTPS. The SSO server is a subdomain of its own
 *  registrable domain, as in production: FedCM fetches its well-known file
 *  from `family.test`, the registrable domain of its config URL. A worker
 *  running the demo sites too has a second SSO server, in a family of its
 *  own (`DEMO_SSO_HOST`), so that each has its own well-known file. */
export const TLS_HOSTS = {
  sso: 'sso.family.test',
  news: 'news.test',
  sport: 'sport.test',
  shop: 'shop.test',
  evil: 'evil.test',
} as const;
export const DEMO_SSO_HOST = 'sso.demo-family.test';
const FAMILIES = ['family.test', 'demo-family.test'];

const NAMES = [...Object.values(TLS_HOSTS), DEMO_SSO_HOST, ...FAMILIES];

export interface TlsMaterial {
  /** The authority's certificate (PEM file), for clients other than Chromium. */
  caFile: string;
  key: string;
  /** The server certificate followed by the authority's. */
  cert: string;
  /** Chromium's flag that trusts the authority. */
  trust: string;
}

let material: TlsMaterial | undefined;

/** This worker's authority and certificate, made on first use. */
export function tlsMaterial(root: string): TlsMaterial {
  if (material) return material;
  const dir = mkdtempSync(join(tmpdir(), 'sso-tls-'));
  execFileSync(join(root, 'target', 'debug', 'test-ca'), [dir, ...NAMES], { stdio: 'inherit' });
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  // Chromium trusts certificates whose chain holds a key of this list (the
  // authority's, and the server's), and then treats the connection as valid:
  // a secure context, no warning.
  const spki = [readFileSync(join(dir, 'ca.pem'), 'utf8'), cert]
    .map((pem) =>
      createHash('sha256')
        .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64'),
    )
    .join(',');
  material = {
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert,
    trust: `--ignore-certificate-errors-spki-list=${spki}`,
  };
  return material;
}

/** Chromium's flags for a worker: the names resolve to loopback, with
 *  `https://family.test` (port 443, where FedCM looks) and the SSO hosts
 *  (port 443, where WebAuthn looks for `/.well-known/webauthn`) on the port
 *  of the registrable domains' listener, and the authority is trusted.
 *  Every request to an SSO host then goes through that listener, to the
 *  same server. */
export function chromiumArgs(tls: TlsMaterial, registrable: RegistrableDomain): string[] {
  const families = [...FAMILIES, TLS_HOSTS.sso, DEMO_SSO_HOST].map((f) => `MAP ${f} 127.0.0.1:${registrable.port}`);
  return [`--host-resolver-rules=${families.join(', ')}, MAP *.test 127.0.0.1`, tls.trust];
}

/** The families' own sites (`https://family.test`, ...), reduced to what
 *  the README asks of them: each proxies `/.well-known/web-identity` (here,
 *  every request) to its SSO server, once `forwardTo` names the server; and
 *  the SSO hosts on port 443. */
export interface RegistrableDomain {
  port: number;
  /** Forwards `ssoUrl`'s host and its registrable domain to `port`. */
  forwardTo(ssoUrl: string, port: number): void;
  close(): Promise<void>;
}

export async function registrableDomain(tls: TlsMaterial): Promise<RegistrableDomain> {
  const upstream = new Map<string, number>();
  const server = await tlsTerminator(0, (name) => upstream.get(name ?? '') ?? 0, tls);
  return {
    port: (server.address() as AddressInfo).port,
    forwardTo: (ssoUrl, port) => {
      const host = new URL(ssoUrl).hostname;
      upstream.set(host, port);
      upstream.set(host.split('.').slice(1).join('.'), port);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A TLS listener on `port` that hands each connection to the plain HTTP
 *  server on `upstream` (a port, or one for the name the client asked for). */
export function tlsTerminator(
  port: number,
  upstream: number | ((servername: string | undefined) => number),
  tls: TlsMaterial,
): Promise<Server> {
  // Every socket it carries: closing the terminator cuts them, or a
  // browser's keep-alive connection would hold close() (and the server
  // behind it, waiting for its connections to end) open.
  const open = new Set<{ destroy(): void }>();
  const server = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => {
    const name = typeof socket.servername === 'string' ? socket.servername : undefined;
    const target = typeof upstream === 'number' ? upstream : upstream(name);
    if (!target) {
      socket.destroy();
      return;
    }
    const backend = connect(target, '127.0.0.1');
    for (const s of [socket, backend]) {
      open.add(s);
      s.once('close', () => open.delete(s));
    }
    socket.pipe(backend).pipe(socket);
    const close = () => {
      socket.destroy();
      backend.destroy();
    };
    socket.on('error', close);
    backend.on('error', close);
  });
  const close = server.close.bind(server);
  server.close = ((done?: (err?: Error) => void) => {
    for (const s of open) s.destroy();
    return close(done);
  }) as typeof server.close;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
