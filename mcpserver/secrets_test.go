package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestNoVendorSecretInClear connects every vendor every way the sandbox
// allows — personal tokens, account id and API key, machine client, and
// the OAuth sign-ins of Hostex, Hospitable and HoxtonAI — drives tools over
// all of them, with refreshes, re-mints, rotations and vendor failures, and
// then searches the SQLite database files (main, WAL and shared memory),
// everything hostgate logged at debug level, every tool result, and the
// activity log (its rows, the host's activity page and its CSV and
// JSON-lines exports) for each vendor credential that passed through and
// each of hostgate's own secrets (tokens, the authorization code and PKCE
// verifier, the host's password, the browser's cookies): none may appear
// in clear.
func TestNoVendorSecretInClear(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	ctx := context.Background()
	secrets := map[string]string{} // value → what it is
	add := func(what, v string) {
		t.Helper()
		if v == "" {
			t.Fatalf("%s is empty: the test would prove nothing", what)
		}
		secrets[v] = what
	}
	// capture records the credential a connection holds now.
	capture := func(c store.Connection, when string) {
		t.Helper()
		cred := e.credOf(t, c.ID)
		add(c.Vendor+" access token "+when, cred.AccessToken)
		if cred.RefreshToken != "" {
			add(c.Vendor+" refresh token "+when, cred.RefreshToken)
		}
		if cred.ClientSecret != "" {
			add(c.Vendor+" client secret "+when, cred.ClientSecret)
		}
	}

	// The fixed sandbox credentials, and hostgate's own OAuth client
	// secrets at the vendors.
	add("Hostex writable token", sandbox.HostexWritableToken)
	add("Hostex read-only token", sandbox.HostexReadOnlyToken)
	add("Hospitable PAT", sandbox.HospitablePAT)
	add("Hostaway API key", sandbox.HostawayAPIKey)
	add("HoxtonAI M2M client secret", sandbox.HoxtonAIM2MClientSecret)
	add("Hostex partner client secret", sandbox.HostexClientSecret)
	add("Hospitable client secret", sandbox.HospitableClientSecret)
	add("HoxtonAI web client secret", sandbox.HoxtonAIClientSecret)

	// The token and API-key connections the sandbox env made.
	for _, c := range e.hostConns(t) {
		capture(c, "at connect")
	}
	// Hostex read-only by the token form (in place), then every OAuth
	// vendor through its authorize page.
	b, p := e.hostBrowser(t)
	p = b.Get("/connections/new?vendor=hostex&kind=token")
	if p = b.Submit(p.Form(t, "/connections/new"), map[string][]string{"access_token": {sandbox.HostexReadOnlyToken}}); p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("hostex read-only token: %d", p.Resp.StatusCode)
	}
	for _, vendor := range []string{"hostex", "hospitable", "hoxtonai"} {
		cb, page := e.connectOAuth(t, b, p, vendor)
		if page.URL.RequestURI() != "/connections?done=connected" {
			t.Fatalf("%s OAuth ended on %s (%d)", vendor, page.URL, page.Resp.StatusCode)
		}
		add(vendor+" authorization code", cb.Query().Get("code"))
		add(vendor+" state", cb.Query().Get("state"))
		p = page
	}
	for _, c := range e.hostConns(t) {
		if c.AuthKind == store.AuthOAuth {
			capture(c, "after OAuth")
		}
	}
	if n := len(e.hostConns(t)); n != 5 {
		t.Fatalf("%d connections, want 5 (four vendors, two HoxtonAI logins)", n)
	}

	// An app, and tools over every account: reads, a write, renewals
	// forced by vendor 401s and by refresh_connection, and failures.
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	tok, _ := f.tokens.GetToken(ctx)
	add("hostgate access token", tok.AccessToken)
	add("hostgate refresh token", tok.RefreshToken)
	add("hostgate authorization code", f.code)
	add("hostgate PKCE verifier", f.verifier)
	add("host password", hostPassword)
	var outputs strings.Builder
	call := func(name string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := f.client.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw, _ := json.Marshal(res)
		outputs.Write(raw)
		outputs.WriteByte('\n')
		return res
	}
	structured := func(res *mcp.CallToolResult, out any) {
		t.Helper()
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil || res.IsError {
			t.Fatalf("tool result %s: %v", b, err)
		}
	}
	var conns tools.ListConnectionsOut
	structured(call("list_connections", nil), &conns)
	if len(conns.Connections) != 5 {
		t.Fatalf("list_connections = %+v", conns.Connections)
	}
	call("list_properties", nil)
	call("list_reservations", nil)
	call("list_reviews", nil)
	var sites tools.SitesOut
	structured(call("list_sites", nil), &sites)
	call("get_footfall", map[string]any{"site_id": sites.Sites[0].ID})
	var convs tools.ConversationsOut
	structured(call("list_conversations", map[string]any{"vendor": "hostex"}), &convs)
	call("get_messages", map[string]any{"conversation_id": convs.Conversations[0].ID})
	call("send_message", map[string]any{"conversation_id": convs.Conversations[0].ID, "body": "See you at 4pm."})
	for _, v := range e.sandbox.Vendors() {
		v.Fail(sandbox.Fault{Status: http.StatusUnauthorized})
	}
	call("list_properties", nil)
	call("list_sites", nil)
	for _, c := range conns.Connections {
		call("refresh_connection", map[string]any{"connection_id": c.ID})
	}
	for _, c := range e.hostConns(t) {
		capture(c, "after renewals")
	}
	e.sandbox.Hostaway.Fail(sandbox.Fault{Path: "/listings", Status: http.StatusInternalServerError, Times: -1})
	e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Status: http.StatusTooManyRequests, RetryAfter: "12"})
	e.sandbox.Hospitable.RotateRefreshTokensOutOfBand()
	e.sandbox.Hospitable.ExpireAccessTokens()
	call("list_properties", nil)
	e.sandbox.Hostaway.ClearFaults()
	if !strings.Contains(outputs.String(), "/connections?reconnect=") || !strings.Contains(outputs.String(), "try again in 12 s") {
		t.Fatalf("the failures did not reach the tool results:\n%s", outputs.String())
	}
	// Finally a disconnect, which revokes at the vendor.
	call("disconnect_vendor", map[string]any{"connection_id": e.onlyConn(t, "hostex").ID})

	// The activity log, as the host reads and downloads it, and as stored
	// (every host's rows, and those of no host, such as registrations).
	var activity strings.Builder
	for _, path := range []string{"/activity", "/activity?what=accounts", "/activity/export?format=csv", "/activity/export?format=jsonl"} {
		page := b.Get(path)
		if page.Resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, page.Resp.StatusCode)
		}
		activity.WriteString(page.Body)
	}
	for _, user := range []string{e.host.ID, ""} {
		rows, err := e.store.ListActivity(ctx, user, store.ActivityFilter{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(rows)
		activity.Write(raw)
	}
	for _, c := range b.Client.Jar.Cookies(mustURL(t, e.ts.URL+"/")) {
		add("browser cookie "+c.Name, c.Value)
	}
	// A control: the log holds what the tools did and what was written.
	for _, want := range []string{"See you at 4pm.", "send_message", "disconnect_vendor", "needs_reauth", "token.issued", "signin"} {
		if !strings.Contains(activity.String(), want) {
			t.Fatalf("the activity log lacks %q: is it recorded?", want)
		}
	}

	// The database files, with the activity log written out.
	if err := e.srv.FlushActivity(ctx); err != nil {
		t.Fatal(err)
	}
	db := e.db.Contents(t)
	// A control: the search sees the rows (labels are stored in clear).
	if !strings.Contains(string(db), "Hospitable sandbox") {
		t.Fatal("the connection labels are not in the database bytes: is this the right file?")
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "vendor token refreshed") || !strings.Contains(logs, "connection needs the host to reconnect") {
		t.Fatalf("the logs lack the refresh and reauth events: is logging captured?")
	}
	if len(secrets) < 25 {
		t.Fatalf("only %d distinct secrets collected", len(secrets))
	}
	for s, what := range secrets {
		if strings.Contains(string(db), s) {
			t.Errorf("the database files contain the %s in clear", what)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain the %s", what)
		}
		if strings.Contains(outputs.String(), s) {
			t.Errorf("a tool result contains the %s", what)
		}
		if strings.Contains(activity.String(), s) {
			t.Errorf("the activity log (rows, page or export) contains the %s", what)
		}
	}
}
