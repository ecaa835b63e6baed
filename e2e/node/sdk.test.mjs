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
// Then what an agent does with the grant: the MCP prompts (prompts/list,
// prompts/get), and writes the host confirms. A second SDK client that
// declares form elicitation is the host answering in the chat: send_message
// and update_calendar act once on yes and never on no (hostgate asks over
// elicitation/create on 2025-11-25). The 2026-07-28 round trip
// (input_required, then a retry with inputResponses and the sealed
// requestState) is driven by hand with fetch, since the SDK does not speak
// that revision: an altered state or one for other arguments does nothing,
// the right one acts once, a replay does not act again. The first client,
// which cannot ask, gets a draft with an approval link instead; the headless
// browser discards it on that page.
//
// Run by ./run against `hostgate demo --access-ttl 1m`; it needs
// HOSTGATE_URL and HOSTGATE_DEMO_PASSWORD.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { ElicitRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { HeadlessBrowser, parseForms, formBody } from './lib/browser.mjs';
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

// --- MCP prompts ---

const PROMPTS = { arrivals_and_departures: 'date', occupancy_next_30_days: 'property_id', unanswered_guest_messages: 'days' };

t.step('prompts/list: arrivals_and_departures (date), unanswered_guest_messages (days), occupancy_next_30_days (property_id)', async () => {
  assert.ok(client.getServerCapabilities()?.prompts, 'server offers prompts');
  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name).sort(), Object.keys(PROMPTS).sort());
  for (const p of prompts) {
    assert.ok(p.title && p.description, `${p.name} has a title and a description`);
    assert.deepEqual(p.arguments.map((a) => a.name), [PROMPTS[p.name]], `${p.name}'s arguments`);
    assert.ok(p.arguments.every((a) => !a.required && a.description), `${p.name}: its argument is optional and described`);
  }
});

t.step('prompts/get arrivals_and_departures with a date: list_reservations for check-ins and check-outs that day', async () => {
  const day = dayFrom(20);
  const text = promptText(await client.getPrompt({ name: 'arrivals_and_departures', arguments: { date: day } }));
  assert.match(text, new RegExp(`arrivals and departures for ${day}`));
  for (const s of [`from=${day}, to=${day}`, `by=check_out, from=${day}, to=${day}`, 'list_reservations', 'list_properties', 'next_cursor']) {
    assert.ok(text.includes(s), `the prompt says ${JSON.stringify(s)}: ${text}`);
  }
  // Without the argument: today.
  const today = promptText(await client.getPrompt({ name: 'arrivals_and_departures', arguments: {} }));
  assert.ok(dayCandidates(0).some((d) => today.includes(`for ${d}`)), `default date is today (${dayCandidates(0)}): ${today.split('\n')[0]}`);
});

t.step('prompts/get unanswered_guest_messages with days=3: list_conversations since 3 days ago, get_messages, send_message only after the host says so', async () => {
  const text = promptText(await client.getPrompt({ name: 'unanswered_guest_messages', arguments: { days: '3' } }));
  assert.ok(dayCandidates(-3).some((d) => text.includes(`since ${d}`)), `looks back to ${dayCandidates(-3)}: ${text}`);
  for (const s of ['list_conversations', 'get_messages', 'send_message', 'Do not send anything until I say']) {
    assert.ok(text.includes(s), `the prompt says ${JSON.stringify(s)}: ${text}`);
  }
});

