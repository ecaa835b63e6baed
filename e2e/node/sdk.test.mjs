// End to end with the official TypeScript MCP SDK as the client, the way a
// custom agent uses it: StreamableHTTPClientTransport with an
// OAuthClientProvider. The provider plays the host's browser headlessly on
// hostgate's real sign-in and consent pages.
//
//   401 → discovery → registration → PKCE authorization (sign-in, consent)
//   → token → initialize → tools/list → whoami → list_properties
//   → the access token expires on the server → the SDK refreshes it
//   (rotated) by itself → the tool call goes through.
//
// Run by ./run against `hostgate demo --access-ttl 1m`; it needs
// HOSTGATE_URL and HOSTGATE_DEMO_PASSWORD.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { HeadlessBrowser } from './lib/browser.mjs';
import { suite, env } from './lib/harness.mjs';

const base = env('HOSTGATE_URL');
const password = env('HOSTGATE_DEMO_PASSWORD');
const ttlSeconds = Number(process.env.HOSTGATE_ACCESS_TTL_SECONDS || 60);
const mcpURL = new URL(`${base}/mcp`);
const redirectURL = process.env.SDK_REDIRECT_URL || 'http://127.0.0.1:18311/callback';
const clientName = 'hostgate e2e (TypeScript SDK)';
const verbose = !!process.env.E2E_VERBOSE;
const log = (...a) => verbose && console.log('#', ...a);

// --- what went over the wire: every request the SDK made ---
const wire = [];
async function recordingFetch(input, init = {}) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init.method || (input instanceof Request ? input.method : 'GET')).toUpperCase();
  let form;
  if (init.body instanceof URLSearchParams) form = Object.fromEntries(init.body);
  else if (typeof init.body === 'string' && url.pathname === '/token') form = Object.fromEntries(new URLSearchParams(init.body));
  let rpc;
  if (typeof init.body === 'string' && url.pathname === '/mcp') {
    try {
      rpc = JSON.parse(init.body).method;
    } catch {}
  }
  const res = await fetch(input, init);
  const rec = { method, path: url.pathname, status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), grant: form?.grant_type, rpc, form };
  wire.push(rec);
  log(`wire: ${method} ${url.pathname}${rpc ? ` (${rpc})` : ''}${rec.grant ? ` grant_type=${rec.grant}` : ''} -> ${res.status}`);
  return res;
}

