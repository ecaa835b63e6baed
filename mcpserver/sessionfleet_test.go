package mcpserver_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
)

// initOn initializes a legacy session through replica i and returns its id.
func (e *env) initOn(t *testing.T, i int, token string) string {
	t.Helper()
	resp := postMCPHeaders(t, e.ts.URL+"/mcp", token,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`,
		map[string]string{pinHeader: strconv.Itoa(i)})
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(id, "hgm_") {
		t.Fatalf("initialize on replica %d: %d, session %q", i, resp.StatusCode, id)
	}
	return id
}

// useOn sends tools/list on the session through replica i and returns the
// status.
func (e *env) useOn(t *testing.T, i int, token, session string) int {
	t.Helper()
	return postMCPHeaders(t, e.ts.URL+"/mcp", token, toolsList, map[string]string{
		pinHeader: strconv.Itoa(i), "Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"}).StatusCode
}

// deleteOn ends the session through replica i and returns the status.
func (e *env) deleteOn(t *testing.T, i int, token, session string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, e.ts.URL+"/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Mcp-Session-Id", session)
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	req.Header.Set(pinHeader, strconv.Itoa(i))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// afterEnds returns once every replica must refuse what another ended: on
// PostgreSQL, once each applied every change committed so far (settle);
// on SQLite, whose replicas share no change feed, once the time a replica
// serves a session without asking the database again has passed.
func (e *env) afterEnds(t *testing.T) {
	t.Helper()
	if e.db.Postgres() {
		e.settle(t)
		return
	}
	e.clock.Advance(16 * time.Second)
}

// TestSessionAnyReplica: a session initialized through one replica is
// served by every other (the balancer has no affinity), and once its
// client ends it through one, every replica refuses it, including those
// that had it in memory; on PostgreSQL with no time passing.
func TestSessionAnyReplica(t *testing.T) {
	e := newEnv(t, envOptions{replicas: 3})
	a, _ := e.grant(t, "read")
	b, _ := e.grant(t, "read")
	sess := e.initOn(t, 0, a.AccessToken)
	for i := range 3 {
		if got := e.useOn(t, i, a.AccessToken, sess); got != http.StatusOK {
			t.Fatalf("replica %d: %d, want 200", i, got)
		}
		// Another grant's token does not make the session its own.
		if got := e.useOn(t, i, b.AccessToken, sess); got != http.StatusNotFound {
			t.Fatalf("replica %d, another grant: %d, want 404", i, got)
		}
	}
	if got := e.deleteOn(t, 1, b.AccessToken, sess); got != http.StatusNotFound {
		t.Fatalf("DELETE with another grant: %d, want 404", got)
	}
	if got := e.deleteOn(t, 1, a.AccessToken, sess); got != http.StatusOK {
		t.Fatalf("DELETE: %d, want 200", got)
	}
	e.afterEnds(t)
	for i := range 3 {
		if got := e.useOn(t, i, a.AccessToken, sess); got != http.StatusNotFound {
			t.Errorf("replica %d after the DELETE: %d, want 404", i, got)
		}
	}
	for i := range 3 {
		if n := e.servers[i].SessionCount(); n != 0 {
			t.Errorf("replica %d holds %d sessions after the DELETE", i, n)
		}
	}
	if strings.Contains(e.logs.String(), sess) || strings.Contains(e.logs.String(), store.Hash(sess)) {
		t.Error("the session id or its hash reached the log")
	}
}

// TestSessionSurvivesRestart: a replica replaced by a new process on the
// same database (the old one gone, as if killed) serves the sessions the
// old one created.
func TestSessionSurvivesRestart(t *testing.T) {
	e := newEnv(t, envOptions{replicas: 2})
	a, _ := e.grant(t, "read")
	sess := e.initOn(t, 0, a.AccessToken)
	if got := e.useOn(t, 0, a.AccessToken, sess); got != http.StatusOK {
		t.Fatalf("before the restart: %d", got)
	}
	fresh := e.restart(t, 0)
	if n := fresh.SessionCount(); n != 0 {
		t.Fatalf("a new process holds %d sessions", n)
	}
	if got := e.useOn(t, 0, a.AccessToken, sess); got != http.StatusOK {
		t.Fatalf("after the restart: %d, want 200", got)
	}
	// A random id is unknown there too.
	if got := e.useOn(t, 0, a.AccessToken, "hgm_"+strings.Repeat("A", 43)); got != http.StatusNotFound {
		t.Fatalf("an unknown session after the restart: %d, want 404", got)
	}
}

// restart replaces replica i behind the balancer by a new server on a
// store handle of its own, as a new process on the database would be; the
// old one is no longer reached.
func (e *env) restart(t *testing.T, i int) *mcpserver.Server {
	t.Helper()
	ring, err := store.NewKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mcpserver.New(mcpserver.Config{
		BaseURL: e.ts.URL, Store: e.db.Open(t, ring), CSRFKey: bytes.Repeat([]byte{9}, 32), StateKey: bytes.Repeat([]byte{7}, 32),
		Version: "test", PasswordParams: fastParams, AllowLoopbackMetadata: true,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Now: e.clock.Now,
		Tools: func(d *tools.Deps) []tools.Tool { return append(tools.All(d), writeProbe(d)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	e.lb.mu.Lock()
	e.lb.replicas[i] = srv.Handler()
	e.lb.mu.Unlock()
	e.servers[i] = srv
	return srv
}

// pinByMethod sends a client's initialize to one replica and everything
// else (the tool call, and the client's answer to the question the tool
// asks on the call's stream) to another.
type pinByMethod struct{ initialize, rest string }

func (p pinByMethod) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	pin := p.rest
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, []byte(`"method":"initialize"`)) {
			pin = p.initialize
		}
	}
	r.Header.Set(pinHeader, pin)
	return http.DefaultTransport.RoundTrip(r)
}

// TestSessionClientDeclarationAnyReplica: the elicitation a client
// declared at initialize on replica 0 is known to a tool on replica 1,
// which never saw the initialize: connect_vendor asks the client to show
// its link. A client that declared none gets the link back instead.
func TestSessionClientDeclarationAnyReplica(t *testing.T) {
	e := newEnv(t, envOptions{replicas: 3, sandbox: true})
	a, _ := e.grant(t, "read")
	for _, declare := range []bool{true, false} {
		tr, err := transport.NewStreamableHTTP(e.ts.URL+"/mcp",
			transport.WithHTTPBasicClient(&http.Client{Transport: pinByMethod{initialize: "0", rest: "1"}}),
			transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + a.AccessToken}))
		if err != nil {
			t.Fatal(err)
		}
		el := &urlElicitor{}
		req := initRequest("2025-11-25")
		var opts []client.ClientOption
		if declare {
			opts = append(opts, client.WithElicitationHandler(el))
			req.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{URL: &struct{}{}}
		}
		c := client.NewClient(tr, opts...)
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Initialize(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		before := e.lb.counts()
		var out tools.ConnectOut
		if msg := callTool(t, c, "connect_vendor", map[string]any{"vendor": "hostaway"}, &out); msg != "" {
			t.Fatalf("connect_vendor: %s", msg)
		}
		after := e.lb.counts()
		c.Close()
		if after[0] != before[0] || after[1] == before[1] {
			t.Fatalf("requests per replica %v → %v: the call did not go to replica 1 alone", before, after)
		}
		el.mu.Lock()
		asked := len(el.seen)
		el.mu.Unlock()
		if declare && (!out.Shown || asked != 1) {
			t.Fatalf("declared on replica 0, called on replica 1: shown %v, asked %d times; want the link shown", out.Shown, asked)
		}
		if !declare && (out.Shown || out.URL == "") {
			t.Fatalf("declared nothing: %+v, want the link returned", out)
		}
	}
}

// TestSessionCapAndSweepAcrossReplicas: a grant's sessions made through
// every replica are capped together in the database, the least recently
// used going first: a session in use through another replica stays (its
// uses reach the database every few minutes, and the flood below lasts
// longer); every replica refuses an evicted session, even one it had in
// memory; another grant's session is untouched; and a session idle past
// the TTL is refused by every replica once any sweeps.
func TestSessionCapAndSweepAcrossReplicas(t *testing.T) {
	// Tokens outlive the hours below.
	e := newEnv(t, envOptions{replicas: 3, accessTTL: 24 * time.Hour})
	ctx := context.Background()
	a, _ := e.grant(t, "read")
	b, _ := e.grant(t, "read")
	other := e.initOn(t, 2, b.AccessToken)
	kept := e.initOn(t, 0, a.AccessToken)
	victim := e.initOn(t, 0, a.AccessToken)
	e.clock.Advance(time.Second)
	for i := range 3 {
		if got := e.useOn(t, i, a.AccessToken, victim); got != http.StatusOK {
			t.Fatalf("replica %d: %d", i, got)
		}
	}
	var last string
	for n := range mcpserver.MaxSessionsPerGrant {
		e.clock.Advance(10 * time.Second)
		// kept stays in use through replica 1, though replicas 0 and 2
		// create the sessions.
		if got := e.useOn(t, 1, a.AccessToken, kept); got != http.StatusOK {
			t.Fatalf("the session in use was evicted: %d", got)
		}
		r := []int{0, 2}[n%2]
		last = e.initOn(t, r, a.AccessToken)
		e.clock.Advance(time.Millisecond) // used after its creation
		if got := e.useOn(t, r, a.AccessToken, last); got != http.StatusOK {
			t.Fatalf("a new session: %d", got)
		}
	}
	tok, g, err := e.store.GetToken(ctx, store.Hash(a.AccessToken))
	if err != nil || tok.GrantID != g.ID {
		t.Fatal(err)
	}
	if n, err := e.store.CountMCPSessions(ctx, g.ID); err != nil || n != mcpserver.MaxSessionsPerGrant {
		t.Fatalf("the grant holds %d sessions (%v), want %d", n, err, mcpserver.MaxSessionsPerGrant)
	}
	e.afterEnds(t)
	for i := range 3 {
		if got := e.useOn(t, i, a.AccessToken, victim); got != http.StatusNotFound {
			t.Errorf("replica %d, the evicted session: %d, want 404", i, got)
		}
		for name, sess := range map[string]string{"the session in use": kept, "the newest session": last} {
			if got := e.useOn(t, i, a.AccessToken, sess); got != http.StatusOK {
				t.Errorf("replica %d, %s: %d, want 200", i, name, got)
			}
		}
		if got := e.useOn(t, i, b.AccessToken, other); got != http.StatusOK {
			t.Errorf("replica %d, another grant's session: %d, want 200", i, got)
		}
		if got := e.useOn(t, i, b.AccessToken, kept); got != http.StatusNotFound {
			t.Errorf("replica %d, a session of another grant: %d, want 404", i, got)
		}
	}

	// Idle for two hours: the next initialize anywhere sweeps the
	// database, and no replica serves the idle sessions, though two hold
	// them in memory.
	e.clock.Advance(2 * time.Hour)
	e.initOn(t, 0, a.AccessToken)
	for i := range 3 {
		if got := e.useOn(t, i, b.AccessToken, other); got != http.StatusNotFound {
			t.Errorf("replica %d, a session idle for two hours: %d, want 404", i, got)
		}
	}
	if n, err := e.store.CountMCPSessions(ctx, g.ID); err != nil || n != 1 {
		t.Errorf("the grant holds %d sessions (%v) after the sweep, want 1", n, err)
	}
}
