package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// harnessTool is the write-scoped probe newEnv adds for the scope tests:
// not a hostgate tool, so not part of the snapshotted surface.
const harnessTool = "write_probe"

// snapshotted returns the tools of the snapshots: those the server lists,
// less the harness's own.
func snapshotted(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == harnessTool })
}

// toolsGolden is where the tool snapshots live: testdata/tools at the
// module root, so a changed tool surface is a diff in review.
var toolsGolden = filepath.Join("..", "testdata", "tools")

// golden compares got with the golden file name under testdata/tools, or
// rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(toolsGolden, name)
	if *update {
		if err := os.MkdirAll(toolsGolden, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./mcpserver -run Snapshot -update to write it", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what the server returns now (%s); if the change is meant, run go test ./mcpserver -run Snapshot -update and review the diff", path, firstDiff(want, got))
	}
}

// firstDiff names the first line where got differs from want.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, wl, gl)
		}
	}
	return "same lines"
}

// pretty renders decoded JSON with sorted keys and a two-space indent,
// without HTML escaping (descriptions hold "<uuid>").
func pretty(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decodeJSON decodes with json.Number so numbers are written back exactly
// as the server sent them.
func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// stale fails for each golden file with suffix whose tool is not listed
// any more, so a removed tool shows in review too.
func stale(t *testing.T, suffix string, listed []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(toolsGolden, "*"+suffix))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), suffix)
		if slices.Contains(listed, name) {
			continue
		}
		if *update {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is for a tool the server no longer lists: delete it (or run with -update)", f)
	}
}

// recorder keeps the JSON-RPC messages the server answered tools/list
// with, as they came over the wire.
type recorder struct {
	mu    sync.Mutex
	lists [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !bytes.Contains(body, []byte(`"tools/list"`)) {
		return resp, err
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))
	msgs := [][]byte{got}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		msgs = nil
		sc := bufio.NewScanner(bytes.NewReader(got))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			if data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: ")); ok {
				msgs = append(msgs, bytes.Clone(data))
			}
		}
	}
	r.mu.Lock()
	r.lists = append(r.lists, msgs...)
	r.mu.Unlock()
	return resp, nil
}

// listedTools lists the tools through an mcp-go client, as a client sees
// them, and returns each definition as the server sent it: the client's
// own decoding would fill in fields the server left out (an empty
// "required"), and the snapshot is of the wire.
func listedTools(t *testing.T, e *env, tokens transport.TokenStore) (names []string, defs map[string]json.RawMessage) {
	t.Helper()
	rec := &recorder{}
	tr, err := transport.NewStreamableHTTP(e.ts.URL+"/mcp",
		transport.WithHTTPOAuth(transport.OAuthConfig{RedirectURI: clientRedirect, TokenStore: tokens, PKCEEnabled: true}),
		transport.WithHTTPBasicClient(&http.Client{Transport: rec, Timeout: 30 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Initialize(context.Background(), initRequest("2025-11-25")); err != nil {
		t.Fatal(err)
	}
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	defs = map[string]json.RawMessage{}
	var wire []string
	for _, m := range rec.lists {
		var msg struct {
			Result struct {
				Tools []json.RawMessage `json:"tools"`
			} `json:"result"`
		}
		if err := json.Unmarshal(m, &msg); err != nil {
			t.Fatalf("tools/list answer %s: %v", m, err)
		}
		for _, raw := range msg.Result.Tools {
			var d struct{ Name string }
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatal(err)
			}
			wire = append(wire, d.Name)
			defs[d.Name] = raw
		}
	}
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	// The client drops tools it finds invalid; a tool it cannot see is a
	// tool no client sees.
	if !slices.Equal(names, wire) {
		t.Fatalf("the client lists %v, the server sent %v", names, wire)
	}
	return names, defs
}

// TestToolDefinitionsSnapshot: every tool's definition as a client lists
// it (name, title, description, input and output schema, annotations) is
// in testdata/tools/<name>.def.json, and every file there is for a listed
// tool. Regenerate with go test ./mcpserver -run Snapshot -update.
func TestToolDefinitionsSnapshot(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	names, defs := listedTools(t, e, f.tokens)
	var served []string
	for _, tool := range e.srv.Tools() {
		served = append(served, tool.Def.Name)
	}
	if a, b := slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(served)); !slices.Equal(a, b) {
		t.Fatalf("tools/list gives %v, the server has %v", a, b)
	}
	names = snapshotted(names)
	n := newNormalizer(e, nil)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			all, ok := decodeJSON(t, defs[name]).(map[string]any)
			if !ok {
				t.Fatalf("definition %s is not an object", defs[name])
			}
			def := map[string]any{}
			for _, k := range []string{"name", "title", "description", "inputSchema", "outputSchema", "annotations"} {
				if v, ok := all[k]; ok {
					def[k] = v
				}
			}
			golden(t, name+".def.json", pretty(t, n.walk("", def)))
		})
	}
	stale(t, ".def.json", names)
}

