package oidcfake

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// codeTTL is how long an authorization code may wait for the token request.
const codeTTL = time.Minute

// authRequest is an authorization request's parameters, from the query
// (the page) or the form (the decision).
type authRequest struct {
	clientID, redirectURI, state, nonce, challenge string
}

// parseAuthRequest checks an authorization request. It returns a message
// for an error page when the client or the redirect URI is wrong (nothing
// may be redirected then), or an error code for the client otherwise.
func (s *Server) parseAuthRequest(v url.Values) (req authRequest, page, code string) {
	req = authRequest{clientID: v.Get("client_id"), redirectURI: v.Get("redirect_uri"), state: v.Get("state"),
		nonce: v.Get("nonce"), challenge: v.Get("code_challenge")}
	s.mu.Lock()
	clientID, redirectURI := s.clientID, s.redirectURI
	s.mu.Unlock()
	switch {
	case req.clientID != clientID:
		return req, "Unknown client_id.", ""
	case req.redirectURI == "" || req.redirectURI != redirectURI:
		return req, "The redirect_uri is not the one registered for this client.", ""
	case v.Get("response_type") != "code":
		return req, "", "unsupported_response_type"
	case !slices.Contains(strings.Fields(v.Get("scope")), "openid"):
		return req, "", "invalid_scope"
	case req.challenge == "" || v.Get("code_challenge_method") != "S256":
		return req, "", "invalid_request"
	}
	return req, "", ""
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}: sign in</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f3f4f8;color:#1b1d29}
main{max-width:26rem;margin:3rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #d5d8e3;border-radius:.75rem;padding:1.5rem}
h1{font-size:1.3rem;margin:0 0 .5rem}
.who{background:#f3f4f8;border-radius:.5rem;padding:.75rem;margin:1rem 0;overflow-wrap:anywhere}
.actions{display:flex;gap:.5rem;flex-wrap:wrap}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:1px solid #9aa0b4;background:#fff;cursor:pointer}
button.primary{background:#4b3fb5;border-color:#4b3fb5;color:#fff}
button:focus-visible{outline:3px solid #4b3fb5;outline-offset:2px}
.note{color:#5c6073;font-size:.9rem}
</style></head>
<body><main><div class="card">
<h1>{{.Title}}</h1>
<p>A test identity provider that runs with hostgate's demo. No password: it signs in one made-up person.</p>
<form method="post" action="/authorize">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<div class="who"><strong>{{.Name}}</strong><br>{{.Email}}</div>
<div class="actions">
<button class="primary" type="submit" name="decision" value="allow" autofocus>Continue as {{.Name}}</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</div>
</form>
<p class="note">Sends you back to the app that asked.</p>
</div></main></body></html>`))

// handleAuthorizePage shows who will be signed in, with Continue and
// Cancel.
func (s *Server) handleAuthorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, msg, code := s.parseAuthRequest(q)
	if msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	if code != "" {
		s.redirectError(w, r, req, code, "")
		return
	}
	s.mu.Lock()
	u, f := s.user, s.faults
	s.mu.Unlock()
	if f.Error != "" {
		s.redirectError(w, r, req, f.Error, "The provider refused <this> sign-in.")
		return
	}
	fields := map[string]string{}
	for _, k := range []string{"client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope", "response_type"} {
		fields[k] = q.Get(k)
	}
	name := u.Name
	if name == "" {
		name = u.Subject
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_ = page.Execute(w, map[string]any{"Title": s.title, "Fields": fields, "Name": name, "Email": u.Email})
}

// handleAuthorize takes the decision: a code for the client, or
// access_denied.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	req, msg, code := s.parseAuthRequest(r.PostForm)
	if msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	if code != "" {
		s.redirectError(w, r, req, code, "")
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		s.redirectError(w, r, req, "access_denied", "The user cancelled.")
		return
	}
	c := randomString(24)
	s.mu.Lock()
	s.codes[c] = grantedCode{clientID: req.clientID, redirectURI: req.redirectURI, challenge: req.challenge,
		nonce: req.nonce, user: s.user, expires: s.now().Add(codeTTL)}
	s.mu.Unlock()
	s.redirect(w, r, req, url.Values{"code": {c}})
}

func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code, desc string) {
	v := url.Values{"error": {code}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	s.redirect(w, r, req, v)
}

// redirect sends the browser back to the client with state and iss.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, req authRequest, v url.Values) {
	s.mu.Lock()
	iss := s.issuer
	if s.faults.ResponseIssuer != "" {
		iss = s.faults.ResponseIssuer
	}
	s.mu.Unlock()
	if req.state != "" {
		v.Set("state", req.state)
	}
	v.Set("iss", iss)
	sep := "?"
	if strings.Contains(req.redirectURI, "?") {
		sep = "&"
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, req.redirectURI+sep+v.Encode(), http.StatusSeeOther)
}
