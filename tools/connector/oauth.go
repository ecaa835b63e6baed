package connector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// A vendor's OAuth, hostgate as its client. x/oauth2 builds the authorize
// URL and speaks to every token endpoint that follows RFC 6749 (a form in,
// the standard JSON out). A vendor whose endpoint takes JSON instead
// (OAuth.TokenJSON) gets the same parameters posted as one JSON object
// through its Client, and its answer parsed by the one parser here,
// tokenResponse. Either way a failure is read by the vendor's API as any
// answer of it is, so it maps to the same *APIError with the same secrets
// cut.

// AuthCodeURL returns the vendor's authorization URL for one connect flow:
// response_type=code, hostgate's client id, the redirect URI, the scopes,
// state and the vendor's extra parameters (AuthParams) and, where the
// vendor takes PKCE, an S256 challenge (RFC 7636) of a fresh verifier,
// returned for the code exchange; "" otherwise.
func (o *OAuth) AuthCodeURL(state, redirectURI string) (authURL, verifier string) {
	if o.OmitRedirectURI {
		redirectURI = ""
	}
	opts := make([]oauth2.AuthCodeOption, 0, len(o.AuthParams)+1)
	if o.PKCE {
		verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	for k, v := range o.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return o.config(redirectURI).AuthCodeURL(state, opts...), verifier
}

// config is the x/oauth2 view of hostgate's registration. The client
// authenticates with its secret in the request body (client_secret_post),
// named outright: left to guess, x/oauth2 would try Basic first and send a
// refused grant twice.
func (o *OAuth) config(redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: redirectURI, Scopes: o.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: o.AuthURL, TokenURL: o.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
}

// usable says why the OAuth client cannot be used for op, or nil.
func (o *OAuth) usable(vendor, op string) error {
	if !o.Configured() {
		return fmt.Errorf("%s: %s: no OAuth client is configured: %w", vendor, op, ErrUnsupported)
	}
	return nil
}

// ExchangeCode redeems an authorization code (RFC 6749 §4.1.3) with the
// PKCE verifier and the redirect URI the authorization used, each sent
// only when set. It returns the credential and, when the vendor sent one,
// the OpenID Connect ID token, for the vendor package to verify.
func ExchangeCode(ctx context.Context, s *Spec, api API, code, verifier, redirectURI string) (cred Credential, idToken string, err error) {
	const op = "exchange code"
	if err := s.OAuth.usable(s.Name, op); err != nil {
		return Credential{}, "", err
	}
	if code == "" {
		return Credential{}, "", fmt.Errorf("%s: %s: no authorization code: %w", s.Name, op, ErrBadRequest)
	}
	secrets := []string{code, verifier}
	if s.OAuth.OmitRedirectURI {
		redirectURI = ""
	}
	if s.OAuth.TokenJSON {
		p := map[string]string{"grant_type": "authorization_code", "code": code}
		if redirectURI != "" {
			p["redirect_uri"] = redirectURI
		}
		if verifier != "" {
			p["code_verifier"] = verifier
		}
		return postToken(ctx, s, api, op, p, secrets)
	}
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	cfg := s.OAuth.config(redirectURI)
	return fetchToken(ctx, s, api, op, secrets, func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.Exchange(ctx, code, opts...)
	})
}

// RefreshGrant renews an OAuth credential with its refresh token (RFC 6749
// §6). A refresh token the vendor does not rotate is kept with its expiry;
// a rotated one replaces it, its lifetime unknown unless the vendor's
// package knows it. The granted scope stays when the answer names none.
// An error is as RenewalError returns it; a credential without a refresh
// token (a personal token) needs the host.
func RefreshGrant(ctx context.Context, s *Spec, api API, c Credential) (Credential, error) {
	const op = "refresh token"
	if c.RefreshToken == "" {
		return Credential{}, fmt.Errorf("%s: the access token was refused and cannot be renewed: %w", s.Name, ErrNeedsReauth)
	}
	if err := s.OAuth.usable(s.Name, op); err != nil {
		return Credential{}, err
	}
	var (
		fresh Credential
		err   error
	)
	if s.OAuth.TokenJSON {
		fresh, _, err = postToken(ctx, s, api, op, map[string]string{"grant_type": "refresh_token", "refresh_token": c.RefreshToken}, c.secrets())
	} else {
		cfg := s.OAuth.config("")
		fresh, _, err = fetchToken(ctx, s, api, op, c.secrets(), func(ctx context.Context) (*oauth2.Token, error) {
			return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: c.RefreshToken}).Token()
		})
	}
	if err != nil {
		return Credential{}, RenewalError(err)
	}
	if fresh.RefreshToken == "" || fresh.RefreshToken == c.RefreshToken {
		fresh.RefreshToken, fresh.RefreshExpiry = c.RefreshToken, c.RefreshExpiry
	}
	fresh.Scope = cmp.Or(fresh.Scope, c.Scope)
	return fresh, nil
}