// normalizer replaces what differs from run to run (listener ports,
// random row ids, sealed cursors) with stable placeholders, in the
// decoded JSON, string by string.
type normalizer struct {
	olds, news []string
	r          *strings.Replacer
}

// newNormalizer knows the env's base URL, the fake vendors' URLs and the
// connection ids (byVendor: vendor → id).
func newNormalizer(e *env, byVendor map[string]string) *normalizer {
	n := &normalizer{}
	n.add(e.ts.URL, "<base>")
	if e.sandbox != nil {
		for _, v := range e.sandbox.Vendors() {
			n.add(v.URL, "<sandbox:"+v.Name+">")
		}
	}
	for vendor, id := range byVendor {
		n.add(id, "<connection:"+vendor+">")
	}
	return n
}

func (n *normalizer) add(old, placeholder string) {
	if old == "" || slices.Contains(n.olds, old) {
		return
	}
	n.olds, n.news = append(n.olds, old), append(n.news, placeholder)
	n.r = nil
}

// learn records the random ids a result introduces: drafts ("dr-…", named
// for their tool, so list_drafts tells them apart).
func (n *normalizer) learn(v any) {
	switch v := v.(type) {
	case map[string]any:
		id, _ := v["id"].(string)
		tool, _ := v["tool"].(string)
		if strings.HasPrefix(id, "dr-") && tool != "" {
			n.add(id, "<draft:"+tool+">")
		}
		for _, x := range v {
			n.learn(x)
		}
	case []any:
		for _, x := range v {
			n.learn(x)
		}
	}
}

// walk normalizes v in place and returns it; key is the member name v is
// the value of.
func (n *normalizer) walk(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = n.walk(k, x)
		}
	case []any:
		for i, x := range v {
			v[i] = n.walk(key, x)
		}
	case string:
		if key == "next_cursor" && v != "" {
			// Sealed with a random nonce: differs on every call.
			return "<cursor>"
		}
		return n.replacer().Replace(v)
	}
	return v
}

func (n *normalizer) replacer() *strings.Replacer {
	if n.r == nil {
		// Longest first: at one position the replacer takes the first
		// listed match, and one port may be a prefix of another.
		idx := make([]int, len(n.olds))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return len(n.olds[b]) - len(n.olds[a]) })
		var pairs []string
		for _, i := range idx {
			pairs = append(pairs, n.olds[i], n.news[i])
		}
		n.r = strings.NewReplacer(pairs...)
	}
	return n.r
}

