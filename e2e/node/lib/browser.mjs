// A headless stand-in for the host's web browser: it follows an OAuth
// authorization URL through hostgate's real pages with a cookie jar, fills
// and submits the HTML forms those pages serve (sign-in, then consent) the
// way a browser would, and stops at the first redirect that leaves
// hostgate, which is the client's redirect URI carrying the code.
//
// It knows only what a user would: the username and password to type and
// which button to press. Everything else (hidden fields, CSRF tokens, the
// checked boxes, the form's method and action) comes from the page.

const MAX_STEPS = 12;

export class HeadlessBrowser {
  constructor({ username, password, log = () => {} }) {
    this.username = username;
    this.password = password;
    this.log = log;
    this.jar = new Map(); // host -> Map(name -> cookie)
    this.pages = []; // {url, status, title, form} of every page shown
  }

  // cookies returns the cookies stored for url's host (parsed Set-Cookie).
  cookies(url) {
    return [...(this.jar.get(new URL(url).host)?.values() ?? [])];
  }

  // request is one browser request without following redirects, with the
  // jar's cookies and the headers a browser sends for a navigation or a
  // form submission.
  async request(url, { method = 'GET', body, origin } = {}) {
    const u = new URL(url);
    const headers = { accept: 'text/html,application/xhtml+xml', 'user-agent': 'hostgate-e2e-headless-browser' };
    const cookie = this.cookieHeader(u);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = origin; // browsers send Origin on every POST
    }
    const res = await fetch(u, { method, headers, body, redirect: 'manual' });
    this.storeCookies(u, res.headers.getSetCookie());
    return res;
  }

  cookieHeader(u) {
    const now = Date.now();
    const out = [];
    for (const c of this.jar.get(u.host)?.values() ?? []) {
      if (c.expires !== undefined && c.expires <= now) continue;
      if (c.secure && u.protocol !== 'https:') continue;
      if (!u.pathname.startsWith(c.path)) continue;
      out.push(`${c.name}=${c.value}`);
    }
    return out.join('; ');
  }

  storeCookies(u, setCookies) {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const c = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: '/', attrs: {} };
      for (const a of attrs) {
        const [k, ...v] = a.trim().split('=');
        const key = k.toLowerCase();
        const val = v.join('=');
        c.attrs[key] = val === '' ? true : val;
        if (key === 'path' && val.startsWith('/')) c.path = val;
        if (key === 'secure') c.secure = true;
        if (key === 'httponly') c.httpOnly = true;
        if (key === 'samesite') c.sameSite = val;
        if (key === 'max-age') c.expires = Date.now() + Number(val) * 1000;
        if (key === 'expires' && c.expires === undefined) c.expires = Date.parse(val);
      }
      let m = this.jar.get(u.host);
      if (!m) this.jar.set(u.host, (m = new Map()));
      if (c.expires !== undefined && c.expires <= Date.now()) m.delete(c.name);
      else m.set(c.name, c);
    }
  }

  // authorize opens authorizationUrl and walks hostgate's pages until a
  // redirect leaves hostgate's origin. It signs in on the sign-in form and
  // presses the consent form's button action=<decision>. It returns the
  // URL the browser was sent to (the client's redirect URI with the code).
  async authorize(authorizationUrl, { decision = 'approve', expectPages } = {}) {
    const start = new URL(authorizationUrl);
    this.flow = (this.flow ?? 0) + 1;
    let next = { url: start.href, method: 'GET' };
    for (let step = 0; step < MAX_STEPS; step++) {
      const res = await this.request(next.url, next);
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        const loc = res.headers.get('location');
        if (!loc) throw new Error(`${res.status} from ${next.url} without Location`);
        const to = new URL(loc, next.url);
        if (to.origin !== start.origin) {
          this.log(`browser: redirected out of hostgate to ${to.origin}${to.pathname}`);
          if (expectPages) assertPages(this.pages, expectPages);
          return to;
        }
        next = { url: to.href, method: 'GET' };
        continue;
      }
      const html = await res.text();
      const title = (html.match(/<title>([\s\S]*?)<\/title>/i)?.[1] ?? '').trim();
      if (res.status !== 200) throw new Error(`browser: ${next.method} ${next.url} -> ${res.status} ${title}: ${text(html).slice(0, 300)}`);
      const forms = parseForms(html, next.url);
      const page = { url: next.url, status: res.status, title, headers: res.headers, html, forms, flow: this.flow };
      this.pages.push(page);
      const signin = forms.find((f) => f.fields.some((x) => x.type === 'password'));
      const consent = forms.find((f) => f.buttons.some((b) => b.name === 'action' && b.value === decision));
      let form, fill = {}, button;
      if (signin) {
        if (this.pages.slice(0, -1).some((p) => p.kind === 'signin' && p.flow === this.flow)) {
          throw new Error(`browser: the sign-in page came back after signing in: ${text(html).slice(0, 300)}`);
        }
        form = signin;
        page.kind = 'signin';
        fill = { username: this.username, password: this.password };
        button = signin.buttons[0];
      } else if (consent) {
        form = consent;
        page.kind = 'consent';
        button = consent.buttons.find((b) => b.name === 'action' && b.value === decision);
      } else {
        throw new Error(`browser: page "${title}" at ${next.url} has neither a sign-in nor a consent form: ${text(html).slice(0, 300)}`);
      }
      this.log(`browser: ${page.kind} page "${title}", submitting ${form.method.toUpperCase()} ${new URL(form.action).pathname}`);
      const body = formBody(form, fill, button);
      next = { url: form.action, method: form.method.toUpperCase(), body: body.toString(), origin: new URL(next.url).origin };
    }
    throw new Error(`browser: no redirect out of hostgate after ${MAX_STEPS} steps`);
  }
}

