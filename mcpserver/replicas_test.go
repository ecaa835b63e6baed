package mcpserver_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// balancer is a load balancer in front of several hostgate replicas. A
// request for an MCP session goes to the replica that started the session
// (affinity by Mcp-Session-Id, as README asks of a real one); every other
// request goes to the next replica in turn, so that two requests in a row
// never meet the same replica. A test sends a request to replica i with
// the header pinHeader: i.
// pinHeader names the replica a request must reach (balancer).
const pinHeader = "X-Test-Replica"

type balancer struct {
	mu        sync.Mutex
	replicas  []http.Handler
	next      int
	bySession map[string]int
	served    []int
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	i, bound := b.bySession[r.Header.Get(server.HeaderKeySessionID)]
	if pin, err := strconv.Atoi(r.Header.Get(pinHeader)); err == nil {
		i, bound = pin, true
	}
	if !bound {
		i = b.next
		b.next = (b.next + 1) % len(b.replicas)
	}
	if len(b.served) < len(b.replicas) {
		b.served = make([]int, len(b.replicas))
	}
	b.served[i]++
	b.mu.Unlock()
	b.replicas[i].ServeHTTP(&sessionWriter{ResponseWriter: w, learn: func(id string) {
		b.mu.Lock()
		b.bySession[id] = i
		b.mu.Unlock()
	}}, r)
}

// counts returns how many requests each replica served.
func (b *balancer) counts() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int(nil), b.served...)
}

// sessionWriter tells the balancer a new session's id as the response's
// headers go out, before the client can use it.
type sessionWriter struct {
	http.ResponseWriter
	learn   func(id string)
	learned bool
}

func (w *sessionWriter) see() {
	if !w.learned {
		w.learned = true
		if id := w.Header().Get(server.HeaderKeySessionID); id != "" {
			w.learn(id)
		}
	}
}

func (w *sessionWriter) WriteHeader(code int) { w.see(); w.ResponseWriter.WriteHeader(code) }

func (w *sessionWriter) Write(p []byte) (int, error) { w.see(); return w.ResponseWriter.Write(p) }

func (w *sessionWriter) Flush() {
	w.see()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *sessionWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// TestReplicas: three hostgate servers share one database, each through its
// own store handle (on PostgreSQL its own pool; on SQLite its own
// connections to the file), behind a balancer that takes them in turn.
// The whole flow crosses replicas at every step and works: registration,
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
