// The peer of `make bench`'s code check: node oidc-provider with its
// in-memory adapter, one client, and a browser session signed in through a
// real interaction, so that `prompt=none` answers with a code as our
// `/sso/check?response_type=code` does.
//
// Usage: node provider.mjs PORT. Prints one JSON line once ready:
// {"url": <prompt=none authorization URL>, "cookie": <Cookie header>}
// and serves until killed.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs PORT');
  process.exit(2);
}
const issuer = `http://localhost:${port}`;
const redirectUri = 'http://sport.localhost:8082/';
const accountId = 'bench-user';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'sport',
    client_secret: 'bench client secret of sport',
    redirect_uris: [redirectUri],
  }],
  cookies: { keys: ['bench cookie key of the peer provider'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: 'bench@example.com', email_verified: true }),
  }),
  features: { devInteractions: { enabled: false } },
  ttl: { Interaction: 600, Grant: 14 * 86400, Session: 14 * 86400 },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The signed-in person consented once, at the interaction below; a later
  // prompt=none finds that grant, as a returning visitor's would.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
});

// The one interaction: the person signs in and consents to openid + email.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope('openid email');
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  } else {
    callback(req, res);
  }
});

// A cookie jar of name=value pairs, as a browser keeps for this host.
const jar = new Map();
function remember(response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    const value = pair.slice(at + 1);
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(pair.slice(0, at));
    else jar.set(pair.slice(0, at), value);
  }
}
const cookieHeader = (only = '') => [...jar]
  .filter(([name]) => name.startsWith(only))
  .map(([k, v]) => `${k}=${v}`)
  .join('; ');

function authorizeUrl(prompt) {
  const query = new URLSearchParams({
    client_id: 'sport',
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email',
    state: 'bench-state-3',
    nonce: 'bench-nonce',
  });
  if (prompt) query.set('prompt', prompt);
  return `${issuer}/auth?${query}`;
}

// Follows redirects on this issuer, keeping cookies, until one leaves it.
async function follow(url) {
  for (let hops = 0; hops < 10; hops += 1) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    remember(response);
    const location = response.headers.get('location');
    if (!location) throw new Error(`${url} answered ${response.status} without a redirect`);
    const next = new URL(location, url);
    if (next.origin !== issuer) return next;
    url = next.href;
  }
  throw new Error('too many redirects');
}

server.listen(port, '127.0.0.1', async () => {
  try {
    const signedIn = await follow(authorizeUrl());
    if (!signedIn.searchParams.get('code')) throw new Error(`no code after sign-in: ${signedIn}`);
    const silent = authorizeUrl('none');
    const probe = await follow(silent);
    if (!probe.searchParams.get('code')) throw new Error(`prompt=none gave no code: ${probe}`);
    // A browser sends the interaction cookies only under /interaction/.
    console.log(JSON.stringify({ url: silent, cookie: cookieHeader('_session') }));
  } catch (error) {
    console.error(`oidc-provider peer: ${error.message}`);
    process.exit(1);
  }
});
