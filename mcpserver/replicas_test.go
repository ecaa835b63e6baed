package mcpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// balancer is a load balancer in front of several hostgate replicas, with
// no session affinity: every request goes to the next replica in turn, so
// that two requests in a row never meet the same replica, whatever MCP
// session they carry. A test sends a request to replica i with the header
// pinHeader: i.
// pinHeader names the replica a request must reach (balancer).
const pinHeader = "X-Test-Replica"

type balancer struct {
	mu       sync.Mutex
	replicas []http.Handler
	next     int
	served   []int
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	i, err := strconv.Atoi(r.Header.Get(pinHeader))
	if err != nil {
		i = b.next
		b.next = (b.next + 1) % len(b.replicas)
	}
	if len(b.served) < len(b.replicas) {
		b.served = make([]int, len(b.replicas))
	}
	b.served[i]++
	b.mu.Unlock()
	b.replicas[i].ServeHTTP(w, r)
}

// counts returns how many requests each replica served.
func (b *balancer) counts() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int(nil), b.served...)
}

// TestReplicas: three hostgate servers share one database, each through its
// own store handle (on PostgreSQL its own pool; on SQLite its own
// connections to the file), behind a balancer that takes them in turn,
// MCP session or not. The whole flow crosses replicas at every step and
// works: registration,
// sign-in, consent, code, token, initialize, tool calls through a vendor,
// the refresh. A token revoked through one replica is refused by all once
// the 15 seconds a replica may trust a verified token have passed, even
// with no change feed (SQLite); on PostgreSQL it is refused at once
// (fleet_test.go).
func TestReplicas(t *testing.T) {
	for _, tc := range []struct{ name, pin string }{
		{"pinned 2025-11-25", "2025-11-25"},
		{"client default", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{replicas: 3, sandbox: true})
			f := e.authorize(t, tc.pin)
			defer f.client.Close()
			ctx := context.Background()

			if who := callWhoami(t, f.client); who.Host.Username != hostName {
				t.Fatalf("whoami = %+v", who)
			}
			for range 2 {
				if msg := callTool(t, f.client, "list_properties", map[string]any{}, nil); msg != "" {
					t.Fatalf("list_properties: %s", msg)
				}
			}
			first, _ := f.tokens.GetToken(ctx)
			e.clock.Advance(61 * time.Minute)
			f.tokens.expire()
			if who := callWhoami(t, f.client); who.Host.Username != hostName {
				t.Fatalf("whoami after the refresh = %+v", who)
			}
			second, _ := f.tokens.GetToken(ctx)
			if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
				t.Fatal("the refresh did not rotate the tokens")
			}
			if n := e.lb.counts(); n[0] < 3 || n[1] < 3 || n[2] < 3 {
				t.Fatalf("requests served per replica = %v: the flow did not cross replicas", n)
			}

			// Every replica verifies the token (and may keep it for 15 s).
			for range 3 {
				resp := postMCP(t, e.ts.URL+"/mcp", second.AccessToken, `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`)
				resp.Body.Close()
				if resp.StatusCode == http.StatusUnauthorized {
					t.Fatal("a live token was refused")
				}
			}
			// Revoked through one of them (the refresh token revokes the grant).
			resp, err := http.PostForm(e.ts.URL+"/revoke", url.Values{"token": {second.RefreshToken}, "client_id": {f.clientID}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("revoke: %d", resp.StatusCode)
			}
			e.clock.Advance(16 * time.Second)
			for i := range 3 {
				resp := postMCP(t, e.ts.URL+"/mcp", second.AccessToken, `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
					t.Fatalf("request %d after the revocation: %d, want 401", i, resp.StatusCode)
				}
			}
		})
	}
}
