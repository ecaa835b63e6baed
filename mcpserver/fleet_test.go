package mcpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// fleetEnv is three replicas on one PostgreSQL database: the change feed
// that carries a revocation from one to the others is PostgreSQL's.
func fleetEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, envOptions{replicas: 3, sandbox: true})
	if !e.db.Postgres() {
		t.Skip("replicas learn of each other's changes on PostgreSQL only: set HOSTGATE_TEST_POSTGRES")
	}
	return e
}

// expect arms every replica to report the first change it applies from
// now on that match accepts, and returns a wait that returns once all
// have, failing t if any has not within a bound that only a lost
// notification reaches.
func (e *env) expect(t *testing.T, match func(store.Change) bool) (wait func()) {
	t.Helper()
	var wg sync.WaitGroup
	for _, s := range e.servers {
		var once sync.Once
		wg.Add(1)
		s.OnChangeApplied(func(c store.Change) {
			if match(c) {
				once.Do(wg.Done)
			}
		})
	}
	return func() {
		t.Helper()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("a replica did not apply the change within 30 s")
		}
		for _, s := range e.servers {
			s.OnChangeApplied(nil)
		}
	}
}

// settle returns once every replica applied every change committed before
// it was called: notifications arrive in commit order, so a marker
// committed now comes after them all.
func (e *env) settle(t *testing.T) {
	t.Helper()
	id := "marker-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	wait := e.expect(t, func(c store.Change) bool { return c.Key == id })
	ctx := context.Background()
	if err := e.store.CreateUser(ctx, store.User{ID: id, Username: id, CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.DisableUser(ctx, id, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	wait()
}

// callReplica sends tools/list with the token to replica i alone.
func (e *env) callReplica(t *testing.T, i int, token string) *http.Response {
	t.Helper()
	return postMCPHeaders(t, e.ts.URL+"/mcp", token, `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`,
		map[string]string{pinHeader: strconv.Itoa(i)})
}

// replicaClient is tokenClient on replica i alone.
func (e *env) replicaClient(t *testing.T, i int, token string) *client.Client {
	t.Helper()
	c, err := client.NewStreamableHttpClient(e.ts.URL+"/mcp", transport.WithHTTPHeaders(map[string]string{
		"Authorization": "Bearer " + token, pinHeader: strconv.Itoa(i)}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Initialize(ctx, initRequest("2025-11-25")); err != nil {
		t.Fatalf("initialize on replica %d: %v", i, err)
	}
	return c
}

// TestFleetRevoke: an app's access revoked through one replica is refused
// by every replica on its next call, although each had verified the token
// and keeps it in memory, and with no time passing (the 15 seconds a
// replica may keep a verified token do not matter): by the connections
// page's revoke and by the app's own /revoke.
func TestFleetRevoke(t *testing.T) {
	for _, how := range []string{"connections page", "/revoke"} {
		t.Run(how, func(t *testing.T) {
			e := fleetEnv(t)
			tok, clientID := e.grant(t, "read")
			e.settle(t)
			// Each replica verifies the token and keeps it (the call itself
			// is refused past authentication: it has no MCP session).
			for i := range e.servers {
				if resp := e.callReplica(t, i, tok.AccessToken); resp.StatusCode == http.StatusUnauthorized {
					t.Fatalf("replica %d refused a live token: %d", i, resp.StatusCode)
				}
			}
			wait := e.expect(t, func(c store.Change) bool { return c.Topic == store.TopicGrants })
			switch how {
			case "connections page":
				b, p := e.hostBrowser(t)
				p = b.Submit(p.Form(t, "/clients/"+clientID+"/revoke"), nil)
				if p.URL.RequestURI() != "/connections?done=revoked" {
					t.Fatalf("revoke: %s (%d)", p.URL, p.Resp.StatusCode)
				}
			case "/revoke":
				resp, err := http.PostForm(e.ts.URL+"/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {clientID}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("revoke: %d", resp.StatusCode)
				}
			}
			wait()
			for i := range e.servers {
				resp := e.callReplica(t, i, tok.AccessToken)
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
					t.Fatalf("replica %d after the revocation: %d, want 401 invalid_token", i, resp.StatusCode)
				}
			}
		})
	}
}

// TestFleetTeamRemoval: a member removed from a team through one replica
// loses the team's account on every replica at the next call, although
// each had the member's connection list in memory.
func TestFleetTeamRemoval(t *testing.T) {
	e := fleetEnv(t)
	ann, ben := e.addPerson(t, "ann"), e.addPerson(t, "ben")
	team := ann.createTeam(t, "Alpha Stays")
	hostex := e.connectFor(t, ann, "hostex", store.AuthToken, map[string]string{connector.TokenField: sandbox.HostexWritableToken}, team)
	page := ann.post(t, ann.b.Get("/teams/"+team), "/teams/"+team+"/invites", url.Values{"role": {"member"}})
	link := regexp.MustCompile(`value="(http[^"]+/join/[^"]+)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no invitation link on the page:\n%s", page.Body)
	}
	join := strings.TrimPrefix(link[1], e.ts.URL)
	ben.post(t, ben.b.Get(join), join, nil)
	token := e.approveAs(t, ben, "Ben's app", hostex.ID)
	e.settle(t)

	apps := make([]*client.Client, len(e.servers))
	for i := range apps {
		apps[i] = e.replicaClient(t, i, token)
		if res := rawCall(t, apps[i], "list_properties", nil); res.IsError {
			t.Fatalf("replica %d: Ben's app before his removal: %s", i, resultText(res))
		}
	}
	wait := e.expect(t, func(c store.Change) bool { return c.Topic == store.TopicConnections && c.Key == team })
	page = ann.post(t, ann.b.Get("/teams/"+team), "/teams/"+team+"/members/"+ben.user.ID+"/remove", nil)
	if !strings.Contains(page.Body, "Removed from the team") {
		t.Fatalf("remove Ben: %d\n%s", page.Resp.StatusCode, page.Body)
	}
	wait()
	for i, app := range apps {
		res := rawCall(t, app, "list_properties", nil)
		if !res.IsError || !strings.Contains(resultText(res), "no longer available to the host") {
			t.Fatalf("replica %d: Ben's app after his removal: %s", i, resultText(res))
		}
	}
}

// TestFleetListenerLost: a revocation no notification told of (written
// behind hostgate's back, as if its notification were lost while the
// replicas' listening connections were down) does not outlive their
// reconnection: each replica drops what it keeps once it listens again.
func TestFleetListenerLost(t *testing.T) {
	e := fleetEnv(t)
	tok, _ := e.grant(t, "read")
	e.settle(t)
	for i := range e.servers {
		if resp := e.callReplica(t, i, tok.AccessToken); resp.StatusCode == http.StatusUnauthorized {
			t.Fatalf("replica %d refused a live token", i)
		}
	}
	ctx := t.Context()
	c, err := pgx.Connect(ctx, e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `UPDATE grants SET revoked_at = $1`, e.clock.Now().UnixNano()); err != nil {
		t.Fatal(err)
	}
	wait := e.expect(t, func(c store.Change) bool { return c.Topic == store.TopicReset && c.Key == store.ResetBack })
	var n int
	if err := c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE pid <> pg_backend_pid() AND application_name = 'hostgate_' || md5(current_schema())`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(e.servers) {
		t.Fatalf("%d listening connections ended, want %d", n, len(e.servers))
	}
	wait()
	for i := range e.servers {
		if resp := e.callReplica(t, i, tok.AccessToken); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("replica %d after its reconnection: %d, want 401", i, resp.StatusCode)
		}
	}
	if !strings.Contains(e.logs.String(), "lost the database's change feed") {
		t.Error("no log line says the change feed was lost")
	}
}

// TestFleetLimits: the host's limits of an app, which every replica keeps
// in memory once it has served the app, hold on the next call to each
// replica once set (here straight in the database, as another replica's
// connections page sets them), with no time passing: the change feed
// drops them.
func TestFleetLimits(t *testing.T) {
	e := fleetEnv(t)
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	tok, _ := f.tokens.GetToken(context.Background())
	clients := make([]*client.Client, 3)
	for i := range clients {
		clients[i] = e.replicaClient(t, i, tok.AccessToken)
		if msg := callTool(t, clients[i], "whoami", nil, nil); msg != "" {
			t.Fatalf("whoami on replica %d before the limits: %s", i, msg)
		}
	}
	wait := e.expect(t, func(c store.Change) bool { return c.Topic == store.TopicLimits })
	if err := e.store.SetAppLimits(context.Background(), store.AppLimits{UserID: e.host.ID, ClientID: f.clientID,
		Tools: []string{"list_properties"}, UpdatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	wait()
	for i, c := range clients {
		msg := callTool(t, c, "whoami", nil, nil)
		if !strings.Contains(msg, "limited this app to these tools: list_properties") {
			t.Fatalf("whoami on replica %d after the limits were set: %q", i, msg)
		}
	}
}