// ClientCredentials is a host's own API client, from which tokens are
// minted by RFC 6749's client-credentials grant (§4.4): Hostaway's account
// id and API key, a HoxtonAI machine-to-machine client.
type ClientCredentials struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
	// Params are the vendor's extra parameters (HoxtonAI's audience).
	Params url.Values
}

// Mint gets a token through x/oauth2's clientcredentials. The credential
// keeps the client id and secret, to mint the next one from, and the scope
// granted (else the one asked for).
func (g ClientCredentials) Mint(ctx context.Context, s *Spec, api API) (Credential, error) {
	if g.TokenURL == "" {
		return Credential{}, fmt.Errorf("%s: mint token: no token endpoint: %w", s.Name, ErrUnsupported)
	}
	cfg := clientcredentials.Config{ClientID: g.ClientID, ClientSecret: g.ClientSecret, TokenURL: g.TokenURL,
		Scopes: g.Scopes, EndpointParams: g.Params, AuthStyle: oauth2.AuthStyleInParams}
	cred, _, err := fetchToken(ctx, s, api, "mint token", []string{g.ClientSecret}, cfg.Token)
	if err != nil {
		return Credential{}, err
	}
	cred.ClientID, cred.ClientSecret = g.ClientID, g.ClientSecret
	cred.Scope = cmp.Or(cred.Scope, strings.Join(g.Scopes, " "))
	return cred, nil
}

// RevokeToken asks the vendor to forget a token and its grant: RFC 7009's
// parameters (hostgate's client id and secret, the token) as one JSON
// object posted to OAuth.RevokeURL, as Hostex documents and Auth0 takes.
func RevokeToken(ctx context.Context, s *Spec, api API, token string, secrets ...string) error {
	const op = "revoke token"
	if err := s.OAuth.usable(s.Name, op); err != nil {
		return err
	}
	if s.OAuth.RevokeURL == "" {
		return fmt.Errorf("%s: %s: no revocation endpoint: %w", s.Name, op, ErrUnsupported)
	}
	body := map[string]string{"client_id": s.OAuth.ClientID, "client_secret": s.OAuth.ClientSecret, "token": token}
	c := NewClient(s, nil, api)
	return c.Do(ctx, Request{Op: op, Method: http.MethodPost, URL: s.OAuth.RevokeURL, Body: body,
		Secrets: append(secrets, token)}, nil)
}

// RenewalError is a failed renewal's error as Spec.Refresh returns it:
// wrapped with ErrNeedsReauth when the vendor refused the grant or the
// request for it (ErrUnauthorized, ErrForbidden, ErrBadRequest), which no
// retry repairs; as it is when the vendor failed or was busy, or the
// caller gave up.
func RenewalError(err error) error {
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrBadRequest) {
		return fmt.Errorf("%w: %w", ErrNeedsReauth, err)
	}
	return err
}

// tokenResponse is RFC 6749 §5.1's token response as the vendors whose
// endpoint takes JSON send it: in the body (Hospitable) or as their
// envelope's data (Hostex).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	IDToken      string `json:"id_token"`
}

