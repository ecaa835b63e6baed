package mcpserver_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pair is what a token request returned.
type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
}

// registerClient registers a public client by RFC 7591 and returns its id.
func (e *env) registerClient(t testing.TB, name, redirect string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"client_name": name, "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"}})
	resp, err := http.Post(e.ts.URL+"/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	return reg.ClientID
}

// pkce returns a verifier and its S256 challenge.
func pkce(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 43)[:43]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// grant registers a client, has the host approve the given scope in the
// browser, redeems the code and returns the token pair.
func (e *env) grant(t testing.TB, scope string) (pair, string) {
	t.Helper()
	id := e.registerClient(t, "test client", clientRedirect)
	verifier, challenge := pkce("v")
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {clientRedirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st"},
		"resource": {e.ts.URL + "/mcp"}, "scope": {scope}}
	code := e.browserApprove(t, e.ts.URL+"/authorize?"+q.Encode(), "st", "test client")
	status, body := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {id},
		"redirect_uri": {clientRedirect}, "code_verifier": {verifier}, "resource": {e.ts.URL + "/mcp"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var p pair
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p, id
}

// token posts a form to /token and returns status and body.
func (e *env) token(t testing.TB, v url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(e.ts.URL+"/token", v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response without Cache-Control: no-store")
	}
	return resp.StatusCode, string(b)
}
