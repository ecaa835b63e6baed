package oauthpkce

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"github.com/hostgate/hostgate/store"
)

// authenticateClient identifies the client of a token or revocation request
// by the method it registered (RFC 6749 §2.3, OAuth 2.1 §2.4): HTTP Basic,
// client_secret in the body, or, for public clients, client_id alone. A
// request may use one method only.
func (s *Server) authenticateClient(r *http.Request) (store.Client, *Error) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	formID, formSecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	var id, secret, method string
	switch {
	case hasBasic && formSecret != "":
		return store.Client{}, badRequest(codeInvalidRequest, "use one client authentication method, not two")
	case hasBasic:
		// RFC 6749 §2.3.1: the credentials are form-encoded before Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(basicID)
		secret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return store.Client{}, s.invalidClient(true)
		}
		if formID != "" && formID != id {
			return store.Client{}, badRequest(codeInvalidRequest, "client_id does not match the Authorization header")
		}
		method = "client_secret_basic"
	case formSecret != "":
		id, secret, method = formID, formSecret, "client_secret_post"
	default:
		id, method = formID, "none"
	}
	if id == "" {
		return store.Client{}, s.invalidClient(false)
	}
	client, err := s.lookupClient(r.Context(), id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, errClientMetadata) {
			s.log.ErrorContext(r.Context(), "lookup client", "err", err)
			return store.Client{}, errorf(http.StatusInternalServerError, codeServerError, "")
		}
		return store.Client{}, s.invalidClient(hasBasic)
	}
	if client.AuthMethod != method {
		return store.Client{}, s.invalidClient(hasBasic)
	}
	if method != "none" {
		got := store.Hash(secret)
		if client.SecretHash == "" || subtle.ConstantTimeCompare([]byte(got), []byte(client.SecretHash)) != 1 {
			return store.Client{}, s.invalidClient(hasBasic)
		}
	}
	return client, nil
}

// invalidClient is RFC 6749 §5.2's invalid_client: 401, with a Basic
// challenge when the client tried Basic.
func (s *Server) invalidClient(basic bool) *Error {
	e := errorf(http.StatusUnauthorized, codeInvalidClient, "client authentication failed")
	e.basic = basic
	return e
}
