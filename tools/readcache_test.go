package tools_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/hostex"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// cached is a host with a Hostex sandbox account, served by tools over a
// real SQLite store and a lifecycle with a read cache, all on one clock.
type cached struct {
	clock  *connectortest.Clock
	fake   *sandbox.Vendor
	spec   *connector.Spec
	st     store.Store
	lc     *connector.Lifecycle
	cache  *connector.Cache
	d      *tools.Deps
	tools  []tools.Tool
	caller *tools.Caller
	conn   store.Connection
}

func newCached(t *testing.T) *cached {
	t.Helper()
	ctx := context.Background()
	h := &cached{clock: connectortest.NewClock(time.Now().UTC().Truncate(time.Second))}
	h.fake = connectortest.Start(t, sandbox.NewHostex(sandbox.Options{Now: h.clock.Now}))
	h.fake.SetRateLimiting(false)
	h.spec = connectortest.PointAt(hostex.NewSpec(), h.fake, h.clock.Now)
	reg := connector.NewRegistry(h.spec)
	st := openRing(t, filepath.Join(t.TempDir(), "hostgate.db"), "k", 'k')
	h.st = st
	h.lc = connector.NewLifecycle(st, reg, h.clock.Now, nil)
	h.cache = connector.NewCache(connector.DefaultCacheBytes, h.clock.Now)
	h.lc.UseCache(h.cache)
	h.d = &tools.Deps{Store: st, Now: h.clock.Now, BaseURL: "https://hostgate.example", Registry: reg,
		Lifecycle: h.lc, Vendors: reg.Names(), StateKey: make([]byte, 32)}
	h.tools = tools.All(h.d)
	h.caller, h.conn = h.host(t, "u")
	if err := st.CreateClient(ctx, store.Client{ID: "app", Name: "App", RedirectURIs: []string{"https://app.example/cb"},
		GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}, AuthMethod: "none", CreatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	return h
}

// host adds a host who connects the sandbox's Hostex account, and returns
// an app's caller for them.
func (h *cached) host(t *testing.T, user string) (*tools.Caller, store.Connection) {
	t.Helper()
	ctx := context.Background()
	if err := h.st.CreateUser(ctx, store.User{ID: user, Username: user, CreatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	conn, err := h.lc.Connect(ctx, connector.Connect{UserID: user, Vendor: "hostex", Kind: store.AuthToken,
		Values: map[string]string{connector.TokenField: sandbox.HostexWritableToken}})
	if err != nil {
		t.Fatal(err)
	}
	return &tools.Caller{UserID: user, ClientID: "app", GrantID: "grant-" + user, Scopes: []string{"read", "write"},
		Connections: []string{conn.ID}}, conn
}

// actWithoutAsking has the host approve the app with its account and let
// it write without asking.
func (h *cached) actWithoutAsking(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := h.st.PutApproval(ctx, store.Approval{UserID: "u", ClientID: "app", Scopes: []string{"read", "write"},
		Connections: []string{h.conn.ID}, CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetWritePolicy(ctx, "u", "app", store.WriteAct, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// call runs a tool as c and returns whether it is a tool error, its text
// and its structured content decoded into out (when not nil).
func (h *cached) call(t *testing.T, c *tools.Caller, name string, args map[string]any, out any) (bool, string) {
	t.Helper()
	for _, tool := range h.tools {
		if tool.Def.Name != name {
			continue
		}
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = name, args
		res, err := tool.Handler(tools.WithCaller(context.Background(), c), req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text := res.Content[0].(mcp.TextContent).Text
		if out != nil && !res.IsError {
			if err := json.Unmarshal(res.StructuredContent.(json.RawMessage), out); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return res.IsError, text
	}
	t.Fatalf("no tool %s", name)
	return false, ""
}

// must is call that fails the test on a tool error.
func (h *cached) must(t *testing.T, name string, args map[string]any, out any) string {
	t.Helper()
	isErr, text := h.call(t, h.caller, name, args, out)
	if isErr {
		t.Fatalf("%s: %s", name, text)
	}
	return text
}

// TestReadCacheBurst: 64 concurrent calls on a cold cache make as many
// vendor requests as one call does, per distinct query.
func TestReadCacheBurst(t *testing.T) {
	queries := []struct {
		tool, path string
		args       map[string]any
	}{
		{"list_properties", "/properties", nil},
		{"list_reservations", "/reservations", map[string]any{"by": "check_in"}},
		{"list_reservations", "/reservations", map[string]any{"by": "check_out"}},
	}
	// What one call of each costs, on its own fresh cache.
	one := make([]int, len(queries))
	for i, q := range queries {
		h := newCached(t)
		before := h.fake.Requests(q.path)
		h.must(t, q.tool, q.args, nil)
		if one[i] = h.fake.Requests(q.path) - before; one[i] < 1 {
			t.Fatalf("%s %v made no vendor request", q.tool, q.args)
		}
	}
	h := newCached(t)
	before := map[string]int{}
	for _, q := range queries {
		before[q.path] = h.fake.Requests(q.path)
	}
	var wg sync.WaitGroup
	for i := range 64 {
		q := queries[i%len(queries)]
		wg.Go(func() {
			if isErr, text := h.call(t, h.caller, q.tool, q.args, nil); isErr {
				t.Errorf("%s: %s", q.tool, text)
			}
		})
	}
	wg.Wait()
	want := map[string]int{}
	for i, q := range queries {
		want[q.path] += one[i]
	}
	for path, n := range want {
		if got := h.fake.Requests(path) - before[path]; got != n {
			t.Errorf("64 concurrent calls made %d requests to %s, want %d (one call per distinct query)", got, path, n)
		}
	}
}

// TestReadCacheAgeAndExpiry: a cached read says how old it is, and the
// age rises with the clock until the kind's freshness runs out.
func TestReadCacheAgeAndExpiry(t *testing.T) {
	h := newCached(t)
	var out tools.PropertiesOut
	text := h.must(t, "list_properties", nil, &out)
	requests := h.fake.Requests("/properties")
	if out.AgeSeconds != 0 || !out.AsOf.Equal(h.clock.Now()) || out.Accounts != nil {
		t.Fatalf("first read: age %d as of %s, accounts %+v", out.AgeSeconds, out.AsOf, out.Accounts)
	}
	if strings.Contains(text, "ago") {
		t.Errorf("a fresh read's summary speaks of age: %q", firstLine(text))
	}
	h.clock.Advance(4 * time.Minute)
	text = h.must(t, "list_properties", nil, &out)
	if out.AgeSeconds != 240 || h.fake.Requests("/properties") != requests {
		t.Fatalf("4 min on: age %d, %d new requests; want 240 s from the cache", out.AgeSeconds, h.fake.Requests("/properties")-requests)
	}
	if !strings.Contains(firstLine(text), "Data from 4 min ago; pass fresh=true") {
		t.Errorf("summary %q does not say how old the data is", firstLine(text))
	}
	h.clock.Advance(time.Minute)
	h.must(t, "list_properties", nil, &out)
	if out.AgeSeconds != 0 || h.fake.Requests("/properties") != requests+1 {
		t.Fatalf("5 min on (properties stay fresh 5 min): age %d after %d new requests", out.AgeSeconds, h.fake.Requests("/properties")-requests)
	}

	// Messages stay fresh ten seconds.
	var convs tools.ConversationsOut
	h.must(t, "list_conversations", nil, &convs)
	args := map[string]any{"conversation_id": convs.Conversations[0].ID}
	var msgs tools.MessagesOut
	h.must(t, "get_messages", args, &msgs)
	reads := h.fake.Requests("/conversations/")
	h.clock.Advance(9 * time.Second)
	h.must(t, "get_messages", args, &msgs)
	if msgs.AgeSeconds != 9 || h.fake.Requests("/conversations/") != reads {
		t.Fatalf("9 s on: age %d, %d new requests", msgs.AgeSeconds, h.fake.Requests("/conversations/")-reads)
	}
	h.clock.Advance(time.Second)
	h.must(t, "get_messages", args, &msgs)
	if msgs.AgeSeconds != 0 || h.fake.Requests("/conversations/") != reads+1 {
		t.Fatalf("10 s on: age %d, %d new requests", msgs.AgeSeconds, h.fake.Requests("/conversations/")-reads)
	}
}

func TestReadCacheFreshGoesToTheVendor(t *testing.T) {
	h := newCached(t)
	h.must(t, "list_properties", nil, nil)
	requests := h.fake.Requests("/properties")
	h.clock.Advance(time.Minute)
	var out tools.PropertiesOut
	h.must(t, "list_properties", map[string]any{"fresh": true}, &out)
	if h.fake.Requests("/properties") != requests+1 || out.AgeSeconds != 0 {
		t.Fatalf("fresh=true: %d new requests, age %d", h.fake.Requests("/properties")-requests, out.AgeSeconds)
	}
	h.must(t, "list_properties", nil, &out)
	if h.fake.Requests("/properties") != requests+1 || out.AgeSeconds != 0 {
		t.Fatalf("after fresh=true: %d new requests, age %d; want the fresh data kept", h.fake.Requests("/properties")-requests, out.AgeSeconds)
	}
}

// TestReadCacheWriteInvalidates: a message sent through hostgate shows in
// the next read of its conversation, without fresh=true.
func TestReadCacheWriteInvalidates(t *testing.T) {
	h := newCached(t)
	h.actWithoutAsking(t)
	var convs tools.ConversationsOut
	h.must(t, "list_conversations", nil, &convs)
	conv := convs.Conversations[0].ID
	var msgs tools.MessagesOut
	h.must(t, "get_messages", map[string]any{"conversation_id": conv}, &msgs)
	const body = "The door code is on its way."
	if text := h.must(t, "send_message", map[string]any{"conversation_id": conv, "body": body}, nil); !strings.Contains(text, "sent") {
		t.Fatalf("send_message: %s", text)
	}
	h.must(t, "get_messages", map[string]any{"conversation_id": conv}, &msgs)
	if len(msgs.Messages) == 0 || msgs.Messages[0].Body != body {
		t.Fatalf("after sending, get_messages starts with %+v, want the message sent", msgs.Messages[:min(1, len(msgs.Messages))])
	}
}

// TestReadCacheDropped: a connection's entries go when it is disconnected,
// and when its credential is refused.
func TestReadCacheDropped(t *testing.T) {
	h := newCached(t)
	h.must(t, "list_properties", nil, nil)
	h.must(t, "list_conversations", nil, nil)
	if n, _ := h.cache.Stats(); n != 2 {
		t.Fatalf("%d entries after two reads", n)
	}
	h.fake.Fail(sandbox.Fault{Path: "/properties", Status: 401})
	h.call(t, h.caller, "list_properties", map[string]any{"fresh": true}, nil)
	if c, err := h.st.GetConnection(context.Background(), h.conn.ID); err != nil || c.Status != store.StatusNeedsReauth {
		t.Fatalf("after a refused token: %+v %v", c.Status, err)
	}
	if n, _ := h.cache.Stats(); n != 0 {
		t.Fatalf("%d entries kept for a connection whose token was refused", n)
	}

	h2 := newCached(t)
	h2.must(t, "list_properties", nil, nil)
	if _, err := h2.lc.Disconnect(context.Background(), h2.conn); err != nil {
		t.Fatal(err)
	}
	if n, _ := h2.cache.Stats(); n != 0 {
		t.Fatalf("%d entries kept for a disconnected connection", n)
	}
}

// TestReadCacheHostsNeverShare: two hosts who connected the same vendor
// account each get their own reads.
func TestReadCacheHostsNeverShare(t *testing.T) {
	h := newCached(t)
	bob, _ := h.host(t, "bob")
	h.must(t, "list_properties", nil, nil)
	requests := h.fake.Requests("/properties")
	var out tools.PropertiesOut
	if isErr, text := h.call(t, bob, "list_properties", nil, &out); isErr || len(out.Properties) == 0 || strings.Contains(text, h.conn.ID) {
		t.Fatalf("bob: %v %s", isErr, text)
	}
	if h.fake.Requests("/properties") != requests+1 {
		t.Fatal("bob was served alice's cached read")
	}
	if _, err := h.lc.Disconnect(context.Background(), h.conn); err != nil {
		t.Fatal(err)
	}
	h.call(t, bob, "list_properties", nil, nil)
	if n, _ := h.cache.Stats(); n != 1 || h.fake.Requests("/properties") != requests+1 {
		t.Fatalf("after alice disconnected: %d entries, %d new requests; bob's read should stand", n, h.fake.Requests("/properties")-requests-1)
	}
}

// TestReadCacheBudgetSpent: with the vendor's budget spent, a read with
// data kept answers with it and its age, and one without says when to
// retry, both at once.
func TestReadCacheBudgetSpent(t *testing.T) {
	h := newCached(t)
	b := connector.NewBudget(connector.Limit{N: 1, Per: time.Hour})
	b.Now = h.clock.Now
	h.spec.Budget = b
	h.must(t, "list_properties", nil, nil) // the hour's one request
	h.clock.Advance(6 * time.Minute)
	requests := h.fake.Requests("")
	var out tools.PropertiesOut
	text := h.must(t, "list_properties", nil, &out)
	if len(out.Properties) == 0 || out.AgeSeconds != 360 || len(out.Accounts) != 1 || !strings.Contains(out.Accounts[0].Note, "Hostex's rate limit is spent") {
		t.Fatalf("spent budget with data kept: %d properties, age %d, accounts %+v", len(out.Properties), out.AgeSeconds, out.Accounts)
	}
	if !strings.Contains(firstLine(text), "Hostex's rate limit is spent: its data is from 6 min ago; ask again in ") {
		t.Errorf("summary %q does not say the data is older for the rate limit", firstLine(text))
	}
	isErr, text := h.call(t, h.caller, "list_conversations", nil, nil)
	if !isErr || !strings.Contains(text, "Hostex's rate limit is spent") || !strings.Contains(text, " min.") {
		t.Fatalf("spent budget, nothing kept: error %v, %q", isErr, text)
	}
	if h.fake.Requests("") != requests {
		t.Fatal("a request went out over the budget")
	}
}

func firstLine(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }
