package oauthpkce

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
)

// tokenResponse is RFC 6749 §5.1's successful token response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// handleToken is the token endpoint (RFC 6749 §3.2). Every response,
// error or not, carries Cache-Control: no-store.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) error {
	client, err := s.clientRequest(w, r)
	if err != nil {
		return err
	}
	var resp tokenResponse
	switch gt := r.PostForm.Get("grant_type"); gt {
	case grantAuthorizationCode, grantRefreshToken:
		// RFC 6749 §5.2: a grant type the client did not register is
		// unauthorized_client, checked before anything is looked up.
		if !clientMayUse(client, gt) {
			return badRequest(codeUnauthorizedClient, "the client did not register the "+gt+" grant type")
		}
		if gt == grantAuthorizationCode {
			resp, err = s.exchangeCode(r, client)
		} else {
			resp, err = s.refresh(r, client)
		}
	case "":
		err = badRequest(codeInvalidRequest, "grant_type is missing")
	default:
		err = badRequest(codeUnsupportedGrantType, "grant_type must be authorization_code or refresh_token")
	}
	if err != nil {
		return err
	}
	if err := s.cfg.Store.TouchClient(r.Context(), client.ID, s.now()); err != nil {
		s.log.ErrorContext(r.Context(), "touch client", "err", err)
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// refreshReuseGrace is how long after its first use a rotated refresh
// token may be presented again, as clients that refresh in parallel (two
// tabs, a retry after a lost response) do. Later, or once a successor has
// been used, presenting it is reuse and revokes the grant.
const refreshReuseGrace = 30 * time.Second

// clientMayUse reports whether the client registered the grant type. RFC
// 7591 §2: registered without grant_types means authorization_code only.
func clientMayUse(c store.Client, grantType string) bool {
	if len(c.GrantTypes) == 0 {
		return grantType == grantAuthorizationCode
	}
	return slices.Contains(c.GrantTypes, grantType)
}

// redirectURIMismatch reports whether the token request's redirect_uri
// fails the code's. OAuth 2.1 §4.1.3 / §10.2: the parameter may be left
// out; one that is present must be the authorization request's exactly, or
// the registered one the authorization request used by leaving it out.
func redirectURIMismatch(f url.Values, ac store.AuthCode, client store.Client) bool {
	got, present := f["redirect_uri"]
	if !present {
		return false
	}
	if ac.RedirectURI != "" {
		return got[0] != ac.RedirectURI
	}
	return len(client.RedirectURIs) != 1 || got[0] != client.RedirectURIs[0]
}

// exchangeCode redeems an authorization code (RFC 6749 §4.1.3, RFC 7636
// §4.5, RFC 8707 §2).
func (s *Server) exchangeCode(r *http.Request, client store.Client) (tokenResponse, error) {
	ctx := r.Context()
	f := r.PostForm
	code, verifier := f.Get("code"), f.Get("code_verifier")
	if code == "" {
		return tokenResponse{}, badRequest(codeInvalidRequest, "code is missing")
	}
	if verifier == "" {
		return tokenResponse{}, badRequest(codeInvalidRequest, "code_verifier is missing (PKCE is required)")
	}
	ac, err := s.cfg.Store.GetAuthCode(ctx, store.Hash(code))
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, invalidGrant("the code is unknown or expired")
	}
	if err != nil {
		return tokenResponse{}, fmt.Errorf("get code: %w", err)
	}
	now := s.now()
	// The code is bound to its client, redirect URI and resource. Each
	// check fails the same way so the response tells an attacker nothing.
	// A wrong verifier consumes nothing: the code stays redeemable by the
	// client that holds the right one, and nothing is revoked.
	switch {
	case ac.ClientID != client.ID:
		return tokenResponse{}, invalidGrant("the code was issued to another client")
	case !now.Before(ac.ExpiresAt):
		return tokenResponse{}, invalidGrant("the code is unknown or expired")
	case redirectURIMismatch(f, ac, client):
		return tokenResponse{}, invalidGrant("redirect_uri does not match the authorization request")
	case f.Get("resource") != "" && !s.isOurResource(f.Get("resource")):
		return tokenResponse{}, badRequest(codeInvalidTarget, "resource must be "+s.cfg.Resource)
	case !verifyPKCE(ac.Challenge, verifier):
		return tokenResponse{}, invalidGrant("code_verifier does not match the code challenge")
	}
	if !ac.UsedAt.IsZero() {
		return tokenResponse{}, s.codeReplayed(r, ac)
	}
	g := store.Grant{ID: newID(), UserID: ac.UserID, ClientID: client.ID, Scopes: ac.Scopes,
		Resource: ac.Resource, Connections: ac.Connections, CreatedAt: now}
	resp, access, refresh := s.newPair(now, g, s.AccessTTL(client), clientMayUse(client, grantRefreshToken))
	err = s.cfg.Store.RedeemAuthCode(ctx, ac.Hash, now, g, access, refresh)
	if errors.Is(err, store.ErrUsed) {
		// Lost a race with another redemption of the same code: a replay.
		if again, gerr := s.cfg.Store.GetAuthCode(ctx, ac.Hash); gerr == nil {
			return tokenResponse{}, s.codeReplayed(r, again)
		}
		return tokenResponse{}, invalidGrant("the code was already used")
	}
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, invalidGrant("the code is unknown or expired")
	}
	if err != nil {
		return tokenResponse{}, fmt.Errorf("redeem code: %w", err)
	}
	s.log.InfoContext(ctx, "tokens issued", "grant", "authorization_code", "client_id", client.ID, "host_id", ac.UserID)
	s.audit(r, ac.UserID, client, "token.issued", "for the authorization you gave")
	return resp, nil
}

