package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/store"
	"golang.org/x/oauth2"
)

// signInStateTTL bounds an OpenID Connect sign-in, as the vendor connect
// flows are bounded: long enough to type a password and a second factor
// at the provider.
const signInStateTTL = 10 * time.Minute

// OpenID Connect sign-in starts per client address: a burst of
// oidcStartBurst, then one every oidcStartEvery.
const (
	oidcStartBurst = 30
	oidcStartEvery = 2 * time.Second
)

func (m *Manager) provider(name string) (*oidcProvider, bool) {
	for _, p := range m.providers {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// handleOIDCStart sends the browser to the provider: authorization code
// flow with PKCE S256 and a nonce, under a single-use state stored bound
// to this browser (its id cookie).
func (m *Manager) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ret := safeReturn(r.URL.Query().Get("return"))
	p, ok := m.provider(r.PathValue("provider"))
	if !ok {
		m.metrics.SignInFailure(metrics.SignInOIDC, "unknown_provider")
		m.refuse(w, r, http.StatusNotFound, ret, "There is no such way to sign in here. Choose one of those below.", "")
		return
	}
	if _, ok := m.User(r); ok {
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	if !m.oidcLimiter.allow(m.oidcLimiter.addr(r)) {
		w.Header().Set("Retry-After", "60")
		m.log.InfoContext(ctx, "oidc sign-in refused", "provider", p.Name, "outcome", "throttled")
		m.metrics.SignInFailure(metrics.SignInOIDC, "throttled")
		m.refuse(w, r, http.StatusTooManyRequests, ret, "Too many sign-in attempts. Wait a minute, then try again.", "")
		return
	}
	d, err := p.discovered(ctx)
	if err != nil {
		m.log.WarnContext(ctx, "oidc sign-in refused", "provider", p.Name, "outcome", "provider_unavailable", "err", err)
		m.metrics.SignInFailure(metrics.SignInOIDC, "provider_unavailable")
		m.refuse(w, r, http.StatusServiceUnavailable, ret, "Signing in with "+p.Label+" is unavailable right now. Try again in a minute, or sign in another way.", "")
		return
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	now := m.now()
	err = m.oidcStore.CreateSignInState(ctx, store.SignInState{
		Hash: store.Hash(state), BrowserHash: store.Hash(m.browser(w, r)), Provider: p.Name,
		NonceHash: store.Hash(nonce), Verifier: verifier, ReturnTo: ret,
		CreatedAt: now, ExpiresAt: now.Add(signInStateTTL),
	})
	if err != nil {
		m.log.ErrorContext(ctx, "create sign-in state", "provider", p.Name, "err", err)
		m.metrics.SignInFailure(metrics.SignInOIDC, "store_error")
		m.refuse(w, r, http.StatusInternalServerError, ret, "Something went wrong. Please try again.", "")
		return
	}
	target := p.oauth2Config(d).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// refusal is why a callback signs no one in: the outcome logged and the
// sentence the host reads.
type refusal struct {
	status  int
	outcome string
	msg     string
	hint    string
}

// handleOIDCCallback finishes a sign-in: the state must be one this
// browser started, unused and fresh; the code is redeemed with its PKCE
// verifier; the ID token must verify (signature, issuer, audience,
// expiry) and carry the nonce sent; then the identity is admitted (see
// admit) and the browser gets a new session. Every refusal shows the
// sign-in page with its reason and starts no session.
func (m *Manager) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, p, u, ref := m.finishOIDC(ctx, r)
	if ref != nil {
		// The outcome is one of finishOIDC's fixed words: a bounded label.
		m.metrics.SignInFailure(metrics.SignInOIDC, ref.outcome)
		attrs := []any{"outcome", ref.outcome}
		if p != nil {
			attrs = append(attrs, "provider", p.Name)
		}
		if ref.status >= 500 {
			m.log.WarnContext(ctx, "oidc sign-in refused", attrs...)
		} else {
			m.log.InfoContext(ctx, "oidc sign-in refused", attrs...)
		}
		m.refuse(w, r, ref.status, st.ReturnTo, ref.msg, ref.hint)
		return
	}
	if err := m.StartSession(ctx, w, u.ID); err != nil {
		if errors.Is(err, ErrDisabled) {
			m.log.InfoContext(ctx, "oidc sign-in refused", "provider", p.Name, "outcome", "disabled", "host_id", u.ID)
			m.metrics.SignInFailure(metrics.SignInOIDC, "disabled")
			m.refuse(w, r, http.StatusForbidden, st.ReturnTo, disabledMsg, "")
			return
		}
		m.log.ErrorContext(ctx, "start session", "err", err)
		m.metrics.SignInFailure(metrics.SignInOIDC, "store_error")
		m.refuse(w, r, http.StatusInternalServerError, st.ReturnTo, "Something went wrong. Please try again.", "")
		return
	}
	_ = m.store.AddAuditEvent(ctx, store.AuditEvent{At: m.now(), UserID: u.ID, Kind: "signin", Detail: "oidc " + p.Name})
	m.log.InfoContext(ctx, "signed in", "host_id", u.ID, "provider", p.Name)
	http.Redirect(w, r, safeReturn(st.ReturnTo), http.StatusSeeOther)
}

const disabledMsg = "This account is disabled. Ask whoever runs this hostgate to enable it."

// finishOIDC checks the callback and returns the host it signs in, or
// why not. The state comes back (with a safe ReturnTo) whenever it was
// found.
func (m *Manager) finishOIDC(ctx context.Context, r *http.Request) (store.SignInState, *oidcProvider, store.User, *refusal) {
	q := r.URL.Query()
	st := store.SignInState{ReturnTo: "/"}
	state := q.Get("state")
	if state == "" {
		return st, nil, store.User{}, &refusal{http.StatusBadRequest, "no_state",
			"This sign-in answer is incomplete. Start again.", ""}
	}
	// Consumed before anything else is checked: whatever happens next,
	// this state never works again (a replay, a second tab).
	got, err := m.oidcStore.ConsumeSignInState(ctx, store.Hash(state))
	if errors.Is(err, store.ErrNotFound) {
		return st, nil, store.User{}, &refusal{http.StatusBadRequest, "unknown_state",
			"This sign-in link expired or was already used. Start again.", ""}
	}
	if err != nil {
		m.log.ErrorContext(ctx, "consume sign-in state", "err", err)
		return st, nil, store.User{}, &refusal{http.StatusInternalServerError, "store_error", "Something went wrong. Please try again.", ""}
	}
	st = got
	st.ReturnTo = safeReturn(st.ReturnTo)
	c, err := r.Cookie(m.browserCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(store.Hash(c.Value)), []byte(st.BrowserHash)) != 1 {
		return st, nil, store.User{}, &refusal{http.StatusBadRequest, "foreign_state",
			"This sign-in was started in another browser. Start again here.", ""}
	}
	if !m.now().Before(st.ExpiresAt) {
		return st, nil, store.User{}, &refusal{http.StatusBadRequest, "expired_state",
			"This sign-in took too long and expired. Start again.", ""}
	}
	p, ok := m.provider(st.Provider)
	if !ok {
		return st, nil, store.User{}, &refusal{http.StatusBadRequest, "unknown_provider",
			"That way of signing in is no longer offered here. Choose one of those below.", ""}
	}
	// RFC 9207 §2.4: every provider answers at the one callback, so an
	// answer that names another issuer than the one the flow went to is
	// refused (a mix-up); the state already ties the flow to its provider.
	if iss := q.Get("iss"); iss != "" && iss != p.Issuer {
		return st, p, store.User{}, &refusal{http.StatusBadRequest, "wrong_response_issuer",
			"This sign-in answer did not come from " + p.Label + ". Start again.", ""}
	}
	if e := q.Get("error"); e != "" {
		if d := q.Get("error_description"); d != "" {
			e += ": " + d
		}
		return st, p, store.User{}, &refusal{http.StatusUnauthorized, "provider_error",
			p.Label + " did not sign you in (" + clip(e, 200) + ").", ""}
	}
	code := q.Get("code")
	if code == "" {
		return st, p, store.User{}, &refusal{http.StatusBadRequest, "no_code",
			p.Label + " sent no authorization code. Start again.", ""}
	}
	d, err := p.discovered(ctx)
	if err != nil {
		m.log.WarnContext(ctx, "discover provider", "provider", p.Name, "err", err)
		return st, p, store.User{}, &refusal{http.StatusServiceUnavailable, "provider_unavailable",
			"Signing in with " + p.Label + " is unavailable right now. Try again in a minute, or sign in another way.", ""}
	}
	idt, claims, ref := m.redeem(ctx, p, d, code, st)
	if ref != nil {
		return st, p, store.User{}, ref
	}
	u, ref := m.admit(ctx, p, idt.Subject, claims)
	return st, p, u, ref
}

// redeem exchanges the code (with the PKCE verifier) and verifies the ID
// token that comes back.
func (m *Manager) redeem(ctx context.Context, p *oidcProvider, d *oidc.Provider, code string, st store.SignInState) (*oidc.IDToken, idClaims, *refusal) {
	// Detached from the browser: a browser that goes away must not cut the
	// code's redemption short (the code is used either way).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := p.oauth2Config(d).Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		// A RetrieveError's text carries the provider's response body;
		// only its error code is logged.
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			m.log.WarnContext(ctx, "oidc code refused", "provider", p.Name, "error_code", re.ErrorCode, "status", re.Response.StatusCode)
		} else {
			m.log.WarnContext(ctx, "oidc code exchange failed", "provider", p.Name, "err", err)
		}
		return nil, idClaims{}, &refusal{http.StatusBadGateway, "code_refused",
			p.Label + " did not complete the sign-in. Start again.", ""}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, idClaims{}, &refusal{http.StatusBadGateway, "no_id_token",
			p.Label + " sent no ID token, so hostgate cannot tell who you are. Start again.", ""}
	}
	idt, err := d.Verifier(&oidc.Config{ClientID: p.ClientID, Now: m.now}).Verify(ctx, raw)
	if err != nil {
		ref := verifyRefusal(p, err)
		m.log.WarnContext(ctx, "oidc id token refused", "provider", p.Name, "reason", ref.outcome, "err", err)
		return nil, idClaims{}, ref
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		return nil, idClaims{}, &refusal{http.StatusBadGateway, "bad_claims",
			p.Label + "'s answer could not be read. Start again.", ""}
	}
	// OpenID Connect Core §3.1.3.7: with several audiences, or an azp at
	// all, the authorized party must be this client.
	if (len(idt.Audience) > 1 || claims.AZP != "") && claims.AZP != p.ClientID {
		return nil, idClaims{}, &refusal{http.StatusBadGateway, "wrong_audience",
			"This sign-in answer from " + p.Label + " was meant for another app. Start again.", ""}
	}
	// §3.1.3.7 step 11: the nonce must be the one this browser's request
	// sent, which the state holds as a hash.
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(store.Hash(idt.Nonce)), []byte(st.NonceHash)) != 1 {
		return nil, idClaims{}, &refusal{http.StatusBadGateway, "wrong_nonce",
			"This sign-in answer from " + p.Label + " does not belong to this sign-in (wrong nonce). Start again.", ""}
	}
	if idt.Subject == "" {
		return nil, idClaims{}, &refusal{http.StatusBadGateway, "no_subject",
			p.Label + " did not say who you are. Start again.", ""}
	}
	return idt, claims, nil
}

