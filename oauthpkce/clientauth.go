package oauthpkce

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/store"
)

// maxFormBody caps the body of a token or revocation request.
const maxFormBody = 16 << 10

// clientRequest is the phase the token and revocation endpoints share: it
// reads the form body (capped at maxFormBody) into r.PostForm, refuses a
// parameter given twice (RFC 6749 §3.2), and authenticates the client. The
// error is an *Error to send as it is, or an internal failure.
func (s *Server) clientRequest(w http.ResponseWriter, r *http.Request) (store.Client, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if !isForm(r) {
		return store.Client{}, badRequest(codeInvalidRequest, "the body must be application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		return store.Client{}, badRequest(codeInvalidRequest, "the body could not be parsed")
	}
	for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
		if len(r.PostForm[k]) > 1 {
			return store.Client{}, badRequest(codeInvalidRequest, "parameter "+k+" is repeated")
		}
	}
	return s.authenticateClient(r)
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

// authenticateClient identifies the client of a token or revocation request
// by the method it registered (RFC 6749 §2.3, OAuth 2.1 §2.4): HTTP Basic,
// client_secret in the body, or, for public clients, client_id alone. A
// request may use one method only.
func (s *Server) authenticateClient(r *http.Request) (store.Client, error) {
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
			return store.Client{}, invalidClient(true)
		}
		if formID != "" && formID != id {
			return store.Client{}, badRequest(codeInvalidRequest, "client_id does not match the Authorization header")
		}
		method = authClientSecretBasic
	case formSecret != "":
		id, secret, method = formID, formSecret, authClientSecretPost
	default:
		id, method = formID, authNone
	}
	if id == "" {
		return store.Client{}, invalidClient(false)
	}
	client, err := s.lookupClient(r.Context(), id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, errClientMetadata) {
			return store.Client{}, fmt.Errorf("authenticate client: %w", err)
		}
		return store.Client{}, invalidClient(hasBasic)
	}
	if client.AuthMethod != method {
		return store.Client{}, invalidClient(hasBasic)
	}
	if method != authNone {
		got := store.Hash(secret)
		if client.SecretHash == "" || subtle.ConstantTimeCompare([]byte(got), []byte(client.SecretHash)) != 1 {
			return store.Client{}, invalidClient(hasBasic)
		}
	}
	return client, nil
}