t.step('prompts/get occupancy_next_30_days for one property: today to today+29, list_reservations and get_calendar', async () => {
  const prop = propertiesBefore[0].id;
  const text = promptText(await client.getPrompt({ name: 'occupancy_next_30_days', arguments: { property_id: prop } }));
  const days = dayCandidates(0).flatMap((a) => dayCandidates(29).map((b) => [a, b]));
  assert.ok(days.some(([a, b]) => text.includes(`from ${a} to ${b} (30 nights)`)), `window ${JSON.stringify(days)}: ${text.split('\n')[0]}`);
  for (const s of [`the property ${prop}`, 'list_reservations', 'by=check_out', 'get_calendar']) {
    assert.ok(text.includes(s), `the prompt says ${JSON.stringify(s)}: ${text}`);
  }
  const all = promptText(await client.getPrompt({ name: 'occupancy_next_30_days', arguments: {} }));
  assert.match(all, /every property \(list_properties/);
});

t.step('prompts/get with a malformed argument: a JSON-RPC error naming it', async () => {
  const err = await client.getPrompt({ name: 'arrivals_and_departures', arguments: { date: 'next friday' } }).then(() => null, (e) => e);
  assert.ok(err instanceof McpError, `want an McpError, got ${err}`);
  assert.match(err.message, /date must be a date like/);
});

// --- writes the host confirms in the chat (elicitation) ---

// The host at the keyboard of an MCP client that can ask: every question
// hostgate asks is kept, and answered with whatever `answer` says.
const chat = {
  asked: [],
  answer: () => ({ action: 'cancel' }),
  client: new Client({ name: 'hostgate-e2e-sdk-chat', version: '1.0.0' }, { capabilities: { elicitation: {} } }),
};
chat.client.setRequestHandler(ElicitRequestSchema, async (req) => {
  chat.asked.push(req.params);
  log(`elicitation/create: ${JSON.stringify(req.params.message)}`);
  return chat.answer(req.params);
});
t.cleanup(async () => {
  await chat.client.close().catch(() => {});
});
const accept = () => ({ action: 'accept', content: { confirm: true } });

let conv; // a Hostex conversation with a guest
t.step('a second SDK client declaring elicitation connects on the same grant, without the browser', async () => {
  await chat.client.connect(newTransport());
  assert.equal(chat.client.getServerVersion()?.name, 'hostgate');
  assert.equal(provider.redirects.length, 1, 'the saved tokens were enough');
  const s = structured(await client.callTool({ name: 'list_conversations', arguments: { vendor: 'hostex' } }));
  conv = s.conversations.find((c) => c.guest_name);
  assert.ok(conv, `a Hostex conversation with a guest: ${JSON.stringify(s.conversations.slice(0, 3))}`);
  log(`conversation ${conv.id} with ${conv.guest_name}`);
});

t.step('send_message, the host says yes in the chat: asked once with the whole message, exactly one message sent', async () => {
  const body = `Hi ${conv.guest_name}, the door code is 4821 (e2e ${randomUUID()}).`;
  chat.asked.length = 0;
  chat.answer = accept;
  const s = structured(await chat.client.callTool({ name: 'send_message', arguments: { conversation_id: conv.id, body } }));
  assert.equal(s.status, 'done', JSON.stringify(s));
  assert.equal(s.result?.message?.body, body);
  assert.equal(chat.asked.length, 1, 'asked once');
  const q = chat.asked[0];
  assert.ok(!q.mode || q.mode === 'form', `form mode, not ${q.mode}`);
  for (const want of [body, conv.guest_name, 'Account: Hostex']) assert.ok(q.message.includes(want), `the question shows ${JSON.stringify(want)}: ${q.message}`);
  assert.equal(q.requestedSchema?.properties?.confirm?.type, 'boolean');
  assert.deepEqual(q.requestedSchema.required, ['confirm']);
  const msgs = await messages(conv.id);
  assert.equal(msgs.filter((m) => m.body === body).length, 1, 'exactly one message with that body in the conversation');
  assert.equal(msgs[0].body, body, 'it is the newest message');
  assert.equal(msgs[0].sender, 'host');
});

t.step('send_message, the host says no (decline, cancel, or accept without the box): declined, nothing sent', async () => {
  for (const [how, answer] of [
    ['decline', () => ({ action: 'decline' })],
    ['cancel', () => ({ action: 'cancel' })],
    ['accept, box unticked', () => ({ action: 'accept', content: { confirm: false } })],
  ]) {
    const body = `Not this one (${how}, e2e ${randomUUID()}).`;
    chat.asked.length = 0;
    chat.answer = answer;
    const s = structured(await chat.client.callTool({ name: 'send_message', arguments: { conversation_id: conv.id, body } }));
    assert.equal(s.status, 'declined', `${how}: ${JSON.stringify(s)}`);
    assert.equal(chat.asked.length, 1, `${how}: asked once`);
    assert.equal((await messages(conv.id)).filter((m) => m.body === body).length, 0, `${how}: no message with that body`);
  }
});

// A Hostaway property and a free night about two weeks ahead.
let cal;
t.step('update_calendar: a free Hostaway night two weeks ahead, as get_calendar shows it', async () => {
  const { tools } = await chat.client.listTools();
  const tool = tools.find((x) => x.name === 'update_calendar');
  assert.ok(tool, 'update_calendar is listed');
  assert.deepEqual(tool.inputSchema.required, ['property_id', 'from', 'to']);
  assert.equal(tool.inputSchema.properties.available?.type?.includes('boolean'), true, 'available is a boolean');
  for (const p of propertiesBefore.filter((x) => x.vendor === 'hostaway')) {
    const c = structured(await client.callTool({ name: 'get_calendar', arguments: { property_id: p.id, from: dayFrom(14), to: dayFrom(44) } }));
    const day = c.days.find((d) => d.available && d.status === 'available');
    if (day) {
      cal = { property: p, night: day.date, before: day };
      break;
    }
  }
  assert.ok(cal, 'a Hostaway property with a free night between 14 and 44 days ahead');
  log(`calendar: ${cal.property.id} (${cal.property.name}) night ${cal.night}`);
});

t.step('update_calendar, the host says no: declined, the night is unchanged', async () => {
  chat.asked.length = 0;
  chat.answer = () => ({ action: 'decline' });
  const args = { property_id: cal.property.id, from: cal.night, to: cal.night, available: false };
  const s = structured(await calendarWrite(chat.client, args));
  assert.equal(s.status, 'declined', JSON.stringify(s));
  assert.equal(chat.asked.length, 1, 'asked once');
  for (const want of [cal.property.name, `the night of ${cal.night}`, 'block']) assert.ok(chat.asked[0].message.includes(want), `the question shows ${JSON.stringify(want)}: ${chat.asked[0].message}`);
  assert.deepEqual(await night(cal.property.id, cal.night), cal.before, 'get_calendar shows the night as before');
});

t.step('update_calendar, the host says yes: done, get_calendar shows the night blocked', async () => {
  chat.asked.length = 0;
  chat.answer = accept;
  const args = { property_id: cal.property.id, from: cal.night, to: cal.night, available: false };
  const s = structured(await calendarWrite(chat.client, args));
  assert.equal(s.status, 'done', JSON.stringify(s));
  assert.equal(chat.asked.length, 1, 'asked once');
  const after = await night(cal.property.id, cal.night);
  assert.equal(after.available, false, `not available: ${JSON.stringify(after)}`);
  assert.equal(after.status, 'blocked', `blocked: ${JSON.stringify(after)}`);
  // The same change again is not carried out twice.
  chat.asked.length = 0;
  const again = structured(await calendarWrite(chat.client, args));
  assert.equal(again.status, 'already_done', JSON.stringify(again));
  assert.equal(chat.asked.length, 0, 'not asked again');
});

// --- the 2026-07-28 round trip, by hand ---

let rt; // {args, state}
t.step('2026-07-28 by hand: tools/call send_message declaring form elicitation → input_required with a confirm form and a requestState', async () => {
  const args = { conversation_id: conv.id, body: `Late check-out until noon is fine (e2e 2026-07-28 ${randomUUID()}).` };
  const r = await modernCall('send_message', args);
  assert.equal(r.resultType, 'input_required', JSON.stringify(r));
  assert.ok(!r.isError);
  assert.ok(typeof r.requestState === 'string' && r.requestState.length > 20, 'an opaque requestState');
  const q = r.inputRequests?.confirm;
  assert.equal(q?.method, 'elicitation/create', JSON.stringify(r.inputRequests));
  assert.equal(q.params.mode, 'form');
  assert.ok(q.params.message.includes(args.body) && q.params.message.includes(conv.guest_name), q.params.message);
  assert.equal(q.params.requestedSchema.properties.confirm.type, 'boolean');
  assert.equal((await messages(conv.id)).filter((m) => m.body === args.body).length, 0, 'nothing sent while asking');
  rt = { args, state: r.requestState };
});

t.step('2026-07-28: a tampered requestState, or the state with other arguments → a tool error, nothing sent', async () => {
  const i = Math.floor(rt.state.length / 2);
  const tampered = rt.state.slice(0, i) + (rt.state[i] === 'A' ? 'B' : 'A') + rt.state.slice(i + 1);
  const other = { ...rt.args, body: `${rt.args.body} (changed)` };
  for (const [what, args, state] of [['tampered state', rt.args, tampered], ['other arguments', other, rt.state]]) {
    const r = await modernCall('send_message', args, { requestState: state, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } });
    assert.equal(r.isError, true, `${what}: ${JSON.stringify(r)}`);
    assert.match(r.content?.[0]?.text ?? '', /nothing was done/, what);
    const msgs = await messages(conv.id);
    assert.equal(msgs.filter((m) => m.body === args.body).length, 0, `${what}: nothing sent`);
  }
});

