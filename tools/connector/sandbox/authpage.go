package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// authRequest is a validated authorization request waiting for the user's click.
type authRequest struct {
	clientID    string
	redirectURI string
	state       string
	hasState    bool // Hospitable's one-click flow sends no state, so none comes back
	scope       string
	audience    string
	nonce       string
	challenge   string
	method      string
	expires     time.Time
}

// consentPage is what the authorize page shows.
type consentPage struct {
	Vendor       string
	Client       string
	Account      string
	Scopes       []string
	RedirectHost string
	Action       string
	RequestID    string
	Button       string
}

// The page is deliberately tiny: one form, one hidden input, one submit button named
// "approve", so a test can parse it with a regexp and a browser can click it.
var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Vendor}}: authorize {{.Client}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}</style>
</head><body>
<h1>{{.Vendor}} <small>(sandbox)</small></h1>
<p><strong>{{.Client}}</strong> wants to access the {{.Vendor}} account of <strong>{{.Account}}</strong>.</p>
{{if .Scopes}}<ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p>You will then be sent back to <code>{{.RedirectHost}}</code>.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="request_id" value="{{.RequestID}}">
<button type="submit" name="approve" value="approve">{{.Button}}</button>
</form>
</body></html>
`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Vendor}}: authorization error</title></head>
<body><h1>{{.Vendor}} <small>(sandbox)</small></h1><p>{{.Message}}</p></body></html>
`))

// setHTMLHeaders applies the house security headers for pages with a form.
func setHTMLHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// No form-action: the approval POST redirects to the client's redirect URI, which some
	// browsers check against form-action.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// authErrorPage reports a request that must not be redirected (bad client or redirect URI).
func (v *Vendor) authErrorPage(w http.ResponseWriter, status int, msg string) {
	setHTMLHeaders(w)
	w.WriteHeader(status)
	_ = errorTmpl.Execute(w, struct{ Vendor, Message string }{v.displayName(), msg})
}

func (v *Vendor) displayName() string {
	switch v.Name {
	case "hostex":
		return "Hostex"
	case "hospitable":
		return "Hospitable"
	case "hostaway":
		return "Hostaway"
	case "hoxtonai":
		return "HoxtonAI"
	}
	return v.Name
}

// redirectAllowed applies the fake's redirect-URI policy: the registered URI exactly when one
// was set (SetRedirectURI), else any https URI or any http loopback URI, never with a fragment.
func (v *Vendor) redirectAllowed(uri string) bool {
	v.mu.Lock()
	reg := v.redirectURI
	v.mu.Unlock()
	if reg != "" {
		return uri == reg
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "127.0.0.1" || h == "::1" || h == "localhost"
	}
	return false
}

// registeredRedirect returns the URI set by SetRedirectURI, or "".
func (v *Vendor) registeredRedirect() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.redirectURI
}

// beginConsent remembers req for ten minutes and renders the consent page.
func (v *Vendor) beginConsent(w http.ResponseWriter, r *http.Request, req *authRequest, page consentPage) {
	now := v.now()
	req.expires = now.Add(10 * time.Minute)
	id := newHexID(16)
	v.mu.Lock()
	for k, p := range v.pending {
		if !now.Before(p.expires) {
			delete(v.pending, k)
		}
	}
	v.pending[id] = req
	v.mu.Unlock()

	page.Vendor = v.displayName()
	page.RequestID = id
	page.Action = r.URL.Path
	if u, err := url.Parse(req.redirectURI); err == nil {
		page.RedirectHost = u.Host
	}
	setHTMLHeaders(w)
	w.WriteHeader(http.StatusOK)
	_ = consentTmpl.Execute(w, page)
}

// finishConsent handles the consent form POST: approve issues a code and redirects with
// code (and state); anything else redirects with error=access_denied.
func (v *Vendor) finishConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		v.authErrorPage(w, http.StatusBadRequest, "Malformed form.")
		return
	}
	id := r.PostForm.Get("request_id")
	now := v.now()
	v.mu.Lock()
	req, ok := v.pending[id]
	delete(v.pending, id) // single use, whatever the outcome
	v.mu.Unlock()
	if !ok || !now.Before(req.expires) {
		v.authErrorPage(w, http.StatusBadRequest, "This authorization request has expired or was already used. Start again from the application.")
		return
	}
	q := url.Values{}
	if r.PostForm.Get("approve") == "approve" {
		code := newSecret("", 24)
		v.mu.Lock()
		v.tokens.codes[code] = &authCode{
			clientID:    req.clientID,
			redirectURI: req.redirectURI,
			scope:       req.scope,
			audience:    req.audience,
			nonce:       req.nonce,
			challenge:   req.challenge,
			method:      req.method,
			expires:     now.Add(10 * time.Minute),
		}
		v.mu.Unlock()
		q.Set("code", code)
	} else {
		q.Set("error", "access_denied")
		q.Set("error_description", "The user denied the request.")
	}
	if req.hasState {
		q.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, q), http.StatusFound)
}

// redirectWithError sends an OAuth error back to a redirect URI already known to be allowed.
func redirectWithError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, desc string) {
	q := url.Values{"error": {code}, "error_description": {desc}}
	if state != "" {
		q.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirectURI, q), http.StatusFound)
}

// withQuery appends q to uri, keeping any query it already has.
func withQuery(uri string, q url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + q.Encode()
}

// takeCode redeems an authorization code once. The caller holds v.mu.
func (s *tokenStore) takeCode(code, clientID string, now time.Time) (*authCode, bool) {
	c, ok := s.codes[code]
	if !ok || c.used || c.clientID != clientID || !now.Before(c.expires) {
		return nil, false
	}
	c.used = true
	return c, true
}
