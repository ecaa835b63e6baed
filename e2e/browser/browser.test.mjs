// hostgate in a real browser: Debian's Chromium driven by playwright-core.
//
// An MCP client registers (POST /register) and hands the host an authorization
// URL; the host, in Chromium and by keyboard alone, signs in, connects a vendor
// through the sandbox vendor's own authorize page, chooses which accounts to
// share on the consent page and approves; the browser lands on the client's
// loopback redirect with code, state and iss. The client (Node's fetch)
// redeems the code and calls list_connections. The client, which cannot ask
// the host in a chat (no elicitation), asks to send a guest message and to
// block a night: each becomes a draft, which the host reads on its approval
// page, edits (the message) and approves by keyboard; it is carried out
// exactly once, however often the host approves or the client asks again.
// The host then revokes the app on the connections page and the token stops
// working, and signs in again through Sandbox ID, the demo's fake OpenID
// provider (cancelling once; a replayed callback is refused). Along the way it asserts, as the browser sees them, the framing,
// caching and cookie headers, that a cross-origin page cannot frame hostgate,
// and that every control on the sign-in, consent, connections and approval
// pages is reachable and operable by keyboard with a visible focus style and
// an accessible name. Screenshots at desktop and phone widths go to
// $SCREENSHOT_DIR.
//
// Environment: HOSTGATE_BASE (a running `hostgate demo`), HOSTGATE_DEMO_PASSWORD,
// CALLBACK_PORT, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
// Prints one line per check and closes with `N passed, M failed`.

import { chromium } from 'playwright-core';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const base = (process.env.HOSTGATE_BASE || 'http://127.0.0.1:18401').replace(/\/$/, '');
const password = process.env.HOSTGATE_DEMO_PASSWORD;
const cbPort = Number(process.env.CALLBACK_PORT || 18411);
const cbOrigin = `http://127.0.0.1:${cbPort}`;
const redirectURI = `${cbOrigin}/callback`;
const shotDir = process.env.SCREENSHOT_DIR || path.resolve('results/screenshots');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CLIENT_NAME = 'Browser E2E Agent';

// ---------------------------------------------------------------- harness

let passed = 0;
let failed = 0;
let aborted = false;

function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok      ${name}`);
  } else {
    failed++;
    console.log(`FAIL    ${name}${detail === undefined ? '' : ` — ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
  }
  return !!ok;
}

// must is a check the rest of the flow depends on.
function must(name, ok, detail) {
  if (!check(name, ok, detail)) throw new Error(`required check failed: ${name}`);
}

// phase runs one part of the flow; an exception fails it and skips the
// phases after it (they depend on it), each counted as failed.
async function phase(name, fn) {
  if (aborted) {
    check(`${name}: not run (an earlier phase failed)`, false);
    return;
  }
  console.log(`\n== ${name}`);
  try {
    await fn();
  } catch (err) {
    aborted = true;
    // A blocked form or navigation shows in the console, not in the exception.
    const csp = consoleLines.filter((l) => /Content Security Policy|X-Frame-Options/.test(l)).slice(-3);
    check(`${name}: completed`, false, (err && err.stack ? err.stack.split('\n').slice(0, 4).join(' | ') : String(err)) +
      (csp.length ? ` | browser console: ${csp.join(' | ')}` : ''));
  }
}

// ---------------------------------------------------------------- the MCP client's side (Node)

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// The client's redirect URI: a tiny server that records what it receives,
// plus two pages for the framing test (one frames a given URL; one may be
// framed, as the control).
const callbacks = [];
const cbServer = http.createServer((req, res) => {
  const u = new URL(req.url, cbOrigin);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  if (u.pathname === '/callback') {
    callbacks.push(Object.fromEntries(u.searchParams));
    res.end('<!doctype html><title>Client callback</title><h1 id="cb">The app received the authorization response.</h1>');
  } else if (u.pathname === '/frame') {
    const src = u.searchParams.get('src') || '';
    const esc = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.end(`<!doctype html><title>Another site</title><h1>Another site</h1><iframe id="victim" src="${esc}" width="800" height="600"></iframe>`);
  } else if (u.pathname === '/framable') {
    res.end('<!doctype html><title>Framable</title><p id="framable">this page may be framed</p>');
  } else {
    res.statusCode = 404;
    res.end('not found');
  }
});

async function readMCP(resp, id) {
  const text = await resp.text();
  const ct = resp.headers.get('content-type') || '';
  if (!text) return null;
  if (ct.includes('text/event-stream')) {
    for (const block of text.split(/\r?\n\r?\n/)) {
      const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (!data) continue;
      const msg = JSON.parse(data);
      if (id === undefined || msg.id === id) return msg;
    }
    return null;
  }
  return ct.includes('json') ? JSON.parse(text) : { raw: text };
}

class MCPClient {
  constructor(token) {
    this.token = token;
    this.session = null;
    this.protocol = null;
    this.nextID = 1;
  }
  async post(body) {
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${this.token}`,
    };
    if (this.session) headers['Mcp-Session-Id'] = this.session;
    if (this.protocol) headers['MCP-Protocol-Version'] = this.protocol;
    const resp = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: resp.status, headers: resp.headers, msg: await readMCP(resp, body.id) };
  }
  async initialize() {
    const r = await this.post({
      jsonrpc: '2.0', id: this.nextID++, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'hostgate-browser-e2e', version: '1.0.0' } },
    });
    if (r.status === 200) {
      this.session = r.headers.get('mcp-session-id');
      this.protocol = r.msg?.result?.protocolVersion || '2025-11-25';
      await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
    return r;
  }
  call(name, args = {}) {
    return this.post({ jsonrpc: '2.0', id: this.nextID++, method: 'tools/call', params: { name, arguments: args } });
  }
  // tool calls a tool and returns its structured content; anything else throws.
  async tool(name, args = {}) {
    const r = await this.call(name, args);
    const res = r.msg?.result;
    if (r.status !== 200 || !res || res.isError || !res.structuredContent) {
      throw new Error(`tools/call ${name} ${JSON.stringify(args)}: HTTP ${r.status} ${JSON.stringify(r.msg).slice(0, 400)}`);
    }
    return res.structuredContent;
  }
  // messages returns every message of a conversation (get_messages pages).
  async messages(conversationId) {
    const out = [];
    let cursor;
    do {
      const s = await this.tool('get_messages', { conversation_id: conversationId, limit: 100, ...(cursor && { cursor }) });
      out.push(...s.messages);
      cursor = s.next_cursor;
    } while (cursor);
    return out;
  }
  // night returns one night of a property's calendar.
  async night(propertyId, date) {
    const s = await this.tool('get_calendar', { property_id: propertyId, from: date, to: date });
    if (s.days.length !== 1) throw new Error(`get_calendar ${propertyId} ${date}: ${JSON.stringify(s)}`);
    return s.days[0];
  }
}