t.step('2026-07-28: the right state with inputResponses.confirm accepted → done, exactly one message', async () => {
  const r = await modernCall('send_message', rt.args, { requestState: rt.state, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } });
  assert.notEqual(r.resultType, 'input_required');
  const s = structured(r);
  assert.equal(s.status, 'done', JSON.stringify(s));
  assert.equal((await messages(conv.id)).filter((m) => m.body === rt.args.body).length, 1, 'exactly one message with that body');
});

t.step('2026-07-28: the same answer replayed, and the same call again → already_done, not sent again', async () => {
  const replay = structured(await modernCall('send_message', rt.args, { requestState: rt.state, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } }));
  assert.equal(replay.status, 'already_done', JSON.stringify(replay));
  assert.equal(replay.draft?.status, 'sent');
  const again = await modernCall('send_message', rt.args);
  assert.notEqual(again.resultType, 'input_required', 'the host is not asked again');
  assert.equal(structured(again).status, 'already_done');
  assert.equal((await messages(conv.id)).filter((m) => m.body === rt.args.body).length, 1, 'still exactly one');
});

// --- a client that cannot ask: a draft ---

let draft;
t.step('send_message from the client without elicitation → a draft with an approval link, nothing sent; again → the same draft', async () => {
  const args = { conversation_id: conv.id, body: `Draft for the host (e2e ${randomUUID()}).` };
  const s = structured(await client.callTool({ name: 'send_message', arguments: args }));
  assert.equal(s.status, 'draft', JSON.stringify(s));
  assert.equal(s.draft?.status, 'pending');
  assert.equal(s.draft.tool, 'send_message');
  assert.match(s.draft.id, /^dr-/);
  assert.equal(s.draft.approval_url, `${base}/approvals/${s.draft.id}`);
  assert.ok(s.next.includes(s.draft.approval_url), 'next gives the link');
  assert.equal((await messages(conv.id)).filter((m) => m.body === args.body).length, 0, 'nothing sent');
  const again = structured(await client.callTool({ name: 'send_message', arguments: args }));
  assert.equal(again.status, 'draft');
  assert.equal(again.draft.id, s.draft.id, 'the same draft');
  assert.equal((await messages(conv.id)).filter((m) => m.body === args.body).length, 0, 'still nothing sent');
  const list = structured(await client.callTool({ name: 'list_drafts', arguments: {} }));
  const mine = list.drafts.find((d) => d.id === s.draft.id);
  assert.equal(mine?.status, 'pending', JSON.stringify(list.drafts));
  assert.equal(mine.approval_url, s.draft.approval_url);
  const statuses = new Set(list.drafts.map((d) => d.status));
  for (const st of ['pending', 'sent', 'discarded']) assert.ok(statuses.has(st), `list_drafts shows a ${st} write: ${[...statuses]}`);
  draft = { ...s.draft, args };
});

