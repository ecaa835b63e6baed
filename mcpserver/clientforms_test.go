package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// metadataClientGrant has the host approve a client known by its client-ID
// metadata document (already fetched and stored, so no document server is
// needed) and returns the token pair and the client id, a URL.
func (e *env) metadataClientGrant(t *testing.T, docURL string) (pair, string) {
	t.Helper()
	err := e.store.PutClient(context.Background(), store.Client{ID: docURL, MetadataURL: docURL,
		MetadataExpiresAt: e.clock.Now().Add(24 * time.Hour), Name: "test client", RedirectURIs: []string{clientRedirect},
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}, AuthMethod: "none",
		CreatedAt: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	verifier, challenge := pkce("m")
	q := url.Values{"response_type": {"code"}, "client_id": {docURL}, "redirect_uri": {clientRedirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st"},
		"resource": {e.ts.URL + "/mcp"}, "scope": {"read"}}
	code := e.browserApprove(t, e.ts.URL+"/authorize?"+q.Encode(), "st", "test client")
	status, body := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {docURL},
		"redirect_uri": {clientRedirect}, "code_verifier": {verifier}, "resource": {e.ts.URL + "/mcp"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var p pair
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p, docURL
}

// TestRevokeMetadataClientOnConnectionsPage: a client whose id is its
// metadata document's URL is revoked from the connections page like any
// other (its id is escaped into the form's path), and its grant dies.
func TestRevokeMetadataClientOnConnectionsPage(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	tok, clientID := e.metadataClientGrant(t, "https://docs.example.org/oauth/client-metadata.json")
	b, p := e.hostBrowser(t)
	if !strings.Contains(p.Body, "test client") {
		t.Fatalf("the app is not listed")
	}
	p = b.Submit(p.Form(t, "/revoke"), nil)
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=revoked" {
		t.Fatalf("revoke: %s (%d)\n%s", p.URL, p.Resp.StatusCode, p.Body)
	}
	if strings.Contains(p.Body, "test client") {
		t.Errorf("the revoked app is still listed:\n%s", p.Body)
	}
	resp := postMCP(t, e.ts.URL+"/mcp", tok.AccessToken, `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("next /mcp call after revocation: %d", resp.StatusCode)
	}
	if aps, err := e.store.ListApprovals(context.Background(), e.host.ID); err != nil || len(aps) != 0 {
		t.Fatalf("approvals after revocation: %+v, %v", aps, err)
	}
	_ = clientID
}

// TestWritePolicyMetadataClient: the write-policy form works for a client
// known by its metadata URL too.
func TestWritePolicyMetadataClient(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	_, clientID := e.metadataClientGrant(t, "https://docs.example.org/oauth/client-metadata.json")
	b, p := e.hostBrowser(t)
	p = b.Submit(p.Form(t, "/policy"), url.Values{"policy": {"drafts"}})
	if p.Resp.StatusCode != http.StatusOK || !strings.Contains(p.Body, "Saved how") {
		t.Fatalf("set policy: %s (%d)\n%s", p.URL, p.Resp.StatusCode, p.Body)
	}
	ap, err := e.store.GetApproval(context.Background(), e.host.ID, clientID)
	if err != nil || ap.WritePolicy != store.WritePolicy("drafts") {
		t.Fatalf("approval %+v, %v", ap, err)
	}
}
