package oauthpkce

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hostgate/hostgate/store"
)

// handleRevoke is RFC 7009 token revocation. The client authenticates as at
// the token endpoint and may revoke only its own tokens. Revoking a refresh
// token revokes its grant, and so every access token of it (RFC 7009 §2.1).
// An unknown token is not an error (§2.2).
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) error {
	client, err := s.clientRequest(w, r)
	if err != nil {
		return err
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		return badRequest(codeInvalidRequest, "token is missing")
	}
	switch hint := r.PostForm.Get("token_type_hint"); hint {
	case "", "access_token", "refresh_token":
	default:
		return badRequest(codeUnsupportedTokenType, "token_type_hint must be access_token or refresh_token")
	}
	t, g, err := s.cfg.Store.GetToken(r.Context(), store.Hash(tok))
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("get token: %w", err)
	case g.ClientID != client.ID:
		// RFC 7009 §2.1: not this client's token; say nothing about it.
	case t.Kind == store.KindRefresh:
		if err := s.RevokeGrant(r.Context(), g.ID); err != nil {
			return err
		}
		s.audit(r, g.UserID, client, "grant.revoked", "by client")
	default:
		if err := s.cfg.Store.RevokeToken(r.Context(), t.Hash, s.now()); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		s.tokens.invalidate()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

// RevokeGrant revokes a grant and everything issued under it; the next MCP
// request with one of its tokens is refused.
func (s *Server) RevokeGrant(ctx context.Context, grantID string) error {
	err := s.cfg.Store.RevokeGrant(ctx, grantID, s.now())
	s.tokens.invalidate()
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("oauthpkce: revoke grant: %w", err)
	}
	return nil
}

// RevokeClient revokes every grant a host gave a client and forgets the
// approval, so the client must ask again. Its tokens stop working on the
// next request.
func (s *Server) RevokeClient(ctx context.Context, userID, clientID string) error {
	_, err := s.cfg.Store.RevokeClient(ctx, userID, clientID, s.now())
	s.tokens.invalidate()
	if err != nil {
		return fmt.Errorf("oauthpkce: revoke client: %w", err)
	}
	return nil
}