t.step('the host discards the draft on its page (headless browser, signed in): nothing sent, list_drafts says discarded', async () => {
  const res = await browser.request(draft.approval_url);
  const html = await res.text();
  assert.equal(res.status, 200, `GET ${draft.approval_url}: ${res.status}`);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.ok(html.includes(escapeHTML(draft.args.body)), 'the page shows the message');
  const form = parseForms(html, draft.approval_url).find((f) => new URL(f.action).pathname === `/approvals/${draft.id}`);
  assert.ok(form, 'the approval form');
  const discard = form.buttons.find((b) => b.name === 'action' && b.value === 'discard');
  assert.ok(discard, `a Discard button: ${JSON.stringify(form.buttons)}`);
  const post = await browser.request(form.action, { method: 'POST', body: formBody(form, {}, discard).toString(), origin: base });
  const after = await post.text();
  assert.equal(post.status, 200);
  assert.match(after, /Discarded: nothing was sent\./);
  const list = structured(await client.callTool({ name: 'list_drafts', arguments: { status: 'discarded' } }));
  assert.ok(list.drafts.some((d) => d.id === draft.id && !d.approval_url), 'list_drafts: discarded, without a link');
  assert.equal((await messages(conv.id)).filter((m) => m.body === draft.args.body).length, 0, 'nothing sent');
});