// dayFrom is the local date n days from today, YYYY-MM-DD.
function dayFrom(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// ---------------------------------------------------------------- the browser's side

// framedBy loads, in framer, a page on another origin that frames src, and
// returns hostgate's response and what the frame shows.
async function framedBy(framer, src) {
  const respP = framer.waitForResponse((r) => r.url() === src, { timeout: 10000 }).catch(() => null);
  await framer.goto(`${cbOrigin}/frame?src=${encodeURIComponent(src)}`, { waitUntil: 'load' });
  const resp = await respP;
  const child = framer.frames().find((f) => f !== framer.mainFrame());
  let text = '';
  try {
    text = await child.evaluate(() => document.body?.innerText || '');
  } catch (e) {
    text = `(no document: ${e.message.split('\n')[0]})`;
  }
  return { resp, url: child?.url() ?? '', text };
}

const pageHeaders = new Map(); // "GET /signin" -> [{status, headers}]
const consoleLines = [];

const recording = new Set(); // responses whose headers are still being read

function recordResponses(context) {
  context.on('response', (resp) => {
    const p = record(resp);
    recording.add(p);
    p.finally(() => recording.delete(p));
  });
}

async function record(resp) {
  const req = resp.request();
  if (req.resourceType() !== 'document' || !resp.url().startsWith(base + '/')) return;
  let headers;
  try {
    headers = await resp.allHeaders();
  } catch {
    return;
  }
  const key = `${req.method()} ${new URL(resp.url()).pathname}`;
  if (!pageHeaders.has(key)) pageHeaders.set(key, []);
  pageHeaders.get(key).push({ status: resp.status(), headers, url: resp.url() });
}

// recorded waits until every response seen so far is in pageHeaders: a
// page's navigation can finish before its headers are read.
const recorded = () => Promise.all([...recording]);

async function screenshot(page, name) {
  fs.mkdirSync(shotDir, { recursive: true });
  const files = [];
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    const file = path.join(shotDir, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize(DESKTOP);
  check(`screenshots ${name} (desktop ${DESKTOP.width}x${DESKTOP.height}, phone ${PHONE.width}x${PHONE.height})`,
    files.every((f) => fs.statSync(f).size > 1000), files);
  // A page that is too wide for a phone scrolls sideways: a layout bug.
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize(DESKTOP);
  check(`${name}: no horizontal scrolling at phone width`, overflow <= 0, `${overflow}px too wide`);
}

// What the focused element is, as the browser's accessibility tree names it.
async function focusedInfo(page, cdp) {
  const info = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      idx: el.dataset.kbIdx ?? null,
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') || '',
      text: (el.innerText || el.value || '').trim().slice(0, 60),
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth) || 0,
      boxShadow: cs.boxShadow,
      // A date input takes focus in its own fields (day, month, year): the
      // input itself matches :focus there, not :focus-visible.
      focusVisible: el.matches(':focus-visible') || (el.type === 'date' && el.matches(':focus')),
      rect: { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, left: r.left, right: r.right },
    };
  });
  if (!info) return null;
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'document.activeElement' });
  const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { objectId: result.objectId, fetchRelatives: false });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId }).catch(() => {});
  const node = nodes.find((n) => !n.ignored) || nodes[0] || {};
  info.name = (node.name?.value || '').trim();
  info.role = node.role?.value || '';
  return info;
}

const describe = (i) => (i ? `${i.tag}${i.type ? `[${i.type}]` : ''} "${i.name || i.text}"` : 'nothing (body)');

