package oauthpkce

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
)

// authRequest is an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3,
// RFC 8707 §2). It travels from /authorize through sign-in to the consent
// form unchanged, and the consent form's CSRF token is bound to its digest.
type authRequest struct {
	ClientID        string
	RedirectURI     string
	ResponseType    string
	Challenge       string
	ChallengeMethod string
	State           string
	Scope           string
	Resource        string
	Prompt          string
	// redirect is where the response goes: RedirectURI, or the client's
	// only registered one when the request named none. It is set by
	// checkClient and is not a parameter: RedirectURI stays as the client
	// sent it, because RFC 6749 §4.1.3 binds the token request to that.
	redirect string
}

// authParams are the parameters an authRequest carries, in a fixed order.
var authParams = []string{"client_id", "redirect_uri", "response_type", "code_challenge",
	"code_challenge_method", "state", "scope", "resource", "prompt"}

// readAuthRequest reads the request's parameters and reports the first one
// given more than once (RFC 6749 §3.1: parameters MUST NOT repeat).
func readAuthRequest(v url.Values) (a authRequest, repeated string) {
	for _, k := range authParams {
		if len(v[k]) > 1 && repeated == "" {
			repeated = k
		}
	}
	return authRequest{
		ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), ResponseType: v.Get("response_type"),
		Challenge: v.Get("code_challenge"), ChallengeMethod: v.Get("code_challenge_method"),
		State: v.Get("state"), Scope: v.Get("scope"), Resource: v.Get("resource"), Prompt: v.Get("prompt"),
	}, repeated
}

func (a authRequest) fields() []string {
	return []string{a.ClientID, a.RedirectURI, a.ResponseType, a.Challenge, a.ChallengeMethod,
		a.State, a.Scope, a.Resource, a.Prompt}
}

// values returns the request as query parameters, omitting empty ones.
func (a authRequest) values() url.Values {
	v := url.Values{}
	for i, f := range a.fields() {
		if f != "" {
			v.Set(authParams[i], f)
		}
	}
	return v
}

// digest binds a consent form to exactly this request: each field is
// length-prefixed so no two different requests share a digest.
func (a authRequest) digest() string {
	h := sha256.New()
	for _, f := range a.fields() {
		var n [8]byte
		for i := range 8 {
			n[i] = byte(len(f) >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
