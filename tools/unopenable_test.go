package tools_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/hostex"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// openRing opens the database at path with a keyring of one key.
func openRing(t *testing.T, path, id string, fill byte) *sqlstore.Store {
	t.Helper()
	ring, err := store.NewKeyring(id, map[string][]byte{id: []byte(strings.Repeat(string(fill), store.KeySize))})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), path, ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestFanOutSkipsUnopenableConnection: a tool that asks every shared
// account still answers from the accounts that work when one account's
// saved credential cannot be decrypted; that account appears as an error
// that gives the host's reconnect link, and list_connections shows it as
// needs_reauth.
func TestFanOutSkipsUnopenableConnection(t *testing.T) {
	ctx := context.Background()
	clock := connectortest.NewClock(time.Now().UTC())
	fake := connectortest.Start(t, sandbox.NewHostex(sandbox.Options{Now: clock.Now}))
	fake.SetRateLimiting(false)
	spec := connectortest.PointAt(hostex.NewSpec(), fake, clock.Now)
	reg := connector.NewRegistry(spec)

	path := filepath.Join(t.TempDir(), "hostgate.db")
	st := openRing(t, path, "k", 'k')
	if err := st.CreateUser(ctx, store.User{ID: "u", Username: "u"}); err != nil {
		t.Fatal(err)
	}
	lc := connector.NewLifecycle(st, reg, clock.Now, nil)
	good, err := lc.Connect(ctx, connector.Connect{UserID: "u", Vendor: "hostex", Kind: store.AuthToken,
		Values: map[string]string{"access_token": sandbox.HostexWritableToken}})
	if err != nil {
		t.Fatal(err)
	}
	// A second account sealed under a key this hostgate does not hold.
	lost := store.Connection{ID: "lost", UserID: "u", Vendor: "hostex", AccountID: "other", Label: "Beach",
		AuthKind: store.AuthToken, Secret: []byte(`{"access_token":"never-shown"}`), Status: store.StatusOK, CreatedAt: clock.Now()}
	if err := openRing(t, path, "gone", 'g').CreateConnection(ctx, lost); err != nil {
		t.Fatal(err)
	}

	d := &tools.Deps{Store: st, Now: clock.Now, BaseURL: "https://hostgate.example", Registry: reg,
		Lifecycle: lc, Vendors: reg.Names(), StateKey: make([]byte, 32)}
	caller := &tools.Caller{UserID: "u", ClientID: "app", GrantID: "g", Scopes: []string{"read"},
		Connections: []string{good.ID, lost.ID}}
	call := func(name string) string {
		t.Helper()
		for _, tool := range tools.All(d) {
			if tool.Def.Name != name {
				continue
			}
			var req mcp.CallToolRequest
			req.Params.Name = name
			req.Params.Arguments = map[string]any{}
			res, err := tool.Handler(tools.WithCaller(ctx, caller), req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			text := res.Content[0].(mcp.TextContent).Text
			if res.IsError {
				t.Fatalf("%s is a tool error: %s", name, text)
			}
			return text
		}
		t.Fatalf("no tool %s", name)
		return ""
	}

	text := call("list_properties")
	var out struct {
		Properties []connector.Property `json:"properties"`
		Errors     []tools.VendorError  `json:"errors"`
	}
	if err := json.Unmarshal([]byte(text[strings.Index(text, "{"):]), &out); err != nil {
		t.Fatalf("list_properties result: %v\n%s", err, text)
	}
	if len(out.Properties) == 0 {
		t.Errorf("no properties from the account that works: %s", text)
	}
	if len(out.Errors) != 1 || out.Errors[0].ConnectionID != lost.ID || out.Errors[0].ReconnectURL == "" {
		t.Errorf("errors = %+v, want one for %s with a reconnect link", out.Errors, lost.ID)
	}
	if strings.Contains(text, "never-shown") {
		t.Error("the result quotes the undecryptable secret")
	}

	text = call("list_connections")
	if !strings.Contains(text, `"needs_reauth"`) || !strings.Contains(text, "decrypt") {
		t.Errorf("list_connections does not show the account as needing a reconnect: %s", text)
	}
}
