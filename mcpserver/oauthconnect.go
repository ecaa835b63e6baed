package mcpserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// connectStateTTL bounds a vendor OAuth flow (MCP security best practices:
// state expires after about ten minutes).
const connectStateTTL = 10 * time.Minute

// handleOAuthStart begins a vendor OAuth flow: a crypto-random, single-use
// state bound to this host and browser session, stored only now that the
// host has asked for it, and a PKCE verifier where the vendor takes one.
func (s *Server) handleOAuthStart(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	f := r.PostForm
	spec, ok := s.spec(f.Get("vendor"))
	if !ok || !spec.OAuth.Configured() {
		s.pageError(w, http.StatusBadRequest, "This vendor cannot be connected by sign-in", "hostgate has no OAuth registration for it. Use another way to connect, or ask your hostgate operator to configure one.")
		return
	}
	sess := s.signin.SessionHash(r)
	state, verifier := randomToken(), ""
	redirect := s.cfg.BaseURL + PathOAuthCallback
	q := url.Values{"response_type": {"code"}, "client_id": {spec.OAuth.ClientID}, "redirect_uri": {redirect}, "state": {state}}
	if len(spec.OAuth.Scopes) > 0 {
		q.Set("scope", strings.Join(spec.OAuth.Scopes, " "))
	}
	if spec.OAuth.PKCE {
		verifier = randomToken()
		sum := sha256.Sum256([]byte(verifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range spec.OAuth.AuthParams {
		q.Set(k, v)
	}
	now := s.cfg.Now()
	err := s.cfg.Store.CreateConnectState(r.Context(), store.ConnectState{
		Hash: store.Hash(state), UserID: u.ID, SessionHash: sess, Vendor: spec.Name, Verifier: verifier,
		RedirectURI: redirect, ReturnTo: safeReturn(f.Get("return")), ConnectionID: f.Get("reconnect"),
		CreatedAt: now, ExpiresAt: now.Add(connectStateTTL),
	})
	if err != nil {
		s.serverError(w, r, "create connect state", err)
		return
	}
	target := spec.OAuth.AuthURL
	if strings.Contains(target, "?") {
		target += "&" + q.Encode()
	} else {
		target += "?" + q.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// handleOAuthCallback finishes a vendor OAuth flow: the state must be one
// this browser session started, unused and fresh; then the code is
// exchanged, the account checked, and the credential sealed in the store.
func (s *Server) handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	st, err := s.cfg.Store.ConsumeConnectState(r.Context(), store.Hash(q.Get("state")))
	if err != nil || q.Get("state") == "" {
		s.pageError(w, http.StatusBadRequest, "This sign-in link expired or was already used", "Start connecting again from the connections page.")
		return
	}
	now := s.cfg.Now()
	if st.UserID != u.ID || st.SessionHash == "" || st.SessionHash != s.signin.SessionHash(r) || !now.Before(st.ExpiresAt) {
		s.pageError(w, http.StatusBadRequest, "This sign-in link expired or belongs to another session", "Start connecting again from the connections page.")
		return
	}
	spec, ok := s.spec(st.Vendor)
	if !ok {
		s.pageError(w, http.StatusBadRequest, "Unknown vendor", "Start again from the connections page.")
		return
	}
	if e := q.Get("error"); e != "" {
		msg := spec.Title + " did not grant access"
		if e == "access_denied" {
			msg = "You declined access at " + spec.Title
		}
		s.pageError(w, http.StatusBadRequest, msg, "Nothing was connected. You can try again from the connections page.")
		return
	}
	code := q.Get("code")
	if code == "" || spec.Exchange == nil {
		s.pageError(w, http.StatusBadRequest, spec.Title+" sent no authorization code", "Start again from the connections page.")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	cred, err := spec.Exchange(ctx, spec, code, st.Verifier, st.RedirectURI)
	if err != nil {
		s.log.WarnContext(ctx, "vendor code exchange failed", "vendor", spec.Name, "err", err)
		s.pageError(w, http.StatusBadGateway, spec.Title+" did not complete the connection", connectFailure(spec.Title, err))
		return
	}
	acc, err := spec.New(spec, connector.StaticSource(cred)).Check(ctx)
	if err != nil {
		s.pageError(w, http.StatusBadGateway, spec.Title+" did not complete the connection", connectFailure(spec.Title, err))
		return
	}
	if _, err := s.saveConnection(ctx, u.ID, spec, store.AuthOAuth, cred, acc, "", st.ConnectionID); err != nil {
		if errors.Is(err, store.ErrExists) {
			s.pageError(w, http.StatusConflict, "Already connected", "This account is connected already.")
			return
		}
		s.serverError(w, r, "save connection", err)
		return
	}
	s.finishConnect(w, r, st.ReturnTo)
}

// randomToken returns 256 random bits, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// newID returns a 128-bit random row id.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