function assertPages(pages, kinds) {
  const seen = pages.map((p) => p.kind);
  if (JSON.stringify(seen) !== JSON.stringify(kinds)) throw new Error(`browser: pages seen ${JSON.stringify(seen)}, want ${JSON.stringify(kinds)}`);
}

// --- a small HTML form parser: enough for server-rendered forms ---

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function unescapeHTML(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function text(html) {
  return unescapeHTML(html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '').replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

export function parseAttrs(s) {
  const attrs = {};
  const re = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(s))) attrs[m[1].toLowerCase()] = unescapeHTML(m[2] ?? m[3] ?? m[4] ?? '');
  return attrs;
}

// parseForms returns each <form> with its method, absolute action, fields
// (inputs, selects and textareas in document order) and submit buttons.
export function parseForms(html, pageURL) {
  const forms = [];
  const re = /<form\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const a = parseAttrs(m[1]);
    const inner = m[2];
    const form = {
      method: (a.method || 'get').toLowerCase(),
      action: new URL(a.action || pageURL, pageURL).href,
      fields: [],
      buttons: [],
    };
    const el = /<(input|button|textarea|select)\b((?:[^>"']|"[^"]*"|'[^']*')*)>(?:([\s\S]*?)<\/\1>)?/gi;
    let e;
    while ((e = el.exec(inner))) {
      const tag = e[1].toLowerCase();
      const at = parseAttrs(e[2]);
      if (tag === 'button' || (tag === 'input' && ['submit', 'image'].includes((at.type || '').toLowerCase()))) {
        const type = (at.type || 'submit').toLowerCase();
        if (type === 'submit') form.buttons.push({ name: at.name, value: at.value ?? '', label: text(e[3] ?? at.value ?? ''), disabled: 'disabled' in at });
        continue;
      }
      if (tag === 'input') {
        form.fields.push({
          tag, type: (at.type || 'text').toLowerCase(), name: at.name, value: at.value ?? '',
          checked: 'checked' in at, disabled: 'disabled' in at, required: 'required' in at,
        });
      } else if (tag === 'textarea') {
        form.fields.push({ tag, type: 'textarea', name: at.name, value: unescapeHTML(e[3] ?? ''), disabled: 'disabled' in at, required: 'required' in at });
      } else {
        const opts = [...(e[3] ?? '').matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|$)/gi)].map((o) => ({ ...parseAttrs(o[1]), text: text(o[2]) }));
        const sel = opts.find((o) => 'selected' in o) ?? opts[0];
        form.fields.push({ tag, type: 'select', name: at.name, value: sel ? (sel.value ?? sel.text) : '', disabled: 'disabled' in at });
      }
    }
    forms.push(form);
  }
  return forms;
}

// formBody builds the form data set a browser submits (HTML's "constructing
// the entry list"): enabled named fields; checkboxes and radios only when
// checked; typed values for the fields in fill; and the submitter button.
export function formBody(form, fill = {}, submitter) {
  const body = new URLSearchParams();
  const filled = new Set();
  for (const f of form.fields) {
    if (!f.name || f.disabled) continue;
    if (f.type === 'checkbox' || f.type === 'radio') {
      if (f.checked) body.append(f.name, f.value || 'on');
      continue;
    }
    if (['submit', 'button', 'reset', 'file', 'image'].includes(f.type)) continue;
    let v = f.value;
    if (f.name in fill && f.type !== 'hidden') {
      v = fill[f.name];
      filled.add(f.name);
    }
    if (f.required && v === '') throw new Error(`browser: required field ${f.name} is empty`);
    body.append(f.name, v);
  }
  for (const k of Object.keys(fill)) if (!filled.has(k)) throw new Error(`browser: the form has no field ${k} to type into`);
  if (submitter?.disabled) throw new Error('browser: the submit button is disabled');
  if (submitter?.name) body.append(submitter.name, submitter.value);
  return body;
}