// codeReplayed handles a second redemption of a code. RFC 6749 §4.1.2 and
// OAuth 2.1 §4.1.3: the server SHOULD revoke the tokens issued from it.
func (s *Server) codeReplayed(r *http.Request, ac store.AuthCode) error {
	if ac.GrantID != "" {
		if err := s.RevokeGrant(r.Context(), ac.GrantID); err != nil {
			s.log.ErrorContext(r.Context(), "revoke replayed grant", "err", err)
		}
	}
	s.audit(r, ac.UserID, store.Client{ID: ac.ClientID}, "code.replayed", "grant revoked")
	s.log.WarnContext(r.Context(), "authorization code replayed; grant revoked", "client_id", ac.ClientID, "host_id", ac.UserID)
	return invalidGrant("the code was already used")
}

// refresh redeems a refresh token for a new pair (OAuth 2.1 §4.3): the
// presented token is rotated; see store.Grants.RotateRefresh for the grace
// a parallel refresh gets and for reuse detection.
func (s *Server) refresh(r *http.Request, client store.Client) (tokenResponse, error) {
	ctx := r.Context()
	f := r.PostForm
	rt := f.Get("refresh_token")
	if rt == "" {
		return tokenResponse{}, badRequest(codeInvalidRequest, "refresh_token is missing")
	}
	if res := f.Get("resource"); res != "" && !s.isOurResource(res) {
		return tokenResponse{}, badRequest(codeInvalidTarget, "resource must be "+s.cfg.Resource)
	}
	old, g, err := s.cfg.Store.GetToken(ctx, store.Hash(rt))
	// RFC 6749 §6: the token must have been issued to this client. Checked
	// before the scope, so that another client's token gets the same answer
	// as an unknown one and nothing about its grant.
	if errors.Is(err, store.ErrNotFound) || (err == nil && (old.Kind != store.KindRefresh || g.ClientID != client.ID)) {
		return tokenResponse{}, invalidGrant("the refresh token is unknown, expired or revoked")
	}
	if err != nil {
		return tokenResponse{}, fmt.Errorf("get token: %w", err)
	}
	// RFC 6749 §6: the scope may be narrowed, never widened. A narrower
	// request limits the new access token; the new refresh token keeps the
	// grant's scope, as the presented one had.
	req := parseScopes(f.Get("scope"))
	if len(req) > 0 && !subset(req, g.Scopes) {
		return tokenResponse{}, badRequest(codeInvalidScope, "the requested scope exceeds the grant")
	}
	now := s.now()
	// The grant's absolute lifetime ends refreshing, however recent the
	// token (tokens issued near the end already expire with the grant).
	if !now.Before(s.grantEnd(g)) {
		return tokenResponse{}, invalidGrant("the refresh token is unknown, expired or revoked")
	}
	resp, access, refresh := s.newPair(now, g, s.AccessTTL(client), true)
	if len(req) > 0 && !subset(g.Scopes, req) {
		// In the grant's order, so that equal sets read the same.
		narrowed := slices.DeleteFunc(slices.Clone(g.Scopes), func(sc string) bool { return !slices.Contains(req, sc) })
		access.Scopes, resp.Scope = narrowed, strings.Join(narrowed, " ")
	}
	// On error the store returns no grant; keep the one read above for the audit.
	rotated, err := s.cfg.Store.RotateRefresh(ctx, store.Rotation{OldHash: old.Hash, ClientID: client.ID, Now: now,
		Grace: refreshReuseGrace, Access: access, Refresh: refresh})
	switch {
	case errors.Is(err, store.ErrReused):
		s.tokens.invalidate()
		s.audit(r, g.UserID, client, "refresh.reused", "grant revoked")
		s.log.WarnContext(ctx, "refresh token reused after rotation; grant revoked", "client_id", client.ID)
		return tokenResponse{}, invalidGrant("the refresh token was already used")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrExpired), errors.Is(err, store.ErrRevoked):
		return tokenResponse{}, invalidGrant("the refresh token is unknown, expired or revoked")
	case err != nil:
		return tokenResponse{}, fmt.Errorf("rotate refresh token: %w", err)
	}
	s.log.InfoContext(ctx, "tokens issued", "grant", "refresh_token", "client_id", client.ID, "host_id", rotated.UserID)
	s.audit(r, rotated.UserID, client, "token.issued", "by refresh")
	return resp, nil
}

