// End to end with mcp-remote, the stdio ⇄ streamable-HTTP proxy Claude
// Desktop users run (`npx mcp-remote <url>` in claude_desktop_config.json).
// It is started exactly so, with its token cache in a fresh
// MCP_REMOTE_CONFIG_DIR; the authorization URL it prints is completed by the
// headless browser on hostgate's real sign-in and consent pages, and the
// browser then follows the redirect to mcp-remote's own callback server, as a
// real browser would. The test then is the desktop app: it speaks MCP over
// mcp-remote's stdin/stdout.
//
// Then the access token expires on the server (the demo runs with
// --access-ttl 1m) and the next call must still work, mcp-remote refreshing
// by itself; and a relaunched mcp-remote must start from its token cache.
//
// Run by ./run; it needs HOSTGATE_URL and HOSTGATE_DEMO_PASSWORD, and
// MCP_REMOTE_CALLBACK_PORT (18312 by default).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadlessBrowser } from './lib/browser.mjs';
import { suite, env } from './lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const base = env('HOSTGATE_URL');
const password = env('HOSTGATE_DEMO_PASSWORD');
const callbackPort = process.env.MCP_REMOTE_CALLBACK_PORT || '18312';
const ttlSeconds = Number(process.env.HOSTGATE_ACCESS_TTL_SECONDS || 60);
const mcpURL = `${base}/mcp`;
const verbose = !!process.env.E2E_VERBOSE;
const log = (...a) => verbose && console.log('#', ...a);
const configDir = mkdtempSync(join(tmpdir(), 'hostgate-mcp-remote-'));

// Proxy is one running mcp-remote: stderr collected line by line, stdout
// parsed as newline-delimited JSON-RPC.
class Proxy {
  constructor(label) {
    this.label = label;
    this.stderr = [];
    this.waiters = [];
    this.pending = new Map();
    this.nextId = 1;
    this.exited = null;
    // The command line Claude Desktop runs (`npx mcp-remote URL`), plus a
    // fixed callback port so parallel CI suites never collide. npx resolves
    // the locked mcp-remote from this package's node_modules.
    this.child = spawn('npx', ['--no', 'mcp-remote', mcpURL, callbackPort], {
      cwd: here,
      env: {
        ...process.env,
        MCP_REMOTE_CONFIG_DIR: configDir,
        // mcp-remote tries to open the system browser; `true` stands in for
        // it, so nothing real opens and our headless browser does the work.
        BROWSER: 'true',
        DISPLAY: '',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so cleanup ends npx and node together
    });
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const w of this.waiters) w.reject(new Error(`mcp-remote exited (${code ?? signal}) while waiting for ${w.what}\n${this.stderr.join('\n')}`));
      for (const p of this.pending.values()) p.reject(new Error(`mcp-remote exited (${code ?? signal}) before answering\n${this.stderr.join('\n')}`));
    });
    lines(this.child.stderr, (l) => {
      this.stderr.push(l);
      log(`${label} stderr: ${l}`);
      this.check();
    });
    lines(this.child.stdout, (l) => {
      log(`${label} stdout: ${l.slice(0, 300)}`);
      let msg;
      try {
        msg = JSON.parse(l);
      } catch {
        return;
      }
      const p = this.pending.get(msg.id);
      if (p && ('result' in msg || 'error' in msg)) {
        this.pending.delete(msg.id);
        p.resolve(msg);
      }
    });
  }

  // waitFor resolves with the match once a stderr line (or, with
  // following, the next line after a matching one) satisfies re.
  waitFor(re, what) {
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, what, resolve, reject });
      this.check();
    });
  }

  check() {
    this.waiters = this.waiters.filter((w) => {
      for (let i = 0; i < this.stderr.length; i++) {
        const m = this.stderr[i].match(w.re);
        if (m) {
          w.resolve({ match: m, index: i, next: this.stderr[i + 1] });
          return false;
        }
      }
      return true;
    });
  }

  // authorizationURL is the URL mcp-remote prints for the user to open.
  async authorizationURL() {
    await this.waitFor(/^Please authorize this client by visiting:/, 'the authorization URL');
    const r = await this.waitFor(/^https?:\/\/\S+\/authorize\?\S+$/, 'the URL line');
    return new URL(r.match[0]);
  }

  request(method, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  notify(method, params = {}) {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
  }

  async result(method, params) {
    const msg = await this.request(method, params);
    assert.ok(!msg.error, `${method}: ${JSON.stringify(msg.error)}`);
    return msg.result;
  }

  async initialize() {
    const r = await this.result('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'claude-ai', version: '0.1.0' }, // what Claude Desktop calls itself
    });
    this.notify('notifications/initialized');
    return r;
  }

  // closeStdin is what a desktop app does when it quits: it closes the
  // pipe. It resolves with whether mcp-remote exited within ms.
  async closeStdin(ms) {
    this.child.stdin.end();
    if (this.exited) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  async stop() {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }

  // kill signals mcp-remote's process group (npx and the node it runs).
  kill(signal) {
    if (this.exited) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {}
  }
}