// postToken sends a token request the JSON way (OAuth.TokenJSON):
// parameters p with hostgate's client id and secret, as one JSON object,
// through the vendor's Client; the vendor's API reads the answer.
func postToken(ctx context.Context, s *Spec, api API, op string, p map[string]string, secrets []string) (Credential, string, error) {
	p["client_id"], p["client_secret"] = s.OAuth.ClientID, s.OAuth.ClientSecret
	now := s.Now()
	var t tokenResponse
	c := NewClient(s, nil, api)
	if err := c.Do(ctx, Request{Op: op, Method: http.MethodPost, URL: s.OAuth.TokenURL, Body: p, Secrets: secrets}, &t); err != nil {
		return Credential{}, "", err
	}
	if t.AccessToken == "" {
		return Credential{}, "", Malformed(s.Name, op, http.StatusOK, "malformed token response")
	}
	cred := Credential{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Scope: t.Scope}
	if t.ExpiresIn > 0 {
		cred.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return cred, t.IDToken, nil
}

// fetchToken runs one x/oauth2 token request through the vendor's HTTP
// client and returns the token as a credential, its lifetime read on the
// Spec's clock, with its ID token if any.
func fetchToken(ctx context.Context, s *Spec, api API, op string, secrets []string, fetch func(context.Context) (*oauth2.Token, error)) (Credential, string, error) {
	now := s.Now()
	// Token requests count against the vendor's limits too (Hostaway's
	// mints against the address [C]); they carry no account's credential.
	if err := s.Budget.spend(ctx, s.Name, Request{Op: op, Method: http.MethodPost}, Credential{}, s.Metrics); err != nil {
		return Credential{}, "", err
	}
	tok, err := fetch(context.WithValue(ctx, oauth2.HTTPClient, tokenHTTPClient(s)))
	if err != nil {
		return Credential{}, "", tokenError(ctx, s, api, op, err, secrets)
	}
	cred := Credential{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	if secs := expiresIn(tok); secs > 0 {
		cred.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	cred.Scope, _ = tok.Extra("scope").(string)
	idToken, _ := tok.Extra("id_token").(string)
	return cred, idToken, nil
}

// expiresIn is the token's lifetime in seconds as the vendor sent it, for
// the Spec's clock to time: x/oauth2 times Expiry on its own clock, and
// its clientcredentials package keeps only that.
func expiresIn(tok *oauth2.Token) int64 {
	if tok.ExpiresIn > 0 {
		return tok.ExpiresIn
	}
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// tokenError maps an x/oauth2 failure as Client maps any: a refusal is
// read by the vendor's API, a transport failure names no URL, an answer
// x/oauth2 could not read is malformed.
func tokenError(ctx context.Context, s *Spec, api API, op string, err error, secrets []string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		resp := Response{Status: re.Response.StatusCode, Header: re.Response.Header, Body: re.Body}
		reply := api.Read(resp, nil)
		if reply.Err == nil {
			// A 2xx carrying an RFC 6749 error code, which x/oauth2 refuses.
			reply = Reply{Err: ErrBadRequest, Status: resp.Status, Message: re.ErrorCode}
		}
		return failure(s, op, resp, reply, secrets)
	}
	if ue := (*url.Error)(nil); ctx.Err() != nil || errors.As(err, &ue) {
		return transportError(ctx, s.Name, op, 0, "connection failed", err)
	}
	return Malformed(s.Name, op, http.StatusOK, "malformed token response")
}

// tokenHTTPClient is the vendor's HTTP client as x/oauth2 uses it: its
// timeouts and redirect rule, and on every token request the headers Send
// sets plus Cache-Control: no-cache, so that no cache on the way answers.
func tokenHTTPClient(s *Spec) *http.Client {
	hc := *s.HTTP
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = tokenTransport{base: base, spec: s}
	return &hc
}

// tokenTransport also counts each token request in the vendor's metrics,
// as Send counts the others: the time to the answer's headers (x/oauth2
// reads the small body itself).
type tokenTransport struct {
	base http.RoundTripper
	spec *Spec
}

func (t tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context()) // a RoundTripper leaves the caller's request alone
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cache-Control", "no-cache")
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.spec.Metrics.VendorRequestFailed(t.spec.Name, req.Context().Err() != nil, time.Since(start))
		return nil, err
	}
	t.spec.Metrics.VendorRequest(t.spec.Name, resp.StatusCode, time.Since(start))
	return resp, nil
}