// --- the provider: in-memory storage, and the browser for redirects ---
const browser = new HeadlessBrowser({ username: 'demo', password, log });
const provider = {
  redirects: [], // authorization URLs the SDK sent the user to
  savedTokens: [], // every saveTokens call
  savedClients: [],
  codes: [], // what came back on the redirect URI
  _state: undefined,
  get redirectUrl() {
    return redirectURL;
  },
  get clientMetadata() {
    return {
      client_name: clientName,
      redirect_uris: [redirectURL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  },
  state() {
    return (this._state = randomUUID());
  },
  clientInformation() {
    return this.savedClients.at(-1);
  },
  saveClientInformation(ci) {
    this.savedClients.push(ci);
  },
  tokens() {
    return this.savedTokens.at(-1);
  },
  saveTokens(t) {
    this.savedTokens.push({ ...t, savedAt: Date.now() });
  },
  saveCodeVerifier(v) {
    this.verifier = v;
  },
  codeVerifier() {
    return this.verifier;
  },
  // The SDK calls this when the host must approve in a browser. A desktop
  // app would open the system browser and listen on the redirect URI; here
  // the headless browser walks the pages and the code is read from the
  // Location header that points at the redirect URI (nothing listens there).
  async redirectToAuthorization(authorizationUrl) {
    this.redirects.push(new URL(authorizationUrl));
    const to = await browser.authorize(authorizationUrl, { expectPages: ['signin', 'consent'] });
    assert.equal(`${to.origin}${to.pathname}`, redirectURL, 'the browser lands on the registered redirect URI');
    this.codes.push(to.searchParams);
  },
};

const client = new Client({ name: 'hostgate-e2e-sdk', version: '1.0.0' });
let transport;
const newTransport = () => new StreamableHTTPClientTransport(mcpURL, { authProvider: provider, fetch: recordingFetch });

const t = suite('TypeScript SDK (@modelcontextprotocol/sdk) against hostgate demo');
t.cleanup(async () => {
  await client.close().catch(() => {});
});

t.step('connect without a token: hostgate answers 401, the SDK discovers, registers and sends the host to authorize', async () => {
  transport = newTransport();
  // The first connect ends in UnauthorizedError once the provider has been
  // sent to the browser; anything else (a browser failure, say) is shown.
  const err = await client.connect(transport).then(() => null, (e) => e);
  if (!(err instanceof UnauthorizedError)) throw err ?? new Error('connect succeeded without authorization');
  const first = wire[0];
  assert.equal(first.method, 'POST');
  assert.equal(first.path, '/mcp');
  assert.equal(first.rpc, 'initialize');
  assert.equal(first.status, 401);
  assert.match(first.wwwAuthenticate ?? '', /^Bearer /);
  assert.match(first.wwwAuthenticate, new RegExp(`resource_metadata="${escapeRe(base)}/\\.well-known/oauth-protected-resource/mcp"`));
  const paths = wire.map((r) => `${r.method} ${r.path}`);
  const i = (p) => paths.indexOf(p);
  assert.ok(i('GET /.well-known/oauth-protected-resource/mcp') > 0, `protected-resource metadata fetched: ${paths}`);
  assert.ok(i('GET /.well-known/oauth-authorization-server') > i('GET /.well-known/oauth-protected-resource/mcp'), `AS metadata after PRM: ${paths}`);
  assert.ok(i('POST /register') > i('GET /.well-known/oauth-authorization-server'), `dynamic registration after AS metadata: ${paths}`);
  assert.equal(wire.find((r) => r.path === '/register').status, 201);
  assert.equal(provider.savedClients.length, 1);
  assert.ok(provider.savedClients[0].client_id, 'registration returned a client_id');
  assert.equal(provider.redirects.length, 1, 'redirectToAuthorization called once');
});

t.step('the authorization URL carries PKCE S256, state, resource and the scopes from WWW-Authenticate', async () => {
  const u = provider.redirects[0];
  assert.equal(`${u.origin}${u.pathname}`, `${base}/authorize`);
  const q = u.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), provider.savedClients[0].client_id);
  assert.equal(q.get('redirect_uri'), redirectURL);
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.equal(q.get('state'), provider._state);
  assert.equal(q.get('resource'), `${base}/mcp`);
  assert.deepEqual((q.get('scope') ?? '').split(' ').sort(), ['read', 'write']);
});