function lines(stream, fn) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      // mcp-remote prefixes its log lines with "[pid] ".
      fn(buf.slice(0, i).replace(/^(\[\d+\] )+/, '').trimEnd());
      buf = buf.slice(i + 1);
    }
  });
}

const t = suite('mcp-remote (npx mcp-remote, as Claude Desktop runs it) against hostgate demo');
const browser = new HeadlessBrowser({ username: 'demo', password, log });
let proxy;
// Never leave an mcp-remote behind (it runs in its own process group).
process.on('exit', () => proxy?.kill('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));
t.cleanup(async () => {
  await proxy?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

let authURL;
t.step('mcp-remote starts, discovers hostgate and prints an authorization URL (PKCE S256, resource, loopback callback)', async () => {
  proxy = new Proxy('first run');
  authURL = await proxy.authorizationURL();
  const q = authURL.searchParams;
  assert.equal(`${authURL.origin}${authURL.pathname}`, `${base}/authorize`);
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.ok(q.get('state'), 'state');
  assert.ok(q.get('client_id'), 'client_id from dynamic registration');
  assert.equal(q.get('resource'), mcpURL);
  assert.equal(q.get('redirect_uri'), `http://localhost:${callbackPort}/oauth/callback`);
  assert.deepEqual((q.get('scope') ?? '').split(' ').sort(), ['read', 'write']);
  assert.ok(proxy.stderr.some((l) => l.includes(`Discovered authorization server: ${base}`)), 'discovered hostgate as its authorization server');
}, { timeoutMs: 60_000 }); // the first npx start may take a while

let callback;
t.step('headless browser: sign in, approve on the consent page, land on mcp-remote\'s callback with code, state and iss', async () => {
  callback = await browser.authorize(authURL, { expectPages: ['signin', 'consent'] });
  assert.equal(`${callback.origin}${callback.pathname}`, `http://localhost:${callbackPort}/oauth/callback`);
  assert.ok(callback.searchParams.get('code'), 'code');
  assert.equal(callback.searchParams.get('state'), authURL.searchParams.get('state'));
  assert.equal(callback.searchParams.get('iss'), base);
  const consent = browser.pages.find((p) => p.kind === 'consent');
  assert.ok(consent.html.includes('MCP CLI Proxy'), 'the consent page names mcp-remote\'s registered client name');
});

t.step('the browser follows the redirect to mcp-remote\'s callback server; mcp-remote gets its tokens and starts the proxy', async () => {
  const res = await fetch(callback, { redirect: 'manual' });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(body, /Authorization successful/);
  await proxy.waitFor(/^Proxy established successfully/, 'the proxy to start');
  assert.ok(!proxy.stderr.some((l) => /error/i.test(l) && !/Error POSTing|invalid_token|401/.test(l)), `no errors logged:\n${proxy.stderr.join('\n')}`);
});

t.step('MCP over stdio: initialize answers as hostgate with tools', async () => {
  const r = await proxy.initialize();
  assert.equal(r.serverInfo?.name, 'hostgate');
  assert.ok(r.capabilities?.tools, 'tools capability');
  assert.equal(r.protocolVersion, '2025-06-18', 'the revision the desktop app asked for');
});

t.step('tools/list over stdio: whoami, list_properties and send_message, with annotations', async () => {
  const { tools } = await proxy.result('tools/list');
  const by = Object.fromEntries(tools.map((x) => [x.name, x]));
  for (const n of ['whoami', 'list_connections', 'list_properties', 'list_reservations', 'send_message']) assert.ok(by[n], `${n} listed`);
  assert.equal(by.whoami.annotations?.readOnlyHint, true);
  assert.equal(by.send_message.annotations?.destructiveHint, true);
});

t.step('tools/call whoami over stdio: the demo host, mcp-remote\'s client, scopes read and write', async () => {
  const r = await proxy.result('tools/call', { name: 'whoami', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  assert.equal(r.structuredContent.host.username, 'demo');
  assert.equal(r.structuredContent.client.id, authURL.searchParams.get('client_id'));
  assert.equal(r.structuredContent.client.name, 'MCP CLI Proxy');
  assert.deepEqual([...r.structuredContent.scopes].sort(), ['read', 'write']);
});

t.step('tools/call list_properties over stdio: properties from hostex, hospitable and hostaway', async () => {
  const r = await proxy.result('tools/call', { name: 'list_properties', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  const vendors = new Set(r.structuredContent.properties.map((p) => p.vendor));
  for (const v of ['hostex', 'hospitable', 'hostaway']) assert.ok(vendors.has(v), `a ${v} property in ${[...vendors]}`);
  assert.match(r.content[0].text, /^\d+ properties/);
});

let cached;
t.step('mcp-remote cached the tokens in MCP_REMOTE_CONFIG_DIR', async () => {
  cached = cachedTokens();
  assert.ok(cached.access_token && cached.refresh_token, 'access and refresh token cached');
  cached.readAt = Date.now();
});

t.step(`the access token expires on hostgate (--access-ttl ${ttlSeconds}s); the next tools/call over stdio still works: mcp-remote refreshed it (rotated)`, async () => {
  await waitUntilExpired(cached.access_token, cached.readAt + (ttlSeconds + 30) * 1000);
  const mark = proxy.stderr.length;
  const r = await proxy.result('tools/call', { name: 'whoami', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  assert.equal(r.structuredContent.client.id, authURL.searchParams.get('client_id'));
  const now = cachedTokens();
  assert.ok(now.access_token !== cached.access_token, 'a new access token was cached');
  assert.ok(now.refresh_token && now.refresh_token !== cached.refresh_token, 'the refresh token rotated');
  assert.ok(!proxy.stderr.slice(mark).some((l) => l.startsWith('Please authorize')), 'no new authorization asked for');
}, { timeoutMs: (ttlSeconds + 45) * 1000 });

t.step('mcp-remote exits when the desktop app closes its stdin', async () => {
  assert.ok(await proxy.closeStdin(10_000), `mcp-remote still running 10 s after its stdin closed:\n${proxy.stderr.slice(-10).join('\n')}`);
});

t.step('a restarted mcp-remote (Claude Desktop relaunched) reuses the cached tokens: no browser, whoami works', async () => {
  proxy = new Proxy('second run');
  await proxy.waitFor(/^Proxy established successfully/, 'the proxy to start from cached tokens');
  assert.ok(!proxy.stderr.some((l) => l.startsWith('Please authorize')), 'no new authorization asked for');
  await proxy.initialize();
  const r = await proxy.result('tools/call', { name: 'whoami', arguments: {} });
  assert.ok(!r.isError, JSON.stringify(r.content));
  assert.equal(r.structuredContent.client.id, authURL.searchParams.get('client_id'));
}, { timeoutMs: 60_000 });

function cachedTokens() {
  const files = readdirSync(configDir, { recursive: true }).map(String);
  const f = files.find((x) => x.endsWith('_tokens.json'));
  assert.ok(f, `a tokens file in ${configDir}: ${files}`);
  return JSON.parse(readFileSync(join(configDir, f), 'utf8'));
}

// waitUntilExpired polls hostgate, about once a second, until it refuses
// accessToken with 401 invalid_token.
async function waitUntilExpired(accessToken, deadline) {
  for (;;) {
    const res = await fetch(mcpURL, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'probe', method: 'ping' }),
    });
    await res.body?.cancel();
    if (res.status === 401) {
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      return;
    }
    assert.ok(Date.now() < deadline, `the access token is still accepted (status ${res.status})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

await t.run();
