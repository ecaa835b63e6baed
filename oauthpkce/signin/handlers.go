package signin

import (
	"embed"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/store"
)

//go:embed templates/*.html
var templates embed.FS

var signinPage = web.Parse(templates, "templates/signin.html")

// Paths of the sign-in pages.
const (
	PathSignIn  = "/signin"
	PathSignOut = "/signout"
)

const csrfSignIn = "signin"

// Mount registers the sign-in and sign-out endpoints.
func (m *Manager) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathSignIn, m.handleSignInPage)
	mux.HandleFunc("POST "+PathSignIn, m.handleSignIn)
	mux.HandleFunc("POST "+PathSignOut, m.handleSignOut)
	if len(m.providers) > 0 {
		mux.HandleFunc("GET "+PathOIDCCallback, m.handleOIDCCallback)
		mux.HandleFunc("GET "+PathOIDC+"{provider}", m.handleOIDCStart)
	}
}

// SignInURL returns the sign-in page that comes back to returnTo (a path on
// this server) once the host has signed in.
func SignInURL(returnTo string) string {
	return PathSignIn + "?" + url.Values{"return": {returnTo}}.Encode()
}

// safeReturn keeps only local paths, so the sign-in page cannot be used to
// send a host elsewhere (RFC 9700 §4.11: open redirectors).
func safeReturn(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return s
}

type signinData struct {
	CSRF     string
	Return   string
	Username string
	Error    string
	// Hint is a line to show as code under the error (what to give the
	// operator).
	Hint string
	// Password shows the password form.
	Password bool
	// Providers are the identity providers' buttons.
	Providers []providerButton
}

// providerButton is one "Sign in with …" button.
type providerButton struct{ Label, URL string }

// page returns the sign-in page's data for a browser going back to ret.
func (m *Manager) page(w http.ResponseWriter, r *http.Request, ret string) signinData {
	d := signinData{Return: ret, Password: !m.noPassword}
	if d.Password {
		d.CSRF = m.CSRF(w, r, csrfSignIn)
	}
	for _, p := range m.providers {
		u := PathOIDC + url.PathEscape(p.Name)
		if ret != "/" {
			u += "?" + url.Values{"return": {ret}}.Encode()
		}
		d.Providers = append(d.Providers, providerButton{Label: p.Label, URL: u})
	}
	return d
}

func (m *Manager) handleSignInPage(w http.ResponseWriter, r *http.Request) {
	ret := safeReturn(r.URL.Query().Get("return"))
	if _, ok := m.User(r); ok {
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	signinPage.Render(w, http.StatusOK, web.CSP(), m.page(w, r, ret))
}

// refuse answers a sign-in that did not happen: the sign-in page, ready
// for another try, with the reason. It starts no session.
func (m *Manager) refuse(w http.ResponseWriter, r *http.Request, status int, ret, msg, hint string) {
	d := m.page(w, r, ret)
	d.Error, d.Hint = msg, hint
	signinPage.Render(w, status, web.CSP(), d)
}

func (m *Manager) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	ret := safeReturn(r.PostForm.Get("return"))
	username := r.PostForm.Get("username")
	// fail shows the page again with msg, and counts the failure by its
	// reason (one of the fixed words below, never the username).
	fail := func(status int, reason, msg string) {
		m.metrics.SignInFailure(metrics.SignInPassword, reason)
		data := m.page(w, r, ret)
		data.Username, data.Error = username, msg
		signinPage.Render(w, status, web.CSP(), data)
	}
	if m.noPassword {
		m.log.InfoContext(r.Context(), "sign-in refused", "outcome", "password_off")
		fail(http.StatusForbidden, "password_off", "Password sign-in is turned off here. Sign in with one of the buttons below.")
		return
	}
	if !m.CheckCSRF(r, csrfSignIn, r.PostForm.Get("csrf")) {
		fail(http.StatusForbidden, "csrf", "This form expired or came from another site. Please sign in again.")
		return
	}
	addr := m.limiter.addr(r)
	if !m.limiter.allow(addr) {
		w.Header().Set("Retry-After", "60")
		fail(http.StatusTooManyRequests, "throttled", "Too many attempts. Wait a minute, then try again.")
		return
	}
	if wait := m.fleet.take(r.Context(), username, addr, m.now()); wait > 0 {
		secs := int64((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		m.log.InfoContext(r.Context(), "sign-in refused", "outcome", "fleet_throttled")
		fail(http.StatusTooManyRequests, "throttled", "Too many attempts. Wait "+strconv.FormatInt(secs, 10)+" seconds, then try again.")
		return
	}
	if wait := m.limiter.accountBegin(username, addr); wait > 0 {
		secs := int64((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		m.log.InfoContext(r.Context(), "sign-in refused", "outcome", "account_throttled")
		fail(http.StatusTooManyRequests, "account_throttled", "Too many failed attempts for this account. Wait "+strconv.FormatInt(secs, 10)+" seconds, then try again.")
		return
	}
	if !m.limiter.acquireHash(r.Context()) {
		w.Header().Set("Retry-After", "1")
		m.log.WarnContext(r.Context(), "sign-in refused", "outcome", "busy")
		fail(http.StatusTooManyRequests, "busy", "Too many sign-ins at once. Try again in a moment.")
		return
	}
	u, err := m.Authenticate(r.Context(), username, r.PostForm.Get("password"))
	m.limiter.releaseHash()
	if err == nil {
		m.limiter.accountSucceeded(username, addr)
	}
	if errors.Is(err, ErrBadCredentials) {
		m.log.InfoContext(r.Context(), "sign-in refused", "outcome", "bad_credentials")
		fail(http.StatusUnauthorized, "bad_credentials", "Wrong username or password.")
		return
	}
	if errors.Is(err, ErrDisabled) {
		m.log.InfoContext(r.Context(), "sign-in refused", "outcome", "disabled")
		fail(http.StatusForbidden, "disabled", "This account is disabled. Ask whoever runs this hostgate to enable it.")
		return
	}
	if err != nil {
		m.log.ErrorContext(r.Context(), "sign-in", "err", err)
		fail(http.StatusInternalServerError, "error", "Something went wrong. Please try again.")
		return
	}
	if err := m.StartSession(r.Context(), w, u.ID); err != nil {
		m.log.ErrorContext(r.Context(), "start session", "err", err)
		fail(http.StatusInternalServerError, "error", "Something went wrong. Please try again.")
		return
	}
	_ = m.store.AddAuditEvent(r.Context(), store.AuditEvent{At: m.now(), UserID: u.ID, Kind: "signin"})
	m.log.InfoContext(r.Context(), "signed in", "host_id", u.ID)
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

func (m *Manager) handleSignOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !m.CheckCSRF(r, "signout", r.PostForm.Get("csrf")) {
		http.Error(w, "This form expired or came from another site.", http.StatusForbidden)
		return
	}
	m.EndSession(r.Context(), w, r)
	http.Redirect(w, r, PathSignIn, http.StatusSeeOther)
}

// SignOutCSRF returns the token the sign-out form must carry.
func (m *Manager) SignOutCSRF(w http.ResponseWriter, r *http.Request) string {
	return m.CSRF(w, r, "signout")
}