// grantEnd is when the grant's absolute lifetime (Config.GrantTTL) ends.
func (s *Server) grantEnd(g store.Grant) time.Time { return g.CreatedAt.Add(s.cfg.GrantTTL) }

// newPair mints an access token for the grant's scopes, living accessTTL
// (the client's: AccessTTL), and, if withRefresh, a refresh token; neither
// outlives the grant's absolute lifetime. Only their hashes go to the
// store; the response carries the secrets once. Without a refresh token
// the returned refresh Token is zero.
func (s *Server) newPair(now time.Time, g store.Grant, accessTTL time.Duration, withRefresh bool) (tokenResponse, store.Token, store.Token) {
	end := s.grantEnd(g)
	at := newSecret(prefixAccess)
	accessExp := minTime(now.Add(accessTTL), end)
	access := store.Token{Hash: store.Hash(at), Kind: store.KindAccess, CreatedAt: now, ExpiresAt: accessExp}
	resp := tokenResponse{
		AccessToken: at, TokenType: "Bearer", ExpiresIn: int64(accessExp.Sub(now) / time.Second),
		Scope: strings.Join(g.Scopes, " "),
	}
	var refresh store.Token
	if withRefresh {
		rt := newSecret(prefixRefresh)
		refresh = store.Token{Hash: store.Hash(rt), Kind: store.KindRefresh, CreatedAt: now, ExpiresAt: minTime(now.Add(s.cfg.RefreshTTL), end)}
		resp.RefreshToken = rt
	}
	return resp, access, refresh
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
