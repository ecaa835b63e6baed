package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

const clientRedirect = "http://127.0.0.1:51234/callback"

// TestEndToEnd drives the real mcp-go client through hostgate's whole
// flow: 401 → discovery → registration → PKCE → sign-in → consent → token →
// tools/call → access-token expiry → refresh (rotated) → tools/call, once
// pinned to protocol 2025-11-25 (what Claude and Cursor speak) and once on
// the client's default (2026-07-28, stateless).
func TestEndToEnd(t *testing.T) {
	for _, tc := range []struct{ name, pin string }{
		{"pinned 2025-11-25", "2025-11-25"},
		{"client default", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			f := e.authorize(t, tc.pin)
			defer f.client.Close()
			ctx := context.Background()

			who := callWhoami(t, f.client)
			if who.Host.Username != hostName || who.Client.Name != "e2e client" || strings.Join(who.Scopes, " ") != "read write" {
				t.Fatalf("whoami = %+v", who)
			}

			// The access token expires (server clock), and is refused.
			first, _ := f.tokens.GetToken(ctx)
			e.clock.Advance(61 * time.Minute)
			resp := postMCP(t, e.ts.URL+"/mcp", first.AccessToken, `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("expired token: status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			// The client sees its token expire too and refreshes it.
			f.tokens.expire()
			who = callWhoami(t, f.client)
			if who.Host.Username != hostName {
				t.Fatalf("whoami after refresh = %+v", who)
			}
			second, _ := f.tokens.GetToken(ctx)
			if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken || second.RefreshToken == "" {
				t.Fatal("refresh did not rotate both tokens")
			}
			if f.tokens.saves < 2 {
				t.Fatalf("token store saved %d times, want the first pair and the refreshed one", f.tokens.saves)
			}
		})
	}
}

// flow is an authorized mcp-go client.
type flow struct {
	client   *client.Client
	tokens   *tokenStore
	clientID string
	// code and verifier are the authorization code and PKCE verifier the
	// flow used, for the tests that search for secrets.
	code, verifier string
}

// authorize runs the flow up to an initialized client, asserting each step.
func (e *env) authorize(t testing.TB, pin string) flow {
	t.Helper()
	ctx := context.Background()
	mcpURL := e.ts.URL + "/mcp"

	// 1. No token: 401 naming the protected-resource metadata and scopes.
	resp := postMCP(t, mcpURL, "", `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: status %d", resp.StatusCode)
	}
	prmURL := challengeParam(resp.Header.Get("WWW-Authenticate"), "resource_metadata")
	if prmURL != e.ts.URL+"/.well-known/oauth-protected-resource/mcp" {
		t.Fatalf("resource_metadata = %q", prmURL)
	}
	if got := challengeParam(resp.Header.Get("WWW-Authenticate"), "scope"); got != "read write" {
		t.Fatalf("challenge scope = %q", got)
	}

	// 2. Discovery.
	var prm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	getJSON(t, prmURL, &prm)
	if prm.Resource != mcpURL || len(prm.AuthorizationServers) != 1 || prm.AuthorizationServers[0] != e.ts.URL {
		t.Fatalf("protected resource metadata = %+v", prm)
	}
	var asm struct {
		Issuer  string   `json:"issuer"`
		Methods []string `json:"code_challenge_methods_supported"`
	}
	getJSON(t, e.ts.URL+"/.well-known/oauth-authorization-server", &asm)
	if asm.Issuer != e.ts.URL || len(asm.Methods) != 1 || asm.Methods[0] != "S256" {
		t.Fatalf("authorization server metadata = %+v", asm)
	}

	// 3. The mcp-go client learns it must authorize.
	tokens := &tokenStore{MemoryTokenStore: transport.NewMemoryTokenStore()}
	c, err := client.NewOAuthStreamableHttpClient(mcpURL, client.OAuthConfig{
		RedirectURI: clientRedirect, TokenStore: tokens, PKCEEnabled: true,
		ProtectedResourceMetadataURL: prmURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = c.Initialize(ctx, initRequest(pin))
	if !client.IsOAuthAuthorizationRequiredError(err) {
		t.Fatalf("initialize without token: %v, want OAuth authorization required", err)
	}
	h := client.GetOAuthHandler(err)

	// 4. Dynamic registration.
	if err := h.RegisterClient(ctx, "e2e client"); err != nil {
		t.Fatalf("register: %v", err)
	}
	clientID := h.GetClientID()
	reg, err := e.store.GetClient(ctx, clientID)
	if err != nil || reg.Name != "e2e client" || reg.RedirectURIs[0] != clientRedirect {
		t.Fatalf("registered client = %+v, %v", reg, err)
	}

	// 5. PKCE authorization request.
	verifier, _ := client.GenerateCodeVerifier()
	challenge := client.GenerateCodeChallenge(verifier)
	state, _ := client.GenerateState()
	authURL, err := h.GetAuthorizationURL(ctx, state, challenge)
	if err != nil {
		t.Fatal(err)
	}
	q := mustURL(t, authURL).Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != challenge || q.Get("resource") != mcpURL {
		t.Fatalf("authorize URL = %s", authURL)
	}

	// 6. The browser: sign in, consent.
	code := e.browserApprove(t, authURL, state, "e2e client")

	// 7. Token.
	if err := h.ProcessAuthorizationResponse(ctx, code, state, verifier); err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	tok, err := tokens.GetToken(ctx)
	if err != nil || !strings.HasPrefix(tok.AccessToken, "hga_") || !strings.HasPrefix(tok.RefreshToken, "hgr_") || tok.ExpiresIn != 3600 {
		t.Fatalf("token = %+v, %v", tok, err)
	}

	// 8. Initialize with the token.
	res, err := c.Initialize(ctx, initRequest(pin))
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if pin != "" && res.ProtocolVersion != pin {
		t.Fatalf("protocol = %q, want %q", res.ProtocolVersion, pin)
	}
	if res.ServerInfo.Name != "hostgate" {
		t.Fatalf("server info = %+v", res.ServerInfo)
	}
	return flow{client: c, tokens: tokens, clientID: clientID, code: code, verifier: verifier}
}

// browserApprove plays the host: it opens the authorization URL, signs in
// on the real form, approves on the real consent form, and returns the code
// from the redirect to the client.
func (e *env) browserApprove(t testing.TB, authURL, state, clientName string) string {
	t.Helper()
	b := browsertest.New(t, e.ts.URL)
	p := b.Get(authURL)
	if p.URL.Path != "/signin" || p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize without session landed on %s (%d)", p.URL, p.Resp.StatusCode)
	}
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {hostPassword}})
	if p.URL.Path != "/authorize" || p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("after sign-in: %s (%d): %s", p.URL, p.Resp.StatusCode, p.Body)
	}
	for _, want := range []string{clientName, "127.0.0.1:51234"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("consent page does not name %q", want)
		}
	}
	if p.Resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(p.Resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("consent page framing headers: %v", p.Resp.Header)
	}
	p = b.Submit(p.Form(t, "/consent"), url.Values{"action": {"approve"}})
	if p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: status %d: %s", p.Resp.StatusCode, p.Body)
	}
	loc := mustURL(t, p.Resp.Header.Get("Location"))
	if loc.Scheme+"://"+loc.Host+loc.Path != clientRedirect {
		t.Fatalf("redirected to %s", loc)
	}
	rq := loc.Query()
	if rq.Get("state") != state || rq.Get("iss") != e.ts.URL || rq.Get("code") == "" {
		t.Fatalf("redirect query = %v", rq)
	}
	return rq.Get("code")
}

func callWhoami(t testing.TB, c *client.Client) tools.WhoamiOut {
	t.Helper()
	res, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "whoami"}})
	if err != nil {
		t.Fatalf("whoami: %v", err)
	}
	if res.IsError {
		t.Fatalf("whoami tool error: %+v", res.Content)
	}
	var out tools.WhoamiOut
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func initRequest(pin string) mcp.InitializeRequest {
	var r mcp.InitializeRequest
	r.Params.ProtocolVersion = pin
	r.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	return r
}

// tokenStore records saves and lets the test expire the client's token.
type tokenStore struct {
	*transport.MemoryTokenStore
	saves int
}

func (s *tokenStore) SaveToken(ctx context.Context, t *transport.Token) error {
	s.saves++
	return s.MemoryTokenStore.SaveToken(ctx, t)
}

func (s *tokenStore) expire() {
	tok, err := s.MemoryTokenStore.GetToken(context.Background())
	if err != nil {
		return
	}
	c := *tok
	c.ExpiresAt = time.Now().Add(-time.Minute)
	_ = s.MemoryTokenStore.SaveToken(context.Background(), &c)
}
