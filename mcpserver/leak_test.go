package mcpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
)

// TestLogsHoldNoSecrets runs full flows at debug level — a public client
// through the mcp-go client, a confidential client by hand, a failed
// sign-in, refresh, replay and revocation — and then searches everything
// hostgate logged for each code, token, password, client secret and cookie
// value it handed out or received.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	var secrets []string

	// The mcp-go client's whole flow, with a refresh.
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	tok, _ := f.tokens.GetToken(ctx)
	secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
	f.tokens.expire()
	callWhoami(t, f.client)
	tok, _ = f.tokens.GetToken(ctx)
	secrets = append(secrets, tok.AccessToken, tok.RefreshToken, hostPassword)

	// A confidential client, a wrong password first, then the code flow.
	body, _ := json.Marshal(map[string]any{"client_name": "confidential", "redirect_uris": []string{clientRedirect},
		"token_endpoint_auth_method": "client_secret_basic", "grant_types": []string{"authorization_code", "refresh_token"}})
	resp, err := http.Post(e.ts.URL+"/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct{ ClientID, ClientSecret string }
	var raw map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	reg.ClientID, _ = raw["client_id"].(string)
	reg.ClientSecret, _ = raw["client_secret"].(string)
	if reg.ClientSecret == "" {
		t.Fatalf("confidential registration returned no secret: %v", raw)
	}
	secrets = append(secrets, reg.ClientSecret)

	verifier, challenge := pkce("w")
	secrets = append(secrets, verifier)
	q := url.Values{"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {clientRedirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"s1"}}
	b := browsertest.New(t, e.ts.URL)
	p := b.Get(e.ts.URL + "/authorize?" + q.Encode())
	wrong := "wrong-password-never-logged"
	secrets = append(secrets, wrong)
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {wrong}})
	if p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", p.Resp.StatusCode)
	}
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {hostPassword}})
	p = b.Submit(p.Form(t, "/consent"), url.Values{"action": {"approve"}})
	code := mustURL(t, p.Resp.Header.Get("Location")).Query().Get("code")
	secrets = append(secrets, code)
	for _, c := range b.Client.Jar.Cookies(mustURL(t, e.ts.URL)) {
		secrets = append(secrets, c.Value)
	}

	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {clientRedirect}, "code_verifier": {verifier}}
	status, out := e.basicToken(t, reg.ClientID, reg.ClientSecret, form)
	if status != http.StatusOK {
		t.Fatalf("confidential token: %d %s", status, out)
	}
	var pr pair
	_ = json.Unmarshal([]byte(out), &pr)
	secrets = append(secrets, pr.AccessToken, pr.RefreshToken)
	// Replay the code (revokes the grant), then revoke explicitly too.
	if status, _ := e.basicToken(t, reg.ClientID, reg.ClientSecret, form); status != http.StatusBadRequest {
		t.Fatalf("replay: %d", status)
	}
	e.clock.Advance(time.Minute)
	if status, _ := e.basicToken(t, reg.ClientID, "wrong-secret-never-logged", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pr.RefreshToken}}); status != http.StatusUnauthorized {
		t.Fatalf("bad client secret: %d", status)
	}
	secrets = append(secrets, "wrong-secret-never-logged")

	logs := e.logs.String()
	if len(logs) < 500 {
		t.Fatalf("suspiciously little logged (%d bytes): is logging captured?", len(logs))
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("an empty secret was collected; the test would prove nothing")
		}
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain a secret (%d chars, starting %.6q)", len(s), s)
		}
	}
}

// basicToken posts to /token with HTTP Basic client authentication.
func (e *env) basicToken(t *testing.T, id, secret string, v url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/token", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}
