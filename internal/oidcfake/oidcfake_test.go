package oidcfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	testClient   = "client-1"
	testSecret   = "secret-1"
	testRedirect = "http://127.0.0.1:1/callback"
)

func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{ClientID: testClient, ClientSecret: testSecret, RedirectURI: testRedirect,
		User: User{Subject: "sub", Email: "a@example.com", EmailVerified: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// code runs the authorize decision and returns the code issued for the
// challenge of verifier.
func code(t *testing.T, s *Server, verifier string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	resp, err := noFollow.PostForm(s.Issuer()+"/authorize", url.Values{
		"client_id": {testClient}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"st"}, "nonce": {"n"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "decision": {"allow"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Query().Get("state") != "st" || loc.Query().Get("iss") != s.Issuer() {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	return loc.Query().Get("code")
}

// TestTokenEndpointChecks: the token endpoint redeems a code once, for
// its client with the right secret, redirect URI and PKCE verifier.
func TestTokenEndpointChecks(t *testing.T) {
	s := start(t)
	verifier := strings.Repeat("v", 43)
	for _, tt := range []struct {
		name   string
		mod    func(url.Values)
		status int
		err    string
	}{
		{"wrong secret", func(v url.Values) { v.Set("client_secret", "nope") }, http.StatusUnauthorized, "invalid_client"},
		{"wrong client", func(v url.Values) { v.Set("client_id", "other") }, http.StatusUnauthorized, "invalid_client"},
		{"wrong redirect URI", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:2/cb") }, http.StatusBadRequest, "invalid_grant"},
		{"wrong verifier", func(v url.Values) { v.Set("code_verifier", strings.Repeat("w", 43)) }, http.StatusBadRequest, "invalid_grant"},
		{"no verifier", func(v url.Values) { v.Del("code_verifier") }, http.StatusBadRequest, "invalid_grant"},
		{"unknown code", func(v url.Values) { v.Set("code", "made-up") }, http.StatusBadRequest, "invalid_grant"},
		{"fine", func(url.Values) {}, http.StatusOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, s, verifier)}, "redirect_uri": {testRedirect},
				"client_id": {testClient}, "client_secret": {testSecret}, "code_verifier": {verifier}}
			tt.mod(v)
			resp, err := http.PostForm(s.Issuer()+"/token", v)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tt.status || tt.err != "" && body["error"] != tt.err {
				t.Fatalf("%d %v, want %d %s", resp.StatusCode, body, tt.status, tt.err)
			}
			if tt.err == "" {
				if idt, _ := body["id_token"].(string); strings.Count(idt, ".") != 2 {
					t.Fatalf("no ID token: %v", body)
				}
				// The code is used once.
				resp, err := http.PostForm(s.Issuer()+"/token", v)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("second redemption: %d", resp.StatusCode)
				}
			}
		})
	}
}

// TestAuthorizeRefusesUnknownRedirect: a wrong client or redirect URI
// gets an error page, never a redirect.
func TestAuthorizeRefusesUnknownRedirect(t *testing.T) {
	s := start(t)
	for _, q := range []url.Values{
		{"client_id": {"other"}, "redirect_uri": {testRedirect}},
		{"client_id": {testClient}, "redirect_uri": {"http://evil.example/cb"}},
	} {
		q.Set("response_type", "code")
		resp, err := noFollow.Get(s.Issuer() + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Fatalf("%v: %d %s", q, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}