// TestToolResultsSnapshot: one call per tool, with fixed arguments,
// against the sandbox vendors on the env's fixed clock; each result's
// structuredContent, normalized, is in testdata/tools/<name>.result.json.
// The client cannot ask the host, so the write tools return drafts. A tool
// without a case here fails, so no new tool goes unsnapshotted.
func TestToolResultsSnapshot(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()

	var conns tools.ListConnectionsOut
	callTool(t, f.client, "list_connections", nil, &conns)
	byVendor := map[string]string{}
	for _, c := range conns.Connections {
		if _, dup := byVendor[c.Vendor]; dup {
			t.Fatalf("two %s connections: the placeholders need one per vendor", c.Vendor)
		}
		byVendor[c.Vendor] = c.ID
	}
	n := newNormalizer(e, byVendor)
	n.add(f.clientID, "<client-id>")

	var res tools.ReservationsOut
	callTool(t, f.client, "list_reservations", map[string]any{"vendor": "hostex", "limit": 5}, &res)
	if len(res.Reservations) == 0 || res.Reservations[0].ConversationID == "" {
		t.Fatalf("no hostex reservation with a conversation: %+v", res.Reservations)
	}
	r := res.Reservations[0]
	var sites tools.SitesOut
	callTool(t, f.client, "list_sites", nil, &sites)
	if len(sites.Sites) == 0 {
		t.Fatal("no sites")
	}
	var revs tools.ReviewsOut
	callTool(t, f.client, "list_reviews", map[string]any{"vendor": "hostex"}, &revs)
	reviewID := ""
	for _, rv := range revs.Reviews {
		if rv.ID != "" {
			reviewID = rv.ID
			break
		}
	}
	if reviewID == "" {
		t.Fatal("no hostex review with an id")
	}
	tomorrow := e.clock.Now().AddDate(0, 0, 1).Format(time.DateOnly)

	// In call order: the writes after the reads, list_drafts after the
	// writes so it has drafts to show, and disconnect_vendor last since it
	// removes an account.
	cases := []struct {
		tool string
		args map[string]any
	}{
		{"whoami", nil},
		{"list_connections", nil},
		{"connect_vendor", map[string]any{"vendor": "hostaway"}},
		{"refresh_connection", map[string]any{"connection_id": byVendor["hostaway"]}},
		{"list_properties", nil},
		{"get_property", map[string]any{"property_id": r.PropertyID}},
		{"list_reservations", nil},
		{"get_reservation", map[string]any{"reservation_id": r.ID}},
		{"get_calendar", map[string]any{"property_id": r.PropertyID}},
		{"list_conversations", map[string]any{"limit": 10}},
		{"get_messages", map[string]any{"conversation_id": r.ConversationID}},
		{"list_reviews", nil},
		{"list_sites", nil},
		{"get_footfall", map[string]any{"site_id": sites.Sites[0].ID}},
		{"revenue_summary", map[string]any{"vendor": "hostex"}},
		{"find_gap_nights", map[string]any{"vendor": "hostex"}},
		{"list_turnovers", map[string]any{"vendor": "hostex"}},
		{"find_reservation", map[string]any{"query": r.GuestName}},
		{"list_inquiries", map[string]any{"vendor": "hostaway"}},
		{"list_transactions", map[string]any{"vendor": "hostaway"}},
		{"list_payouts", map[string]any{"vendor": "hospitable", "from": e.clock.Now().AddDate(0, -6, 0).Format("2006-01-02"), "to": e.clock.Now().Format("2006-01-02")}},
		{"list_tasks", map[string]any{"vendor": "hostaway"}},
		{"update_stay", map[string]any{"reservation_id": r.ID, "host_note": "Early check-in agreed for 13:00."}},
		{"send_quote", map[string]any{"property_id": "hospitable:" + sandbox.HospitableAucklandPropertyID, "check_in": e.clock.Now().AddDate(0, 5, 0).Format("2006-01-02"), "check_out": e.clock.Now().AddDate(0, 5, 3).Format("2006-01-02"), "adults": 2}},
		{"save_task", map[string]any{"property_id": fmt.Sprintf("hostaway:%d", sandbox.HostawayListingID), "title": "Replace the hallway bulb", "due": e.clock.Now().AddDate(0, 0, 2).Format("2006-01-02")}},
		{"send_message", map[string]any{"conversation_id": r.ConversationID, "body": "Hello from the snapshot test."}},
		{"update_calendar", map[string]any{"property_id": r.PropertyID, "from": tomorrow, "to": tomorrow, "available": false}},
		{"reply_to_review", map[string]any{"review_id": reviewID, "reply": "Thank you for staying with us."}},
		{"list_drafts", nil},
		{"disconnect_vendor", map[string]any{"connection_id": byVendor["hoxtonai"]}},
	}
	var listed, have []string
	for _, tool := range e.srv.Tools() {
		listed = append(listed, tool.Def.Name)
	}
	listed = snapshotted(listed)
	for _, c := range cases {
		have = append(have, c.tool)
	}
	for _, name := range listed {
		if !slices.Contains(have, name) {
			t.Errorf("tool %s has no case in TestToolResultsSnapshot: add one", name)
		}
	}
	for _, name := range have {
		if !slices.Contains(listed, name) {
			t.Errorf("case %s is for a tool the server does not list", name)
		}
	}
	for _, c := range cases {
		if !slices.Contains(listed, c.tool) {
			continue
		}
		t.Run(c.tool, func(t *testing.T) {
			// Drafts made at one instant are listed by their random ids;
			// a minute between calls orders them by when they were made.
			e.clock.Advance(time.Minute)
			res := rawCall(t, f.client, c.tool, c.args)
			if res.IsError {
				t.Fatalf("tool error: %s", resultText(res))
			}
			b, err := json.Marshal(res.StructuredContent)
			if err != nil {
				t.Fatal(err)
			}
			v := decodeJSON(t, b)
			n.learn(v)
			golden(t, c.tool+".result.json", pretty(t, n.walk("", v)))
		})
	}
	stale(t, ".result.json", listed)
}