// verifyRefusal says why go-oidc refused an ID token. go-oidc types only
// the expiry; the other reasons are told apart by its messages, for the
// host's sentence only: the token is refused whatever the reason.
func verifyRefusal(p *oidcProvider, err error) *refusal {
	var expired *oidc.TokenExpiredError
	s := err.Error()
	switch {
	case errors.As(err, &expired):
		return &refusal{http.StatusBadGateway, "expired_id_token",
			"The sign-in answer from " + p.Label + " has expired. Check this server's clock, then start again.", ""}
	case strings.Contains(s, "issued by a different provider"):
		return &refusal{http.StatusBadGateway, "wrong_issuer",
			"This sign-in answer did not come from " + p.Label + " (wrong issuer). Start again.", ""}
	case strings.Contains(s, "expected audience"):
		return &refusal{http.StatusBadGateway, "wrong_audience",
			"This sign-in answer from " + p.Label + " was meant for another app. Start again.", ""}
	case strings.Contains(s, "signature"), strings.Contains(s, "malformed jwt"), strings.Contains(s, "not signed"):
		return &refusal{http.StatusBadGateway, "bad_signature",
			"This sign-in answer is not signed by " + p.Label + " (bad signature). Start again.", ""}
	}
	return &refusal{http.StatusBadGateway, "invalid_id_token",
		"The sign-in answer from " + p.Label + " could not be verified. Start again.", ""}
}

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