// auditKeyboard walks a freshly loaded page with Tab and Shift+Tab alone and
// checks that every control is reached, in DOM and reading order, with a
// visible focus style and an accessible name. A group of radio buttons is
// one Tab stop (its checked button, or its first), as HTML makes it; the
// arrow keys must move within the group. It leaves focus on the first
// control.
async function auditKeyboard(page, cdp, name) {
  const expected = await page.evaluate(() => {
    const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
      // Rendered and not inside a closed <details> (whose content keeps its
      // boxes but is hidden, and out of the Tab order until opened).
      .filter((el) => el.type !== 'hidden' && el.getClientRects().length > 0 && el.checkVisibility());
    const group = (el) => (el.type === 'radio' && el.name ? `${[...document.forms].indexOf(el.form)}/${el.name}` : null);
    const stops = new Map(); // radio group -> its Tab stop
    for (const el of all) {
      const g = group(el);
      if (g && !el.disabled && (!stops.has(g) || (el.checked && !stops.get(g).checked))) stops.set(g, el);
    }
    const out = [];
    all.forEach((el, i) => {
      el.dataset.kbIdx = String(i);
      const focusable = !el.disabled && el.tabIndex >= 0;
      const g = group(el);
      out.push({ idx: String(i), focusable, tabStop: focusable && (!g || stops.get(g) === el), radioGroup: g, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 60) });
    });
    return out;
  });
  const focusable = expected.filter((e) => e.tabStop);
  must(`${name}: has keyboard controls`, focusable.length > 0);

  // Every interactive element, focusable or not (a disabled checkbox), has a name.
  const names = [];
  for (const e of expected) {
    const { result } = await cdp.send('Runtime.evaluate', { expression: `document.querySelector('[data-kb-idx="${e.idx}"]')` });
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { objectId: result.objectId, fetchRelatives: false });
    const node = nodes.find((n) => !n.ignored) || nodes[0] || {};
    names.push({ ...e, name: (node.name?.value || '').trim(), role: node.role?.value || '' });
  }
  const unnamed = names.filter((n) => !n.name);
  check(`${name}: every one of ${names.length} interactive elements has an accessible name`, unnamed.length === 0, unnamed);
  // Repeated buttons ("Disconnect" on every account) must say which one
  // they act on, or a screen-reader user hears the same name again and again.
  const buttonNames = names.filter((n) => n.role === 'button').map((n) => n.name);
  const repeated = buttonNames.filter((n, i) => buttonNames.indexOf(n) !== i);
  check(`${name}: no two buttons share an accessible name`, repeated.length === 0, repeated);

  // Forward walk. Focus starts on the autofocused control or on the document.
  let cur = await focusedInfo(page, cdp);
  if (!cur) {
    await page.keyboard.press('Tab');
    cur = await focusedInfo(page, cdp);
  }
  // A date input is one control with a Tab stop per field: its stops count once.
  const step = async (key, prev) => {
    let info;
    for (let n = 0; n < 4; n++) {
      await page.keyboard.press(key);
      info = await focusedInfo(page, cdp);
      if (!(info && prev && info.idx === prev.idx && info.type === 'date')) break;
    }
    return info;
  };
  const forward = [cur];
  for (let i = 1; i < focusable.length; i++) forward.push(await step('Tab', forward[i - 1]));
  const got = forward.map((f) => f?.idx ?? null);
  const want = focusable.map((f) => f.idx);
  check(`${name}: Tab reaches all ${want.length} controls in document order`, JSON.stringify(got) === JSON.stringify(want),
    { got: forward.map(describe), want: focusable.map((f) => `${f.tag} "${f.text}"`) });

  // Reading order: each next control is not above the previous one, nor,
  // on the same line, to its left.
  const disorder = [];
  for (let i = 1; i < forward.length; i++) {
    const a = forward[i - 1]?.rect;
    const b = forward[i]?.rect;
    if (!a || !b) continue;
    const above = b.bottom <= a.top + 1;
    const sameLine = b.top < a.bottom && a.top < b.bottom;
    if (above || (sameLine && b.right <= a.left + 1)) disorder.push(`${describe(forward[i - 1])} → ${describe(forward[i])}`);
  }
  check(`${name}: focus moves in reading order (top to bottom, left to right)`, disorder.length === 0, disorder);

  const invisible = forward.filter((f) => f && !(f.focusVisible && ((f.outlineStyle !== 'none' && f.outlineWidth > 0) || (f.boxShadow && f.boxShadow !== 'none'))));
  check(`${name}: every focused control shows a focus style (outline not none)`, invisible.length === 0,
    invisible.map((f) => `${describe(f)} outline=${f.outlineStyle} ${f.outlineWidth}px focus-visible=${f.focusVisible}`));
  const namelessFocused = forward.filter((f) => f && !f.name);
  check(`${name}: every focused control has an accessible name`, namelessFocused.length === 0, namelessFocused.map(describe));

  // Backward walk with Shift+Tab back to the first control.
  const backward = [forward[forward.length - 1]?.idx ?? null];
  let back = forward[forward.length - 1];
  for (let i = 1; i < focusable.length; i++) {
    back = await step('Shift+Tab', back);
    backward.push(back?.idx ?? null);
  }
  check(`${name}: Shift+Tab walks the same controls in reverse`, JSON.stringify(backward) === JSON.stringify([...want].reverse()), backward);

  // In each radio group, from its Tab stop, the arrow keys move to (and
  // select) the next button and back; the choice is left as it was.
  const groups = new Map();
  for (const e of expected) if (e.radioGroup && e.focusable) groups.set(e.radioGroup, [...(groups.get(e.radioGroup) || []), e]);
  for (const [g, radios] of groups) {
    if (radios.length < 2) continue;
    const stop = radios.findIndex((r) => r.tabStop);
    const label = `${g.split('/')[1]} (${radios.length} choices)`;
    await tabTo(page, cdp, `[data-kb-idx="${radios[stop].idx}"]`, null, `the radio group ${label}`);
    await page.keyboard.press('ArrowDown');
    const down = await focusedInfo(page, cdp);
    const downChecked = await page.evaluate(() => document.activeElement?.checked === true);
    await page.keyboard.press('ArrowUp');
    const up = await focusedInfo(page, cdp);
    const upChecked = await page.evaluate(() => document.activeElement?.checked === true);
    const next = radios[(stop + 1) % radios.length];
    check(`${name}: the arrow keys move within the radio group ${label} and back`,
      down?.idx === next.idx && downChecked && up?.idx === radios[stop].idx && upChecked,
      { down: describe(down), want: `${next.tag} "${next.text}"`, up: describe(up) });
  }
  if (groups.size > 0) await page.evaluate((idx) => document.querySelector(`[data-kb-idx="${idx}"]`).focus(), want[0]);
  return names;
}

