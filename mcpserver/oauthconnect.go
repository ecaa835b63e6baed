package mcpserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
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
	team, err := s.connectTeam(r.Context(), u.ID, f.Get("team"), f.Get("reconnect"))
	if err != nil {
		s.connectRefused(w, r, err)
		return
	}
	sess := s.signin.SessionHash(r)
	state := randomToken()
	redirect := s.cfg.BaseURL + PathOAuthCallback
	// x/oauth2 builds the authorize URL, with an S256 challenge where the
	// vendor takes PKCE (the verifier is sealed with the state).
	target, verifier := spec.OAuth.AuthCodeURL(state, redirect)
	now := s.cfg.Now()
	err = s.cfg.Store.CreateConnectState(r.Context(), store.ConnectState{
		Hash: store.Hash(state), UserID: u.ID, SessionHash: sess, Vendor: spec.Name, Verifier: verifier,
		RedirectURI: redirect, ReturnTo: safeReturn(f.Get("return")), ConnectionID: f.Get("reconnect"),
		TeamID: team, CreatedAt: now, ExpiresAt: now.Add(connectStateTTL),
	})
	if err != nil {
		s.serverError(w, r, "create connect state", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// handleOAuthCallback finishes a vendor OAuth flow: the state must be one
// this browser session started, unused and fresh, and of the vendor the
// path names if it names one (VendorCallbackPath); then the connection
// lifecycle redeems the code, checks the account and stores the credential
// (in place of the one it replaces, which it revokes where it can). A
// callback without state is refused here; a one-click vendor's arrives at
// its VendorCallbackPath and is handled in oneclick.go.
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
	if !ok || r.PathValue("vendor") != "" && r.PathValue("vendor") != st.Vendor {
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
	// The host may have lost the team since the flow began.
	if st.TeamID != "" {
		if err := s.mustOwn(r.Context(), u.ID, st.TeamID); err != nil {
			s.connectRefused(w, r, err)
			return
		}
	}
	// Detached: once the code is redeemed the vendor has issued tokens,
	// and they must be stored even if the browser goes away.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	_, err = s.lifecycle.Connect(ctx, connector.Connect{UserID: u.ID, TeamID: st.TeamID, Vendor: spec.Name, Kind: store.AuthOAuth,
		Code: code, Verifier: st.Verifier, RedirectURI: st.RedirectURI, Reconnect: st.ConnectionID})
	s.connectOutcome(ctx, w, r, spec, err, st.ReturnTo)
}

// connectOutcome answers the browser after a code was redeemed (or not):
// why the vendor refused, or on to where the host was going.
func (s *Server) connectOutcome(ctx context.Context, w http.ResponseWriter, r *http.Request, spec *connector.Spec, err error, returnTo string) {
	var refused *connector.ConnectError
	switch {
	case errors.As(err, &refused):
		s.log.WarnContext(ctx, "vendor connect failed", "vendor", spec.Name, "err", err)
		s.pageError(w, http.StatusBadGateway, spec.Title+" did not complete the connection", connectFailure(spec.Title, refused.Err))
	case errors.Is(err, store.ErrExists):
		s.pageError(w, http.StatusConflict, "Already connected", "This account is connected already.")
	case err != nil:
		s.serverError(w, r, "save connection", err)
	default:
		s.finishConnect(w, r, returnTo)
	}
}

// randomToken returns 256 random bits, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// connectRefused answers a connect the host may not make.
func (s *Server) connectRefused(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNotTeamOwner) {
		s.pageError(w, http.StatusForbidden, "Only a team owner can do this", "Only an owner of the team can connect, reconnect or disconnect its accounts. Ask one of them.")
		return
	}
	s.serverError(w, r, "team membership", err)
}