// structured checks a tool result the way hostgate shapes every one: not
// an error, the text a one-line summary then the structured content as
// JSON; it returns the structured content.
function structured(r) {
  assert.ok(!r.isError, `tool error: ${r.content?.[0]?.text}`);
  const text = r.content?.[0]?.text ?? '';
  const nl = text.indexOf('\n');
  assert.ok(nl > 0 && !text.slice(0, nl).startsWith('{'), `a one-line summary first: ${text.slice(0, 120)}`);
  assert.deepEqual(JSON.parse(text.slice(nl + 1)), r.structuredContent, 'the text carries the structured content');
  return r.structuredContent;
}

// messages returns every message of a conversation, newest first.
async function messages(conversationId) {
  const out = [];
  let cursor;
  do {
    const s = structured(await client.callTool({ name: 'get_messages', arguments: { conversation_id: conversationId, limit: 100, ...(cursor && { cursor }) } }));
    out.push(...s.messages);
    cursor = s.next_cursor;
  } while (cursor);
  return out;
}

// night returns one night of a property's calendar.
async function night(propertyId, date) {
  const s = structured(await client.callTool({ name: 'get_calendar', arguments: { property_id: propertyId, from: date, to: date } }));
  assert.equal(s.days.length, 1, JSON.stringify(s));
  return s.days[0];
}

// calendarWrite calls update_calendar and says clearly when the vendor
// (the demo's fake) does not support calendar writes.
async function calendarWrite(c, args) {
  const r = await c.callTool({ name: 'update_calendar', arguments: args });
  const text = r.content?.[0]?.text ?? '';
  if (r.isError && /does not let apps change the calendar|not support/i.test(text)) {
    throw new Error(`update_calendar is not supported for ${args.property_id} by the demo's fake vendor yet: ${text}`);
  }
  return r;
}

// modernCall posts one tools/call on protocol 2026-07-28 with the SDK's
// current access token, declaring form elicitation per request, and
// returns the JSON-RPC result. A 401 (the token expired: the demo's tokens
// live a minute) makes the SDK refresh on its next call; then it retries
// once — a 401 did nothing.
async function modernCall(name, args, roundTrip) {
  const params = {
    name, arguments: args,
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
      'io.modelcontextprotocol/clientInfo': { name: 'hostgate-e2e-raw', version: '1.0.0' },
    },
    ...roundTrip,
  };
  const body = JSON.stringify({ jsonrpc: '2.0', id: randomUUID(), method: 'tools/call', params });
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(mcpURL, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${provider.tokens().access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': name,
      },
      body,
    });
    if (res.status === 401 && attempt === 0) {
      await res.body?.cancel();
      structured(await client.callTool({ name: 'whoami', arguments: {} }));
      continue;
    }
    const text = await res.text();
    assert.equal(res.status, 200, `tools/call ${name} on 2026-07-28: HTTP ${res.status} ${text.slice(0, 300)}`);
    let msg;
    if ((res.headers.get('content-type') || '').startsWith('text/event-stream')) {
      for (const block of text.split(/\r?\n\r?\n/)) {
        const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (data && JSON.parse(data).id !== undefined) msg = JSON.parse(data);
      }
    } else {
      msg = JSON.parse(text);
    }
    assert.ok(msg && !msg.error, `tools/call ${name}: ${JSON.stringify(msg?.error ?? text.slice(0, 300))}`);
    log(`2026-07-28 tools/call ${name} -> ${msg.result.resultType ?? ''} ${msg.result.isError ? 'isError' : ''}`);
    return msg.result;
  }
}

function promptText(r) {
  assert.equal(r.messages?.length, 1, JSON.stringify(r));
  assert.equal(r.messages[0].role, 'user');
  assert.equal(r.messages[0].content.type, 'text');
  return r.messages[0].content.text;
}

// dayFrom is the local date n days from today, YYYY-MM-DD.
function dayFrom(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// dayCandidates is the date n days from today as hostgate may count it:
// in local time or in UTC.
function dayCandidates(n) {
  const u = new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  return [...new Set([dayFrom(n), u])];
}

function escapeHTML(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

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
