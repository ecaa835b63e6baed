package oauthpkce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
)

// handleAuthorize is the authorization endpoint (RFC 6749 §3.1).
//
// The order of checks matters. The client and its exact redirect URI come
// first: if either is wrong the host sees our error page and nothing is
// redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.1). Errors in the rest of the
// request are sent back to the client, but only once the host has signed
// in: before that they too show on our page, so that a client anyone can
// register cannot use hostgate as an open redirector (RFC 9700 §4.11.2).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) error {
	a, repeated := readAuthRequest(r.URL.Query())
	client, perr := s.checkClient(r.Context(), &a, repeated)
	if perr != nil {
		return perr
	}
	user, signedIn := s.cfg.Signin.User(r)
	req, oerr := s.checkRequest(client, a, repeated)
	if oerr != nil {
		if !signedIn {
			return &pageError{Status: http.StatusBadRequest, Title: "This sign-in request is not valid",
				Message: "The app sent an authorization request hostgate cannot accept: " + oerr.Description, Code: oerr.Code}
		}
		return toClient(a, oerr)
	}
	if !signedIn {
		http.Redirect(w, r, signin.SignInURL(r.URL.RequestURI()), http.StatusSeeOther)
		return nil
	}
	// A host who already approved this client for these scopes is not asked
	// again (the per-user registry of approved clients), unless the client
	// asks for the consent page with prompt=consent.
	if a.Prompt != "consent" {
		ap, err := s.cfg.Store.GetApproval(r.Context(), user.ID, client.ID)
		if err == nil && subset(req.scopes, ap.Scopes) {
			return s.approve(w, r, user, client, a, req.scopes, ap.Connections)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("get approval: %w", err)
		}
	}
	return s.consentPage(w, r, user, client, a, req)
}

// checkClient validates the client and the redirect URI. On success a's
// redirect is the URI the response will be sent to.
func (s *Server) checkClient(ctx context.Context, a *authRequest, repeated string) (store.Client, *pageError) {
	bad := func(msg string) *pageError {
		return &pageError{Status: http.StatusBadRequest, Title: "This sign-in link is not valid", Message: msg}
	}
	if repeated == "client_id" || repeated == "redirect_uri" {
		return store.Client{}, bad("The request names its " + repeated + " more than once.")
	}
	if a.ClientID == "" {
		return store.Client{}, bad("The request names no app (client_id is missing).")
	}
	client, err := s.lookupClient(ctx, a.ClientID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Client{}, bad("hostgate does not know this app. It may have been registered with an earlier installation: remove the server from your app and add it again.")
	case errors.Is(err, errClientMetadata):
		return store.Client{}, bad("The app's metadata document could not be used: " + err.Error())
	case err != nil:
		s.log.ErrorContext(ctx, "lookup client", "err", err)
		return store.Client{}, &pageError{Status: http.StatusInternalServerError, Title: "Something went wrong", Message: "hostgate could not look up this app. Try again in a moment."}
	}
	a.redirect = a.RedirectURI
	if a.RedirectURI == "" {
		// OAuth 2.1 §4.1.1: optional only when exactly one is registered.
		if len(client.RedirectURIs) != 1 {
			return store.Client{}, bad("The request names no redirect_uri, and the app registered several.")
		}
		a.redirect = client.RedirectURIs[0]
	}
	// Exact string comparison (OAuth 2.1 §4.1.3, RFC 9700 §4.1.3): no
	// prefixes, no wildcards, no normalization.
	if !redirectRegistered(client.RedirectURIs, a.redirect) {
		return store.Client{}, bad("The redirect address in the request is not one this app registered, so hostgate will not send you there.")
	}
	return client, nil
}

// validRequest is a checked authorization request.
type validRequest struct {
	scopes   []string
	resource string
}

// checkRequest validates everything but the client and redirect URI.
func (s *Server) checkRequest(client store.Client, a authRequest, repeated string) (validRequest, *Error) {
	if repeated != "" {
		return validRequest{}, badRequest(codeInvalidRequest, "parameter "+repeated+" is repeated")
	}
	if a.ResponseType != "code" {
		if a.ResponseType == "" {
			return validRequest{}, badRequest(codeInvalidRequest, "response_type is missing")
		}
		return validRequest{}, badRequest(codeUnsupportedResponseType, "only response_type=code is supported")
	}
	if !slices.Contains(client.ResponseTypes, "code") && len(client.ResponseTypes) > 0 {
		return validRequest{}, badRequest(codeUnauthorizedClient, "the client did not register response type code")
	}
	// OAuth 2.1 §4.1.1 and MCP: PKCE is required, and only S256 is offered.
	// A missing method means "plain" (RFC 7636 §4.3), which is refused.
	if a.Challenge == "" {
		return validRequest{}, badRequest(codeInvalidRequest, "code_challenge is required (PKCE with S256)")
	}
	if a.ChallengeMethod != "S256" {
		return validRequest{}, badRequest(codeInvalidRequest, "code_challenge_method must be S256")
	}
	if !validChallenge(a.Challenge) {
		return validRequest{}, badRequest(codeInvalidRequest, "code_challenge is not a valid S256 challenge")
	}
	// RFC 8707 §2: the only resource we issue tokens for is our MCP
	// endpoint. A request without one gets that resource.
	resource := s.cfg.Resource
	if a.Resource != "" {
		if !s.isOurResource(a.Resource) {
			return validRequest{}, badRequest(codeInvalidTarget, "resource must be "+s.cfg.Resource)
		}
	}
	scopes := parseScopes(a.Scope)
	if len(scopes) == 0 {
		scopes = s.scopeNames()
	}
	if bad, ok := s.unknownScope(scopes); ok {
		return validRequest{}, badRequest(codeInvalidScope, "unknown scope "+bad)
	}
	return validRequest{scopes: scopes, resource: resource}, nil
}

// values are e's parameters in an authorization error response (RFC 6749
// §4.1.2.1).
func (e *Error) values() url.Values {
	v := url.Values{"error": {e.Code}}
	if e.Description != "" {
		v.Set("error_description", e.Description)
	}
	return v
}

// redirectToClient redirects to a's redirect URI (already checked against
// the client's registered ones) with v, state and iss added to its query.
func (s *Server) redirectToClient(w http.ResponseWriter, r *http.Request, a authRequest, v url.Values) error {
	u, err := url.Parse(a.redirect)
	if err != nil {
		return &pageError{Status: http.StatusBadRequest, Title: "This sign-in link is not valid", Message: "The redirect address cannot be parsed."}
	}
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	if a.State != "" {
		q.Set("state", a.State)
	}
	q.Set("iss", s.cfg.Issuer)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