// tabTo presses Tab (from wherever focus is) until the focused element
// matches selector and, if given, its accessible name matches text.
async function tabTo(page, cdp, selector, text, what) {
  for (let i = 0; i < 80; i++) {
    const ok = await page.evaluate((sel) => !!document.activeElement && document.activeElement !== document.body && document.activeElement.matches(sel), selector);
    if (ok) {
      const info = await focusedInfo(page, cdp);
      if (!text || (text instanceof RegExp ? text.test(info.name) : info.name === text)) return info;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${what || selector}`);
}

async function headerChecks(label, key) {
  await recorded();
  const seen = (pageHeaders.get(key) || []).filter((r) => r.status === 200);
  if (!check(`${label}: the browser received the page (${key})`, seen.length > 0, [...pageHeaders.keys()])) return;
  for (const { headers } of seen.slice(0, 1)) {
    check(`${label}: X-Frame-Options DENY`, headers['x-frame-options'] === 'DENY', headers['x-frame-options']);
    const csp = headers['content-security-policy'] || '';
    check(`${label}: CSP frame-ancestors 'none'`, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/.test(csp), csp);
    check(`${label}: Cache-Control no-store`, /(^|,)\s*no-store\s*(,|$)/.test(headers['cache-control'] || ''), headers['cache-control']);
    check(`${label}: Referrer-Policy no-referrer`, headers['referrer-policy'] === 'no-referrer', headers['referrer-policy']);
  }
}

// ---------------------------------------------------------------- the test

async function main() {
  if (!password) throw new Error('HOSTGATE_DEMO_PASSWORD is not set');
  await new Promise((resolve, reject) => cbServer.once('error', reject).listen(cbPort, '127.0.0.1', resolve));

  let meta, client, verifier, state, authorizeURL, context, page, cdp, token, refreshToken;
  let mcp; // the MCP client without elicitation, on the approved grant
  let msgDraft; // the send_message draft: {conv, account, args, edited, draft}
  let stale, staleCdp; // a second tab with the approval page, approved late
  let initialConns = [];
  let hostexOld = null;
  let chosen = [];
  let left = null;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostgate-chromium-'));

  try {
    await phase('MCP client: discovery and registration', async () => {
      const r401 = await fetch(`${base}/mcp`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
      });
      const www = r401.headers.get('www-authenticate') || '';
      must('POST /mcp without a token: 401 with resource_metadata', r401.status === 401 && /resource_metadata="/.test(www), { status: r401.status, www });
      const prm = await (await fetch(www.match(/resource_metadata="([^"]+)"/)[1])).json();
      must('protected-resource metadata names the MCP URL and our issuer', prm.resource === `${base}/mcp` && prm.authorization_servers?.[0] === base, prm);
      meta = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
      must('authorization-server metadata', meta.issuer === base && meta.registration_endpoint && meta.authorization_endpoint && meta.token_endpoint, meta);
      const reg = await fetch(meta.registration_endpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          client_name: CLIENT_NAME, redirect_uris: [redirectURI], grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'], token_endpoint_auth_method: 'none',
        }),
      });
      client = await reg.json();
      must('POST /register: 201 with a client_id', reg.status === 201 && client.client_id, { status: reg.status, client });
      verifier = b64url(crypto.randomBytes(48));
      state = b64url(crypto.randomBytes(16));
      const q = new URLSearchParams({
        response_type: 'code', client_id: client.client_id, redirect_uri: redirectURI, state,
        code_challenge: b64url(crypto.createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
        scope: 'read write', resource: `${base}/mcp`,
      });
      authorizeURL = `${meta.authorization_endpoint}?${q}`;
    });

    await phase('launch Chromium', async () => {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath,
        headless: true,
        viewport: DESKTOP,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      context.setDefaultTimeout(15000);
      recordResponses(context);
      page = context.pages()[0] || (await context.newPage());
      page.on('console', (m) => consoleLines.push(m.text()));
      cdp = await context.newCDPSession(page);
      await cdp.send('Accessibility.enable');
      check(`Chromium ${context.browser()?.version() ?? ''} started with a fresh user-data dir`, true);
    });

    await phase('setup: the host signs in on the connections page and disconnects Hostex', async () => {
      // So that connecting Hostex later makes a new account the consent page must offer.
      await page.goto(`${base}/connections`);
      must('signed out, /connections sends the browser to sign in', new URL(page.url()).pathname === '/signin', page.url());
      check('sign-in: username field has focus on load', await page.evaluate(() => document.activeElement?.id === 'username'));
      // A wrong password first: the error is announced and the form stays usable.
      await page.keyboard.type('demo');
      await page.keyboard.press('Tab');
      await page.keyboard.type('not-the-password');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const alert = page.locator('[role=alert]');
      check('sign-in: a wrong password shows an alert', (await alert.count()) === 1 && /./.test(await alert.innerText()), await page.title());
      check('sign-in: the alert describes the username field', (await page.getAttribute('#username', 'aria-describedby')) === 'signin-error');
      await screenshot(page, 'signin-error');
      await tabTo(page, cdp, '#password', null, 'the password field');
      await page.keyboard.type(password);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      must('sign-in by typing and Enter lands on /connections', new URL(page.url()).pathname === '/connections', page.url());

      const hostexLi = page.locator('li[id^="conn-"]', { hasText: 'Hostex sandbox' });
      must('the demo host has its Hostex sandbox account', (await hostexLi.count()) === 1);
      hostexOld = (await hostexLi.getAttribute('id')).slice('conn-'.length);
      await auditKeyboard(page, cdp, 'connections page');
      await tabTo(page, cdp, `form[action="/connections/${hostexOld}/disconnect"] button`, /^Disconnect Hostex · /, 'Disconnect (Hostex)');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Space')]);
      check('Disconnect by Space: "Disconnected." notice', /Disconnected\./.test(await page.locator('main').innerText()), page.url());
      check('Hostex is no longer listed', (await page.locator(`#conn-${hostexOld}`).count()) === 0);
      await tabTo(page, cdp, 'form[action="/signout"] button', 'Sign out', 'Sign out');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const names = (await context.cookies(base)).map((c) => c.name);
      check('Sign out by Enter drops the session cookie', !names.includes('hostgate-session'), names);
    });

    await phase('authorization request: sign-in page', async () => {
      await page.goto(authorizeURL);
      const u = new URL(page.url());
      must('GET /authorize without a session: sign-in page', u.pathname === '/signin' && (u.searchParams.get('return') || '').startsWith('/authorize?'), page.url());
      await headerChecks('sign-in page', 'GET /signin');
      await screenshot(page, 'signin');
      await auditKeyboard(page, cdp, 'sign-in page');
      // auditKeyboard leaves focus on the first control, the username field.
      check('sign-in: focus back on the username field', await page.evaluate(() => document.activeElement?.id === 'username'));
      await page.keyboard.type('demo');
      await page.keyboard.press('Tab');
      await page.keyboard.type(password);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      must('sign-in by typing and Enter: the consent page', new URL(page.url()).pathname === '/authorize' && (await page.locator('form[action="/consent"]').count()) === 1, page.url());
    });

    await phase('cookies as the browser stores them', async () => {
      const cookies = await context.cookies(base);
      for (const name of ['hostgate-session', 'hostgate-browser']) {
        const c = cookies.find((x) => x.name === name);
        if (!check(`cookie ${name} is set`, !!c, cookies.map((x) => x.name))) continue;
        check(`cookie ${name}: HttpOnly`, c.httpOnly === true);
        check(`cookie ${name}: SameSite=Lax`, c.sameSite === 'Lax', c.sameSite);
        check(`cookie ${name}: not Secure on the plain-http loopback demo (documented fallback name)`, c.secure === false);
        check(`cookie ${name}: Path=/ and host-only on 127.0.0.1`, c.path === '/' && c.domain === '127.0.0.1', { path: c.path, domain: c.domain });
      }
      check('no __Host- cookie on plain http', !cookies.some((c) => c.name.startsWith('__Host-')), cookies.map((x) => x.name));
      const js = await page.evaluate(() => document.cookie);
      check('page script cannot read the cookies (HttpOnly as enforced)', !/hostgate-/.test(js), js);
    });

    await phase('consent page', async () => {
      await headerChecks('consent page', 'GET /authorize');
      const main = await page.locator('main').innerText();
      check('consent names the client', main.includes(CLIENT_NAME));
      check('consent names where the code goes', main.includes(`127.0.0.1:${cbPort}`));
      initialConns = await page.$$eval('input[name=connection]', (els) => els.map((e) => ({ id: e.value, checked: e.checked, label: e.closest('label').innerText.trim() })));
      check('consent offers the 3 remaining accounts, all checked', initialConns.length === 3 && initialConns.every((c) => c.checked) && !initialConns.some((c) => c.id === hostexOld), initialConns);
      const names = await auditKeyboard(page, cdp, 'consent page');
      check('consent: the read scope is shown as a disabled, named checkbox', names.some((n) => n.tag === 'input' && !n.focusable && n.name), names.filter((n) => !n.focusable));
    });

    await phase('framing: a page on another origin cannot show hostgate', async () => {
      const framer = await context.newPage();
      const msgs = [];
      framer.on('console', (m) => msgs.push(m.text()));
      const frameResult = (src) => framedBy(framer, src);
      const control = await frameResult(`${cbOrigin}/framable`);
      must('control: a page without frame protection renders in the frame', control.url === `${cbOrigin}/framable` && control.text.includes('this page may be framed'), control);
      for (const [label, src] of [['consent page', authorizeURL], ['connections page', `${base}/connections`]]) {
        const r = await frameResult(src);
        check(`framed ${label}: hostgate answered (200, X-Frame-Options DENY)`, r.resp && r.resp.status() === 200 && (await r.resp.allHeaders())['x-frame-options'] === 'DENY', r.resp && r.resp.status());
        check(`framed ${label}: the frame did not render it`, !r.url.startsWith(base) && !/hostgate|Approve|vendor accounts/i.test(r.text), { frameURL: r.url, text: r.text.slice(0, 80) });
      }
      check('Chromium reports the frame-ancestors violation', msgs.some((m) => /frame-ancestors 'none'|X-Frame-Options/.test(m)), msgs);
      await framer.close();
    });

    await phase('consent → "Connect another account" → Sign in with Hostex → back to consent', async () => {
      await page.bringToFront();
      await tabTo(page, cdp, 'a[href^="/connections?return="]', 'Connect another account', 'Connect another account');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      must('Enter on the link: the connections page with a way back', new URL(page.url()).pathname === '/connections' && (await page.locator('a[href^="/authorize?"]').count()) === 1, page.url());
      await headerChecks('connections page', 'GET /connections');
      await screenshot(page, 'connections-from-consent');
      await auditKeyboard(page, cdp, 'connections page (from consent)');
      await tabTo(page, cdp, 'li#connect-hostex button', 'Sign in with Hostex', 'Sign in with Hostex');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const vendorURL = new URL(page.url());
      must('Enter on "Sign in with Hostex": the Hostex sandbox\'s own authorize page on its own origin',
        vendorURL.origin !== base && (await page.locator('button[name=approve]').count()) === 1, page.url());
      check('vendor authorize request carries state and our callback', vendorURL.searchParams.get('state') && vendorURL.searchParams.get('redirect_uri') === `${base}/connections/oauth/callback`, page.url());
      await tabTo(page, cdp, 'button[name=approve]', null, 'the vendor\'s Authorize button');
      await Promise.all([page.waitForURL((u) => u.origin === base && u.pathname === '/authorize'), page.keyboard.press('Space')]);
      must('Space on Authorize: back on hostgate\'s consent page', (await page.locator('form[action="/consent"]').count()) === 1, page.url());
      const conns = await page.$$eval('input[name=connection]', (els) => els.map((e) => ({ id: e.value, checked: e.checked, label: e.closest('label').innerText.trim() })));
      const fresh = conns.filter((c) => !initialConns.some((o) => o.id === c.id));
      check('consent now offers 4 accounts, one of them the newly connected Hostex', conns.length === 4 && fresh.length === 1 && /^Hostex/.test(fresh[0].label), conns);
      check('the new account is checked by default', fresh.length === 1 && fresh[0].checked);
      await screenshot(page, 'consent');

      // Choose: leave Hostaway out.
      left = conns.find((c) => /^Hostaway/.test(c.label));
      must('Hostaway is offered', !!left);
      await tabTo(page, cdp, `input[name=connection][value="${left.id}"]`, null, 'the Hostaway checkbox');
      await page.keyboard.press('Space');
      check('Space unchecks Hostaway', !(await page.isChecked(`input[name=connection][value="${left.id}"]`)));
      chosen = conns.filter((c) => c.id !== left.id).map((c) => c.id).sort();
    });

    await phase('approve by keyboard: the browser lands on the client\'s redirect', async () => {
      await tabTo(page, cdp, 'button[name=action][value=approve]', 'Approve', 'Approve');
      await Promise.all([page.waitForURL((u) => u.origin === cbOrigin), page.keyboard.press('Enter')]);
      const u = new URL(page.url());
      must('Enter on Approve: the browser is on the client\'s redirect URI', `${u.origin}${u.pathname}` === redirectURI, page.url());
      check('redirect has a code', !!u.searchParams.get('code'));
      check('redirect has our state', u.searchParams.get('state') === state, u.searchParams.get('state'));
      check('redirect has iss = the issuer (RFC 9207)', u.searchParams.get('iss') === meta.issuer, u.searchParams.get('iss'));
      check('the client\'s server received the same response', callbacks.length === 1 && callbacks[0].code === u.searchParams.get('code'), callbacks.length);
      check('the page shown is the client\'s', (await page.locator('#cb').count()) === 1);
      await recorded();
      const consentPost = pageHeaders.get('POST /consent') || [];
      check('POST /consent answered 303 to the client', consentPost.length === 1 && consentPost[0].status === 303 && (consentPost[0].headers.location || '').startsWith(redirectURI + '?'),
        consentPost.map((r) => r.status));
    });

    await phase('the client redeems the code and sees only the chosen accounts', async () => {
      const code = callbacks[0].code;
      const tr = await fetch(meta.token_endpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURI, client_id: client.client_id, code_verifier: verifier, resource: `${base}/mcp` }),
      });
      const tok = await tr.json();
      must('POST /token with the verifier: 200 with an access token', tr.status === 200 && tok.access_token && tok.token_type?.toLowerCase() === 'bearer', { status: tr.status, error: tok.error });
      check('token response is not cacheable', /no-store/.test(tr.headers.get('cache-control') || ''));
      token = tok.access_token;
      refreshToken = tok.refresh_token;
      const mcp = new MCPClient(token);
      const init = await mcp.initialize();
      must('MCP initialize with the token', init.status === 200 && init.msg?.result?.serverInfo, { status: init.status, msg: init.msg });
      const r = await mcp.call('list_connections');
      must('tools/call list_connections', r.status === 200 && r.msg?.result && !r.msg.result.isError, { status: r.status, msg: r.msg });
      let listed = r.msg.result.structuredContent?.connections;
      if (!listed) listed = JSON.parse(r.msg.result.content.find((c) => c.type === 'text' && c.text.startsWith('{'))?.text || '{}').connections;
      const ids = (listed || []).map((c) => c.id).sort();
      check('list_connections returns exactly the 3 chosen accounts', JSON.stringify(ids) === JSON.stringify(chosen), { got: listed, want: chosen });
      check('the unchecked Hostaway account is not shared', !ids.includes(left.id));
      check('the newly connected Hostex account is shared', (listed || []).some((c) => c.vendor === 'hostex' && c.id !== hostexOld));
    });

    await phase('a client that cannot ask in the chat: send_message becomes a draft, nothing is sent', async () => {
      mcp = new MCPClient(token);
      must('MCP initialize without the elicitation capability', (await mcp.initialize()).status === 200);
      const conns = (await mcp.tool('list_connections')).connections;
      const hostex = conns.find((c) => c.vendor === 'hostex');
      must('the shared Hostex account', !!hostex, conns);
      const convs = (await mcp.tool('list_conversations', { vendor: 'hostex' })).conversations;
      const conv = convs.find((c) => c.guest_name);
      must('a Hostex conversation with a guest', !!conv, convs.slice(0, 3));
      const body = `Hi ${conv.guest_name}, fresh towels are in the hall cupboard. (browser e2e ${crypto.randomUUID()})`;
      msgDraft = { conv, account: `Hostex (${hostex.label})`, args: { conversation_id: conv.id, body }, edited: `Hello ${conv.guest_name}! Fresh towels and a hairdryer are in the hall cupboard. (edited by the host, ${crypto.randomUUID()})` };
      const out = await mcp.tool('send_message', msgDraft.args);
      must('send_message: status "draft" with an approval link', out.status === 'draft' && out.draft?.approval_url === `${base}/approvals/${out.draft.id}`, out);
      check('the draft is pending', out.draft.status === 'pending', out.draft);
      check('next tells the model to give the host the link', out.next.includes(out.draft.approval_url), out.next);
      msgDraft.draft = out.draft;
      const again = await mcp.tool('send_message', msgDraft.args);
      check('send_message again with the same arguments: the same draft', again.status === 'draft' && again.draft?.id === out.draft.id, again);
      const msgs = await mcp.messages(conv.id);
      check('nothing was sent', msgs.filter((m) => m.body === body).length === 0);
    });

    await phase('approval page: the host reads the whole message and edits it', async () => {
      const { draft, args, account, conv } = msgDraft;
      await page.bringToFront();
      const resp = await page.goto(draft.approval_url);
      must('the signed-in host opens the approval link: 200', resp.status() === 200 && new URL(page.url()).pathname === `/approvals/${draft.id}`, { status: resp.status(), url: page.url() });
      await headerChecks('approval page', `GET /approvals/${draft.id}`);
      const main = await page.locator('main').innerText();
      check('the approval page names the app that asked', main.includes(CLIENT_NAME));
      check('the approval page names the guest', (await page.locator('h1').innerText()).includes(conv.guest_name), await page.locator('h1').innerText());
      const acct = await page.locator('tr', { has: page.locator('th', { hasText: /^Account$/ }) }).locator('td').innerText().catch((e) => e.message);
      check('the approval page shows the account it goes through', acct === account, { got: acct, want: account });
      check('the approval page says nothing happened yet', /Nothing has happened yet/.test(main));
      check('the text field holds the full message', (await page.inputValue('textarea#text')) === args.body, await page.inputValue('textarea#text'));
      check('the text field is labelled', (await page.locator('label[for=text]').count()) === 1);

      const framer = await context.newPage();
      const r = await framedBy(framer, draft.approval_url);
      check('framed approval page: hostgate answered with X-Frame-Options DENY', r.resp && (await r.resp.allHeaders())['x-frame-options'] === 'DENY', r.resp && r.resp.status());
      check('framed approval page: the frame did not render it', !r.url.startsWith(base) && !/Approve|towels/i.test(r.text), { frameURL: r.url, text: r.text.slice(0, 80) });
      await framer.close();

      await page.bringToFront();
      await screenshot(page, 'approval');
      await auditKeyboard(page, cdp, 'approval page');
      // A second tab with the same page, approved later: a double approval.
      stale = await context.newPage();
      staleCdp = await context.newCDPSession(stale);
      await staleCdp.send('Accessibility.enable');
      await stale.goto(draft.approval_url);
      await page.bringToFront();

      await tabTo(page, cdp, 'textarea#text', null, 'the text field');
      await page.keyboard.press('Control+A');
      await page.keyboard.type(msgDraft.edited);
      check('typed into the text field: it holds the edited message', (await page.inputValue('textarea#text')) === msgDraft.edited);
    });

    await phase('approve by keyboard: the edited message is sent, once', async () => {
      const { draft, args, conv, edited } = msgDraft;
      await tabTo(page, cdp, 'button[name=action][value=approve]', 'Approve and send', 'Approve and send');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const notice = await page.locator('[role=status]').innerText().catch(() => '');
      check('Enter on "Approve and send": an "Approved" notice', /^Approved: /.test(notice.trim()), notice);
      check('the notice does not quote the draft\'s original text (the edited one was sent)', !notice.includes(args.body.slice(0, 30)), notice);
      await recorded();
      const posts = pageHeaders.get(`POST /approvals/${draft.id}`) || [];
      check('POST /approvals/<id> answered 200 with the page', posts.length === 1 && posts[0].status === 200, posts.map((p) => p.status));
      check('the page says it is done and offers no form any more', /Done/.test(await page.locator('main').innerText()) && (await page.locator(`form[action="/approvals/${draft.id}"]`).count()) === 0);
      check('the page shows the text as sent (the edited one)', (await page.locator('.prewrap').innerText().catch(() => '')).trim() === edited);
      await screenshot(page, 'approval-approved');
      await auditKeyboard(page, cdp, 'approval page (approved)');
      const msgs = await mcp.messages(conv.id);
      check('exactly one message with the edited text in the conversation', msgs.filter((m) => m.body === edited).length === 1, msgs.slice(0, 3));
      check('it is the newest message, from the host', msgs[0]?.body === edited && msgs[0]?.sender === 'host', msgs[0]);
      check('the original text was not sent', msgs.filter((m) => m.body === args.body).length === 0);
    });

    await phase('approving again (a second tab, a reload) and the client asking again send nothing more', async () => {
      const { draft, args, conv, edited } = msgDraft;
      await stale.bringToFront();
      await tabTo(stale, staleCdp, 'button[name=action][value=approve]', 'Approve and send', 'Approve and send (second tab)');
      await Promise.all([stale.waitForNavigation(), stale.keyboard.press('Enter')]);
      const notice = await stale.locator('[role=status]').innerText().catch(() => '');
      check('the second tab\'s approval: "already decided, nothing more was done"', /already decided; nothing more was done/.test(notice), notice);
      await stale.close();
      await page.bringToFront();
      await page.reload();
      check('after a reload the page still says done', /Done/.test(await page.locator('main').innerText()));
      let msgs = await mcp.messages(conv.id);
      check('still exactly one message with the edited text', msgs.filter((m) => m.body === edited).length === 1);
      const again = await mcp.tool('send_message', args);
      check('send_message again with the same arguments: status "already_done"', again.status === 'already_done' && again.draft?.status === 'sent', again);
      msgs = await mcp.messages(conv.id);
      check('…and no new message', msgs.filter((m) => m.body === edited || m.body === args.body).length === 1);
      const drafts = (await mcp.tool('list_drafts')).drafts;
      const d = drafts.find((x) => x.id === draft.id);
      check('list_drafts: the draft is sent, without an approval link', d?.status === 'sent' && !d.approval_url, d);
      check('list_drafts: its summary does not quote the original text (the edited one was sent)', d && !d.summary.includes(args.body.slice(0, 30)), d?.summary);
    });

    await phase('a calendar draft (update_calendar) approved on its page blocks the night', async () => {
      const props = (await mcp.tool('list_properties', { vendor: 'hospitable' })).properties;
      let cal;
      for (const p of props) {
        const days = (await mcp.tool('get_calendar', { property_id: p.id, from: dayFrom(14), to: dayFrom(44) })).days;
        const free = days.find((d) => d.available && d.status === 'available');
        if (free) {
          cal = { property: p, night: free.date, before: free };
          break;
        }
      }
      must('a Hospitable property with a free night 14 to 44 days ahead', !!cal);
      const args = { property_id: cal.property.id, from: cal.night, to: cal.night, available: false };
      const r = await mcp.call('update_calendar', args);
      const res = r.msg?.result;
      must('update_calendar answers (the demo\'s Hospitable fake supports calendar writes)', r.status === 200 && res && !res.isError,
        res?.content?.[0]?.text ?? r.msg);
      const out = res.structuredContent;
      must('update_calendar: status "draft" with an approval link', out.status === 'draft' && out.draft?.approval_url === `${base}/approvals/${out.draft.id}`, out);
      const unchanged = await mcp.night(cal.property.id, cal.night);
      check('the night is unchanged while the draft waits', JSON.stringify(unchanged) === JSON.stringify(cal.before), unchanged);

      await page.goto(out.draft.approval_url);
      await headerChecks('calendar approval page', `GET /approvals/${out.draft.id}`);
      const main = await page.locator('main').innerText();
      for (const want of [cal.property.name, `the night of ${cal.night}`, 'block (not bookable)', 'Hospitable (']) {
        check(`calendar approval page shows "${want}"`, main.includes(want));
      }
      check('calendar approval page: no text to edit', (await page.locator('textarea').count()) === 0);
      await screenshot(page, 'approval-calendar');
      await auditKeyboard(page, cdp, 'calendar approval page');
      await tabTo(page, cdp, 'button[name=action][value=approve]', 'Approve and change the calendar', 'Approve and change the calendar');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const notice = await page.locator('[role=status]').innerText().catch(() => '');
      check('Enter on "Approve and change the calendar": an "Approved" notice', /^Approved: /.test(notice.trim()), notice);
      await screenshot(page, 'approval-calendar-approved');
      const after = await mcp.night(cal.property.id, cal.night);
      check('get_calendar: the night is blocked now', after.available === false && after.status === 'blocked', after);
      const again = await mcp.tool('update_calendar', args);
      check('update_calendar again with the same arguments: status "already_done"', again.status === 'already_done', again);
    });

    await phase('revoke the app on the connections page', async () => {
      await page.goto(`${base}/connections`);
      const appLi = page.locator('li', { hasText: CLIENT_NAME });
      must('the connections page lists the approved app', (await appLi.count()) === 1);
      await headerChecks('connections page (signed in)', 'GET /connections');
      await screenshot(page, 'connections');
      await auditKeyboard(page, cdp, 'connections page (with an approved app)');
      // The app's limits open from their summary, by keyboard, and every
      // control in them is named and reachable.
      await tabTo(page, cdp, 'details.limits summary', /^Limits/, 'the Limits summary');
      await page.keyboard.press('Enter');
      check('Enter on the Limits summary opens the limits form', await page.locator('details.limits').evaluate((d) => d.open));
      await screenshot(page, 'connections-limits');
      // The walk starts from a fresh page, the limits open and nothing focused.
      await page.goto(`${base}/connections`);
      await page.evaluate(() => { document.querySelector('details.limits').open = true; });
      await auditKeyboard(page, cdp, 'connections page (an app\'s limits open)');
      await page.goto(`${base}/connections`);
      const action = await appLi.locator('form[action$="/revoke"]').getAttribute('action');
      must('the app has a revoke form', action === `/clients/${client.client_id}/revoke`, action);
      await tabTo(page, cdp, `form[action="${action}"] button`, /^Revoke access for /, 'Revoke access');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      check('Enter on "Revoke access": "Access revoked" notice', /Access revoked/.test(await page.locator('main').innerText()), page.url());
      check('the app is no longer listed', (await page.locator('li', { hasText: CLIENT_NAME }).count()) === 0);
      await screenshot(page, 'connections-after-revoke');

      const mcp = new MCPClient(token);
      const r = await mcp.initialize();
      check('the revoked access token gets 401', r.status === 401, r.status);
      check('…with WWW-Authenticate error="invalid_token"', /error="invalid_token"/.test(r.headers.get('www-authenticate') || ''), r.headers.get('www-authenticate'));
      const rr = await fetch(meta.token_endpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken || '', client_id: client.client_id }),
      });
      const body = await rr.json().catch(() => ({}));
      check('the revoked app\'s refresh token is refused (invalid_grant)', rr.status === 400 && body.error === 'invalid_grant', { status: rr.status, body });
    });

    await phase('the activity page shows what the app did, and exports it', async () => {
      await page.goto(`${base}/connections`);
      await tabTo(page, cdp, 'a[href="/activity"]', 'See what your apps did', 'See what your apps did');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      must('Enter on "See what your apps did" opens /activity', new URL(page.url()).pathname === '/activity', page.url());
      await headerChecks('activity page', 'GET /activity');
      const main = await page.locator('main').innerText();
      check('the activity page shows the sent message with its text and the app that sent it',
        main.includes(msgDraft.edited) && main.includes(CLIENT_NAME), main.slice(0, 2000));
      check('…and the app\'s revocation', /revoked/i.test(main), main.slice(0, 2000));
      await screenshot(page, 'activity');
      await auditKeyboard(page, cdp, 'activity page');
      await page.selectOption('#f-tool', 'send_message');
      await tabTo(page, cdp, 'form.filters button[type=submit]', 'Show', 'the filters\' Show button');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const filtered = await page.locator('main').innerText();
      check('filtered to send_message: the message is there, the calendar change is not',
        filtered.includes(msgDraft.edited) && !/update_calendar/.test(filtered), filtered.slice(0, 1500));
      await screenshot(page, 'activity-filtered');
      const csv = await page.request.get(`${base}/activity/export?format=csv&tool=send_message`);
      const body = await csv.text();
      check('the CSV export (with the same filter) carries the message text, as an attachment',
        csv.status() === 200 && /attachment/.test(csv.headers()['content-disposition'] || '') && body.includes('towels'), { status: csv.status(), head: body.slice(0, 300) });
      check('…and no token', !body.includes(token) && !(refreshToken && body.includes(refreshToken)));
    });

    await phase('teams: start a team, invite by link, connect for the team', async () => {
      await page.goto(`${base}/connections`);
      await tabTo(page, cdp, 'a[href="/teams"]', 'Teams', 'the Teams link');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      must('Enter on "Teams" opens the teams page', new URL(page.url()).pathname === '/teams', page.url());
      await headerChecks('teams page', 'GET /teams');
      await screenshot(page, 'teams');
      await auditKeyboard(page, cdp, 'teams page');
      await tabTo(page, cdp, '#team-name', null, 'the team name field');
      await page.keyboard.type('Harbour Lets');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const teamPath = new URL(page.url()).pathname;
      must('Enter in the name field creates the team and opens its page', /^\/teams\/[^/]+$/.test(teamPath), page.url());
      const main = await page.locator('main').innerText();
      check('the new team\'s page names it and says the host is an owner', /Harbour Lets/.test(main) && /You are an owner/.test(main), main);
      await screenshot(page, 'team');
      await auditKeyboard(page, cdp, 'team page (owner)');
      await tabTo(page, cdp, `form[action="${teamPath}/invites"] button`, 'Make an invitation link', 'Make an invitation link');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const link = await page.locator('#invite-url').inputValue();
      check('an invitation link is shown once, on the answer', new RegExp(`^${base}/join/[A-Za-z0-9_-]{43}$`).test(link), link);
      await screenshot(page, 'team-invite');
      await page.goto(`${base}${teamPath}`);
      check('…and not again when the team page is opened again', (await page.locator('#invite-url').count()) === 0);
      check('the open invitation is listed with a Withdraw button', (await page.locator('form[action*="/withdraw"]').count()) === 1);
      await page.goto(link);
      await headerChecks('join page', `GET ${new URL(link).pathname}`);
      const joinText = await page.locator('main').innerText();
      check('the join page names the team and who invited, and asks before joining',
        /invited you to the team Harbour Lets/.test(joinText) && (await page.getByRole('button', { name: 'Join Harbour Lets' }).count()) === 1, joinText);
      await screenshot(page, 'join');
      await page.goto(`${base}/connections/new?vendor=hostex&kind=token`);
      const owners = await page.locator('#f-team option').allInnerTexts();
      check('the connect form asks whose account it is: the host\'s or the team\'s', owners.length === 2 && /Harbour Lets/.test(owners[1]), owners);
      await screenshot(page, 'connect-for-team');
    });

    // The demo also runs Sandbox ID, a fake OpenID provider whose one
    // identity is the demo host: the host signs in with it by keyboard,
    // cancels once, and a replayed callback is refused.
    await phase('sign in with an identity provider (Sandbox ID)', async () => {
      await page.goto(`${base}/connections`);
      await tabTo(page, cdp, 'form[action="/signout"] button', 'Sign out', 'Sign out');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      await page.goto(`${base}/connections`);
      must('signed out, /connections sends the browser to sign in', new URL(page.url()).pathname === '/signin', page.url());
      const link = page.locator('a[href^="/signin/oidc/sandbox"]');
      must('the sign-in page offers "Sign in with Sandbox ID" below the password form',
        (await link.count()) === 1 && (await link.innerText()).trim() === 'Sign in with Sandbox ID' &&
        (await page.evaluate(() => !!(document.querySelector('#password').compareDocumentPosition(document.querySelector('a[href^="/signin/oidc/"]')) & Node.DOCUMENT_POSITION_FOLLOWING))));
      let callbackURL = null;
      page.on('request', (req) => {
        if (req.url().startsWith(`${base}/signin/oidc/callback?`)) callbackURL = req.url();
      });
      const toProvider = async () => {
        await tabTo(page, cdp, 'a[href^="/signin/oidc/sandbox"]', 'Sign in with Sandbox ID', 'Sign in with Sandbox ID');
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        return new URL(page.url());
      };

      let idp = await toProvider();
      must('Enter on "Sign in with Sandbox ID": the provider\'s own page', idp.origin !== base && idp.pathname === '/authorize', page.url());
      const q = idp.searchParams;
      check('the authorization request: code flow, PKCE S256, a nonce, a state, hostgate\'s callback',
        q.get('response_type') === 'code' && q.get('code_challenge_method') === 'S256' && (q.get('code_challenge') || '').length >= 43 &&
        (q.get('nonce') || '').length >= 43 && (q.get('state') || '').length >= 43 && q.get('redirect_uri') === `${base}/signin/oidc/callback` &&
        (q.get('scope') || '').split(' ').includes('openid'), page.url());
      await screenshot(page, 'sandbox-id');

      // Cancel at the provider: hostgate's sign-in page says so, signed out.
      await tabTo(page, cdp, 'button[value=deny]', 'Cancel', 'Cancel');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const cancelled = await page.locator('[role=alert]').innerText().catch(() => '');
      check('Cancel at Sandbox ID: the sign-in page says the provider did not sign the host in',
        new URL(page.url()).pathname === '/signin/oidc/callback' && /^Sandbox ID did not sign you in \(access_denied/.test(cancelled.trim()), { url: page.url(), cancelled });
      check('…and no session', !(await context.cookies(base)).some((c) => c.name === 'hostgate-session'));
      await screenshot(page, 'signin-oidc-cancelled');

      idp = await toProvider();
      must('again: the provider\'s page', idp.pathname === '/authorize', page.url());
      check('the provider\'s page focuses "Continue as Demo Host"', await page.evaluate(() => document.activeElement?.value === 'allow'));
      await Promise.all([page.waitForURL((u) => u.origin === base && u.pathname === '/connections'), page.keyboard.press('Enter')]);
      must('Enter on "Continue": back on /connections, where the host was going', new URL(page.url()).pathname === '/connections', page.url());
      check('signed in as the demo host', /Signed in as demo\b/.test(await page.locator('main').innerText()));
      check('the browser holds a session cookie', (await context.cookies(base)).some((c) => c.name === 'hostgate-session'));
      await screenshot(page, 'connections-after-oidc');

      // The callback replayed after signing out: refused, no session.
      must('the browser went through hostgate\'s callback', !!callbackURL, callbackURL);
      await tabTo(page, cdp, 'form[action="/signout"] button', 'Sign out', 'Sign out');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const resp = await page.goto(callbackURL);
      const replayed = await page.locator('[role=alert]').innerText().catch(() => '');
      check('the callback replayed: 400 and "expired or was already used"', resp.status() === 400 && /expired or was already used/.test(replayed), { status: resp.status(), replayed });
      check('…and no session', !(await context.cookies(base)).some((c) => c.name === 'hostgate-session'));
      await screenshot(page, 'signin-oidc-replayed');
    });

    // Cache-Control and the other headers were checked per page above; here
    // every hostgate document the browser received is checked at once.
    await phase('every hostgate page the browser loaded forbids framing and caching', async () => {
      await recorded();
      const bad = [];
      let n = 0;
      for (const [key, list] of pageHeaders) {
        for (const r of list) {
          // Pages, not the short bodies of redirects.
          if (!/^text\/html/.test(r.headers['content-type'] || '') || (r.status >= 300 && r.status < 400)) continue;
          n++;
          const h = r.headers;
          if (h['x-frame-options'] !== 'DENY' || !/frame-ancestors 'none'/.test(h['content-security-policy'] || '') || !/no-store/.test(h['cache-control'] || '')) bad.push(`${key} ${r.status}`);
        }
      }
      check(`all ${n} HTML documents carry X-Frame-Options DENY, frame-ancestors 'none', no-store`, n > 0 && bad.length === 0, bad);
      const cspErrors = consoleLines.filter((l) => /Content Security Policy/.test(l));
      check('no Content-Security-Policy violation on the host\'s own pages', cspErrors.length === 0, cspErrors);
    });
  } finally {
    if (context) await context.close().catch(() => {});
    cbServer.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  check('browser test ran', false, err && err.stack ? err.stack : String(err));
}
console.log(`\nscreenshots: ${shotDir}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
