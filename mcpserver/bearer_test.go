package mcpserver_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

const toolsList = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`

// TestBearerRules covers the bearer middleware ("A tool call" in
// docs/architecture.md), one row per rule, with the exact status and
// WWW-Authenticate error.
func TestBearerRules(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	readOnly, _ := e.grant(t, "read")
	full, _ := e.grant(t, "read write")
	revoked, _ := e.grant(t, "read")
	_, g, err := e.store.GetToken(ctx, store.Hash(revoked.AccessToken))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.OAuth().RevokeGrant(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	// A token whose grant names another audience (RFC 8707): planted in
	// the store, since hostgate never issues one.
	foreign := "hga_foreign-audience-token-000000000000000000000"
	now := e.clock.Now()
	if err := e.store.CreateAuthCode(ctx, store.AuthCode{Hash: "code-x", ClientID: g.ClientID, UserID: e.host.ID,
		RedirectURI: clientRedirect, Challenge: "x", Scopes: []string{"read"}, Resource: "https://other.example/mcp",
		CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RedeemAuthCode(ctx, "code-x", now,
		store.Grant{ID: "g-foreign", UserID: e.host.ID, ClientID: g.ClientID, Scopes: []string{"read"}, Resource: "https://other.example/mcp", CreatedAt: now},
		store.Token{Hash: store.Hash(foreign), Kind: store.KindAccess, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		store.Token{Hash: store.Hash("hgr_foreign"), Kind: store.KindRefresh, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sendMessage := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"write_probe","arguments":{}}}`
	whoami := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
	mcpURL := e.ts.URL + "/mcp"
	readSession := e.initSession(t, readOnly.AccessToken)
	inSession := map[string]string{"Mcp-Session-Id": readSession}
	for _, tc := range []struct {
		name       string
		url, token string
		body       string
		headers    map[string]string
		// auth2 is a second Authorization header.
		auth2    string
		status   int
		wwwError string // the error= of WWW-Authenticate, "" for none
	}{
		{name: "no token", url: mcpURL, body: toolsList, status: 401},
		{name: "valid token", url: mcpURL, token: readOnly.AccessToken, body: toolsList, headers: inSession, status: 200},
		{name: "session of another grant", url: mcpURL, token: full.AccessToken, body: toolsList, headers: inSession, status: 404},
		{name: "session id without token", url: mcpURL, body: toolsList, headers: inSession, status: 401},
		{name: "unknown token", url: mcpURL, token: "hga_nope", body: toolsList, status: 401, wwwError: "invalid_token"},
		{name: "refresh token as bearer", url: mcpURL, token: full.RefreshToken, body: toolsList, status: 401, wwwError: "invalid_token"},
		{name: "revoked grant", url: mcpURL, token: revoked.AccessToken, body: toolsList, status: 401, wwwError: "invalid_token"},
		{name: "wrong audience", url: mcpURL, token: foreign, body: toolsList, status: 401, wwwError: "invalid_token"},
		// A query token is no token (OAuth 2.1 §5.2: never accepted in the URL).
		{name: "token in query string", url: mcpURL + "?access_token=" + readOnly.AccessToken, body: toolsList, status: 401},
		{name: "two Authorization headers", url: mcpURL, token: readOnly.AccessToken, auth2: "Bearer " + readOnly.AccessToken, body: toolsList, headers: inSession, status: 400, wwwError: "invalid_request"},
		{name: "two Authorization headers, one empty", url: mcpURL, token: readOnly.AccessToken, auth2: "", body: toolsList, headers: map[string]string{"Mcp-Session-Id": readSession, "X-Auth2": "empty"}, status: 400, wwwError: "invalid_request"},
		// JSON escapes spell tools/call and the tool's name as surely as
		// the plain bytes do; mcp-go decodes them, so must the scope check.
		{name: "escaped method", url: mcpURL, token: readOnly.AccessToken, body: `{"jsonrpc":"2.0","id":5,"method":"tools\/call","params":{"name":"write_probe","arguments":{}}}`, status: 403, wwwError: "insufficient_scope"},
		{name: "unicode-escaped method", url: mcpURL, token: readOnly.AccessToken, body: `{"jsonrpc":"2.0","id":5,"method":"\u0074ools/call","params":{"name":"write_probe","arguments":{}}}`, status: 403, wwwError: "insufficient_scope"},
		{name: "escaped tool name", url: mcpURL, token: readOnly.AccessToken, body: `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"write\u005fprobe","arguments":{}}}`, status: 403, wwwError: "insufficient_scope"},
		{name: "upper-case key, escaped method", url: mcpURL, token: readOnly.AccessToken, body: `{"jsonrpc":"2.0","id":5,"METHOD":"tools\/call","params":{"name":"write_probe","arguments":{}}}`, status: 403, wwwError: "insufficient_scope"},
		{name: "escaped method in a batch", url: mcpURL, token: readOnly.AccessToken, body: `[{"jsonrpc":"2.0","id":5,"method":"tools\/call","params":{"name":"write_probe","arguments":{}}}]`, status: 403, wwwError: "insufficient_scope"},
		{name: "escapes in another method", url: mcpURL, token: readOnly.AccessToken, body: `{"jsonrpc":"2.0","id":6,"method":"tools\/list","params":{"cursor":"a\nb"}}`, headers: inSession, status: 200},
		{name: "token in query string beside header", url: mcpURL + "?access_token=x", token: readOnly.AccessToken, body: toolsList, status: 400, wwwError: "invalid_request"},
		{name: "foreign Origin", url: mcpURL, token: readOnly.AccessToken, body: toolsList, headers: map[string]string{"Origin": "https://evil.example"}, status: 403},
		{name: "own Origin", url: mcpURL, token: readOnly.AccessToken, body: toolsList, headers: map[string]string{"Origin": e.ts.URL, "Mcp-Session-Id": readSession}, status: 200},
		{name: "rebinding Host", url: mcpURL, token: readOnly.AccessToken, body: toolsList, headers: map[string]string{"Host": "evil.example"}, status: 403},
		{name: "lower-case bearer scheme", url: mcpURL, token: "", body: toolsList, headers: map[string]string{"Authorization": "bearer " + readOnly.AccessToken, "Mcp-Session-Id": readSession}, status: 200},
		{name: "insufficient scope", url: mcpURL, token: readOnly.AccessToken, body: sendMessage, status: 403, wwwError: "insufficient_scope"},
		{name: "send_message without write", url: mcpURL, token: readOnly.AccessToken, body: `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"send_message","arguments":{"conversation_id":"hostex:1","body":"hi"}}}`, status: 403, wwwError: "insufficient_scope"},
		{name: "scope held", url: mcpURL, token: readOnly.AccessToken, body: whoami, headers: inSession, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, tc.url, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.auth2 != "" || tc.headers["X-Auth2"] == "empty" {
				req.Header.Add("Authorization", tc.auth2)
			}
			for k, v := range tc.headers {
				if k == "Host" {
					req.Host = v
					continue
				}
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			www := resp.Header.Get("WWW-Authenticate")
			if got := challengeParam(www, "error"); got != tc.wwwError {
				t.Fatalf("WWW-Authenticate error = %q, want %q (%s)", got, tc.wwwError, www)
			}
			if tc.status == 401 || tc.wwwError != "" {
				if challengeParam(www, "resource_metadata") != e.ts.URL+"/.well-known/oauth-protected-resource/mcp" {
					t.Fatalf("challenge without resource_metadata: %s", www)
				}
			}
			if tc.wwwError == "insufficient_scope" && challengeParam(www, "scope") != "read write" {
				t.Fatalf("step-up challenge scope = %q, want every scope needed", challengeParam(www, "scope"))
			}
		})
	}
}

// initSession initializes an MCP session (protocol 2025-11-25) with token
// and returns its id.
func (e *env) initSession(t testing.TB, token string) string {
	t.Helper()
	resp := postMCP(t, e.ts.URL+"/mcp", token, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`)
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(id, "hgm_") {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, id)
	}
	return id
}