t.step('headless browser: sign-in page, then consent page listing the connected vendor accounts', async () => {
  const [signin, consent] = browser.pages;
  assert.equal(signin.kind, 'signin');
  assert.equal(new URL(signin.url).pathname, '/signin');
  assert.equal(signin.headers.get('x-frame-options'), 'DENY');
  assert.match(signin.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.equal(consent.kind, 'consent');
  assert.equal(new URL(consent.url).pathname, '/authorize');
  assert.ok(consent.html.includes(clientName), 'the consent page names the client');
  const form = consent.forms.find((f) => new URL(f.action).pathname === '/consent');
  assert.ok(form, 'consent form posts to /consent');
  const conns = form.fields.filter((f) => f.name === 'connection');
  assert.ok(conns.length >= 3 && conns.every((c) => c.checked), `vendor connections offered and checked: ${JSON.stringify(conns)}`);
  for (const v of ['Hostex', 'Hospitable', 'Hostaway']) assert.ok(consent.html.includes(v), `consent lists ${v}`);
  const session = browser.cookies(base).find((c) => c.name === 'hostgate-session');
  assert.ok(session, 'signed in: hostgate-session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
});

t.step('the redirect carries the code, our state and iss; finishAuth exchanges it for tokens', async () => {
  assert.equal(provider.codes.length, 1);
  const q = provider.codes[0];
  assert.ok(q.get('code'), 'code present');
  assert.equal(q.get('state'), provider._state);
  assert.equal(q.get('iss'), base);
  await transport.finishAuth(q.get('code'));
  const tok = wire.filter((r) => r.path === '/token');
  assert.equal(tok.length, 1);
  assert.equal(tok[0].grant, 'authorization_code');
  assert.equal(tok[0].status, 200);
  assert.equal(tok[0].form.resource, `${base}/mcp`);
  assert.ok(tok[0].form.code_verifier, 'code_verifier sent');
  const t0 = provider.savedTokens[0];
  assert.ok(t0?.access_token && t0.refresh_token, 'access and refresh tokens saved');
  assert.match(t0.token_type, /^bearer$/i);
  assert.ok(t0.expires_in > 0 && t0.expires_in <= ttlSeconds, `expires_in ${t0.expires_in} within the demo's --access-ttl`);
});

t.step('initialize with the token', async () => {
  transport = newTransport();
  await client.connect(transport);
  const info = client.getServerVersion();
  assert.equal(info?.name, 'hostgate');
  assert.ok(client.getServerCapabilities()?.tools, 'server offers tools');
  const init = wire.filter((r) => r.rpc === 'initialize').at(-1);
  assert.equal(init.status, 200);
  // The SDK asks for its latest revision (2025-11-25 in 1.32); hostgate speaks it.
  assert.equal(transport.protocolVersion, '2025-11-25');
  log(`server ${info.name} ${info.version}, session ${transport.sessionId}`);
});

t.step('tools/list: whoami, list_properties and send_message with their annotations', async () => {
  const { tools } = await client.listTools();
  const by = Object.fromEntries(tools.map((x) => [x.name, x]));
  for (const n of ['whoami', 'list_properties', 'send_message']) assert.ok(by[n], `${n} listed (got ${Object.keys(by)})`);
  assert.deepEqual(pickHints(by.whoami), { title: 'Who am I', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
  assert.deepEqual(pickHints(by.list_properties), { title: 'List properties', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
  assert.deepEqual(pickHints(by.send_message), { title: 'Send a message to a guest', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true });
  assert.equal(by.list_properties.inputSchema?.type, 'object');
  assert.ok(by.list_properties.outputSchema?.properties?.properties, 'list_properties has an output schema');
  assert.ok(by.send_message.inputSchema?.required?.includes('conversation_id'), 'send_message requires conversation_id');
});

t.step('whoami: the demo host, this client, scopes read and write', async () => {
  const r = await client.callTool({ name: 'whoami', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  const s = r.structuredContent;
  assert.equal(s.host.username, 'demo');
  assert.equal(s.client.id, provider.savedClients[0].client_id);
  assert.equal(s.client.name, clientName);
  assert.deepEqual([...s.scopes].sort(), ['read', 'write']);
});

let propertiesBefore;
t.step('list_properties: properties from hostex, hospitable and hostaway', async () => {
  propertiesBefore = await listProperties();
});

let expiredAt;
let markBeforeExpiry;
t.step(`the access token expires on hostgate (--access-ttl ${ttlSeconds}s): a request with it gets 401 invalid_token`, async () => {
  markBeforeExpiry = wire.length;
  const t0 = provider.savedTokens[0];
  const deadline = t0.savedAt + (t0.expires_in + 30) * 1000;
  for (;;) {
    const res = await fetch(mcpURL, {
      method: 'POST',
      headers: { authorization: `Bearer ${t0.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'probe', method: 'ping' }),
    });
    await res.body?.cancel();
    if (res.status === 401) {
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      expiredAt = Date.now();
      break;
    }
    assert.ok(Date.now() < deadline, `token still accepted ${Math.round((Date.now() - t0.savedAt) / 1000)}s after issue (status ${res.status})`);
    // Poll about once a second until hostgate stops accepting the token.
    await new Promise((r) => setTimeout(r, 1000));
  }
  const age = (expiredAt - t0.savedAt) / 1000;
  assert.ok(age >= t0.expires_in - 2, `expired after ${age}s, not before expires_in=${t0.expires_in}`);
}, { timeoutMs: (ttlSeconds + 45) * 1000 });

t.step('tool call after expiry: 401 → the SDK refreshes by itself (refresh token rotated) → the call succeeds', async () => {
  const props = await listProperties();
  assert.deepEqual(props.map((p) => p.id).sort(), propertiesBefore.map((p) => p.id).sort(), 'same properties as before');
  // From the start of the expiry wait: the SDK's standalone SSE stream
  // (GET /mcp) may be the request that meets the 401 first.
  const after = wire.slice(markBeforeExpiry);
  const seq = after.map((r) => `${r.method} ${r.path}${r.grant ? `:${r.grant}` : ''} ${r.status}`);
  log(`after expiry: ${seq.join(', ')}`);
  const rejected = after.findIndex((r) => r.path === '/mcp' && r.status === 401);
  assert.ok(rejected >= 0, `the expired token was rejected: ${seq}`);
  assert.match(after[rejected].wwwAuthenticate ?? '', /error="invalid_token"/);
  const refreshes = after.filter((r) => r.path === '/token');
  assert.ok(refreshes.length >= 1, `a token request followed: ${seq}`);
  assert.ok(refreshes.every((r) => r.grant === 'refresh_token' && r.status === 200), `refresh_token grants only, all 200: ${seq}`);
  assert.equal(refreshes[0].form.refresh_token, provider.savedTokens[0].refresh_token, 'the first refresh token was presented');
  const callIdx = after.findLastIndex((r) => r.rpc === 'tools/call');
  assert.ok(callIdx > after.indexOf(refreshes[0]) && after[callIdx].status === 200, `tools/call retried with the new token: ${seq}`);
  assert.ok(provider.savedTokens.length >= 2, 'saveTokens called again');
  const [first, second] = provider.savedTokens;
  assert.ok(second.access_token && second.access_token !== first.access_token, 'new access token');
  assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'refresh token rotated');
  assert.equal(provider.redirects.length, 1, 'no second trip to the browser: redirectToAuthorization was called once');
}, { timeoutMs: 30_000 });

t.step('whoami again on the refreshed grant: same host, same client', async () => {
  const r = await client.callTool({ name: 'whoami', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  assert.equal(r.structuredContent.host.username, 'demo');
  assert.equal(r.structuredContent.client.id, provider.savedClients[0].client_id);
  assert.equal(provider.redirects.length, 1);
});

async function listProperties() {
  const r = await client.callTool({ name: 'list_properties', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  const { properties, errors } = r.structuredContent;
  assert.ok(!errors?.length, `no vendor errors: ${JSON.stringify(errors)}`);
  const vendors = new Set(properties.map((p) => p.vendor));
  for (const v of ['hostex', 'hospitable', 'hostaway']) assert.ok(vendors.has(v), `a ${v} property in ${[...vendors]}`);
  for (const p of properties) {
    assert.ok(p.id.startsWith(`${p.vendor}:`), `vendor-qualified id ${p.id}`);
    assert.ok(p.name, `property ${p.id} has a name`);
  }
  assert.match(r.content?.[0]?.text ?? '', new RegExp(`^${properties.length} properties`));
  log(`list_properties: ${properties.length} properties from ${[...vendors].join(', ')}`);
  return properties;
}

function pickHints(tool) {
  const a = tool.annotations ?? {};
  return { title: a.title, readOnlyHint: a.readOnlyHint, destructiveHint: a.destructiveHint, idempotentHint: a.idempotentHint, openWorldHint: a.openWorldHint };
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

await t.run();
