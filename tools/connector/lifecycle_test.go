package connector_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/hospitable"
	"github.com/hostgate/hostgate/tools/connector/hostaway"
	"github.com/hostgate/hostgate/tools/connector/hostex"
	"github.com/hostgate/hostgate/tools/connector/hoxtonai"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// world is the four sandbox vendors on one injected clock, a real store
// (SQLite, or PostgreSQL with HOSTGATE_TEST_POSTGRES: testdb), and the
// lifecycle over them, with hostgate's OAuth clients registered at each
// vendor that has one.
type world struct {
	clock *connectortest.Clock
	sb    *sandbox.Sandbox
	db    testdb.DB
	store *sqlstore.Store
	reg   *connector.Registry
	lc    *connector.Lifecycle
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{clock: connectortest.NewClock(time.Now().UTC())}
	var err error
	w.sb, err = sandbox.Start(sandbox.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.sb.Close)
	clients := map[string][2]string{
		"hostex":     {sandbox.HostexClientID, sandbox.HostexClientSecret},
		"hospitable": {sandbox.HospitableClientID, sandbox.HospitableClientSecret},
		"hoxtonai":   {sandbox.HoxtonAIClientID, sandbox.HoxtonAIClientSecret},
	}
	var specs []*connector.Spec
	for _, s := range []*connector.Spec{hostex.NewSpec(), hospitable.NewSpec(), hostaway.NewSpec(), hoxtonai.NewSpec()} {
		v := w.fake(t, s.Name)
		v.SetRateLimiting(false)
		connectortest.PointAt(s, v, w.clock.Now)
		if c, ok := clients[s.Name]; ok {
			s.OAuth.ClientID, s.OAuth.ClientSecret = c[0], c[1]
		}
		specs = append(specs, s)
	}
	w.reg = connector.NewRegistry(specs...)
	w.db = testdb.New(t)
	w.store = openStore(t, w.db)
	w.lc = connector.NewLifecycle(w.store, w.reg, w.clock.Now, quiet)
	return w
}

// quiet drops the lifecycle's logs.
var quiet = slog.New(slog.DiscardHandler)

// openStore opens the world's database and makes its host.
func openStore(t *testing.T, db testdb.DB) *sqlstore.Store {
	t.Helper()
	st := db.Open(t, ring())
	if err := st.CreateUser(context.Background(), store.User{ID: "u", Username: "u"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// ring is the keyring every store of a test's database opens with.
func ring() *store.Keyring {
	r, _ := store.NewKeyring("k", map[string][]byte{"k": make([]byte, 32)})
	return r
}

func (w *world) fake(t *testing.T, vendor string) *sandbox.Vendor {
	t.Helper()
	for _, v := range w.sb.Vendors() {
		if v.Name == vendor {
			return v
		}
	}
	t.Fatalf("no sandbox vendor %q", vendor)
	return nil
}

func (w *world) spec(t *testing.T, vendor string) *connector.Spec {
	t.Helper()
	s, ok := w.reg.Spec(vendor)
	if !ok {
		t.Fatalf("no spec %q", vendor)
	}
	return s
}

// way is one way a host connects a vendor account.
type way struct {
	vendor string
	kind   store.AuthKind
	values map[string]string // the connect form; nil for OAuth
	// renews: hostgate can get a new access token without the host.
	renews bool
}

func (k way) String() string { return k.vendor + "/" + string(k.kind) }

// ways are every vendor's every way to connect.
var ways = []way{
	{"hostex", store.AuthToken, map[string]string{"access_token": sandbox.HostexWritableToken}, false},
	{"hostex", store.AuthOAuth, nil, true},
	{"hospitable", store.AuthToken, map[string]string{"access_token": sandbox.HospitablePAT}, false},
	{"hospitable", store.AuthOAuth, nil, true},
	{"hostaway", store.AuthClientCredentials, map[string]string{
		hostaway.FieldAccountID: sandbox.HostawayAccountID, hostaway.FieldAPIKey: sandbox.HostawayAPIKey}, true},
	{"hoxtonai", store.AuthClientCredentials, map[string]string{
		hoxtonai.FieldClientID: sandbox.HoxtonAIM2MClientID, hoxtonai.FieldClientSecret: sandbox.HoxtonAIM2MClientSecret}, true},
	{"hoxtonai", store.AuthOAuth, nil, true},
}

// connect connects the host's sandbox account one way, through the
// lifecycle, as the connections page does.
func (w *world) connect(t *testing.T, k way) store.Connection {
	t.Helper()
	req := connector.Connect{UserID: "u", Vendor: k.vendor, Kind: k.kind, Values: k.values}
	if k.kind == store.AuthOAuth {
		req.Code, req.Verifier, req.RedirectURI = w.authorize(t, k.vendor)
	}
	conn, err := w.lc.Connect(context.Background(), req)
	if err != nil {
		t.Fatalf("connect %s: %v", k, err)
	}
	if conn.Status != store.StatusOK || conn.AuthKind != k.kind {
		t.Fatalf("connect %s: %+v", k, conn)
	}
	return conn
}

// authorize plays the host on the vendor's own consent page and returns
// the code, the PKCE verifier sent (if the vendor takes one) and the
// redirect URI.
func (w *world) authorize(t *testing.T, vendor string) (code, verifier, redirectURI string) {
	t.Helper()
	s := w.spec(t, vendor)
	q := url.Values{"response_type": {"code"}, "client_id": {s.OAuth.ClientID}, "redirect_uri": {redirect}, "state": {"s"}}
	if len(s.OAuth.Scopes) > 0 {
		q.Set("scope", strings.Join(s.OAuth.Scopes, " "))
	}
	if s.OAuth.PKCE {
		verifier = strings.Repeat("v", 43)
		sum := sha256.Sum256([]byte(verifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range s.OAuth.AuthParams {
		q.Set(k, v)
	}
	loc := connectortest.Approve(t, s.OAuth.AuthURL+"?"+q.Encode())
	return loc.Query().Get("code"), verifier, redirect
}

func (w *world) get(t *testing.T, id string) store.Connection {
	t.Helper()
	c, err := w.store.GetConnection(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func credOf(t *testing.T, c store.Connection) connector.Credential {
	t.Helper()
	cred, err := connector.DecodeCredential(c.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// works asks the vendor with the connection's credential as stored, outside
// hostgate's token source, so nothing is renewed on the way.
func (w *world) works(t *testing.T, c store.Connection) error {
	t.Helper()
	s := w.spec(t, c.Vendor)
	_, err := s.New(s, connector.StaticSource(credOf(t, c))).Check(context.Background())
	return err
}

// TestRefreshKeepsWorkingConnectionsWorking: refresh_connection and "Check
// now" on every vendor's every kind of connection, twice. A credential
// hostgate can renew (OAuth refresh token, API key, client credentials)
// is renewed once each time and the new one stored; a pasted personal
// token has nothing to renew it by and is only checked: no token request,
// no write. Either way the connection stays ok and works at the vendor.
func TestRefreshKeepsWorkingConnectionsWorking(t *testing.T) {
	for _, k := range ways {
		t.Run(k.String(), func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			v := w.fake(t, k.vendor)
			conn := w.connect(t, k)
			for round := range 2 {
				before, tokens := w.get(t, conn.ID), v.TokenRequests()
				after, err := w.lc.Refresh(ctx, before)
				if err != nil {
					t.Fatalf("round %d: Refresh: %v", round, err)
				}
				stored := w.get(t, conn.ID)
				if after.Status != store.StatusOK || stored.Status != store.StatusOK || stored.LastError != "" {
					t.Fatalf("round %d: after Refresh %+v, stored %+v", round, after, stored)
				}
				renewed := credOf(t, stored).AccessToken != credOf(t, before).AccessToken
				wantTokens := 0
				if k.renews {
					wantTokens = 1
				}
				if n := v.TokenRequests() - tokens; n != wantTokens || renewed != k.renews {
					t.Fatalf("round %d: %d token requests, renewed %v; want %d, %v", round, n, renewed, wantTokens, k.renews)
				}
				if !k.renews && (stored.Version != before.Version || string(stored.Secret) != string(before.Secret)) {
					t.Fatalf("round %d: checking a personal token wrote the connection: version %d → %d", round, before.Version, stored.Version)
				}
				if err := w.works(t, stored); err != nil {
					t.Fatalf("round %d: the stored credential does not work at the vendor: %v", round, err)
				}
			}
			// And the connection answers through hostgate without another renewal.
			tokens := v.TokenRequests()
			if _, err := w.lc.Check(ctx, w.get(t, conn.ID)); err != nil || v.TokenRequests() != tokens {
				t.Fatalf("check after refreshing: %v, %d token requests", err, v.TokenRequests()-tokens)
			}
		})
	}
}

// TestRefreshRefusedCredentialNeedsReauth: only a credential the vendor
// actually refuses ends in needs_reauth: a personal token it answers 401
// to, a refresh token it no longer honours, an API key or machine client
// it will not mint from. Such a connection is not called again.
func TestRefreshRefusedCredentialNeedsReauth(t *testing.T) {
	for _, tc := range []struct {
		way    way
		refuse func(w *world, v *sandbox.Vendor)
		why    string
	}{
		{ways[0], func(_ *world, v *sandbox.Vendor) { v.Fail(sandbox.Fault{Status: 401, Times: -1}) }, "the vendor refused the saved token"},
		{ways[2], func(_ *world, v *sandbox.Vendor) { v.Fail(sandbox.Fault{Status: 401, Times: -1}) }, "the vendor refused the saved token"},
		{ways[1], func(_ *world, v *sandbox.Vendor) { v.RotateRefreshTokensOutOfBand() }, "the vendor refused to renew access"},
		{ways[3], func(_ *world, v *sandbox.Vendor) { v.RotateRefreshTokensOutOfBand() }, "the vendor refused to renew access"},
		{ways[4], func(_ *world, v *sandbox.Vendor) {
			v.Fail(sandbox.Fault{Path: tokenPath(v), Status: 403, Times: -1})
		}, "the vendor refused to renew access"},
		{ways[5], func(_ *world, v *sandbox.Vendor) {
			v.Fail(sandbox.Fault{Path: tokenPath(v), Status: 401, Times: -1})
		}, "the vendor refused to renew access"},
		{ways[6], func(_ *world, v *sandbox.Vendor) { v.RotateRefreshTokensOutOfBand() }, "the vendor refused to renew access"},
	} {
		t.Run(tc.way.String(), func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			v := w.fake(t, tc.way.vendor)
			conn := w.connect(t, tc.way)
			tc.refuse(w, v)
			if _, err := w.lc.Refresh(ctx, conn); !errors.Is(err, connector.ErrNeedsReauth) {
				t.Fatalf("Refresh of a refused credential: %v, want ErrNeedsReauth", err)
			}
			stored := w.get(t, conn.ID)
			if stored.Status != store.StatusNeedsReauth || stored.LastError != tc.why {
				t.Fatalf("stored %s %q, want needs_reauth %q", stored.Status, stored.LastError, tc.why)
			}
			calls := v.Requests("")
			if _, err := w.lc.Refresh(ctx, stored); !errors.Is(err, connector.ErrNeedsReauth) || v.Requests("") != calls {
				t.Fatalf("second Refresh: %v after %d vendor calls; want ErrNeedsReauth and none", err, v.Requests("")-calls)
			}
		})
	}
}

// tokenPath is the path of a fake's token endpoint, for a scripted fault.
func tokenPath(v *sandbox.Vendor) string {
	u, _ := url.Parse(v.TokenURL)
	return u.Path
}

// TestRefreshOutageKeepsConnection: a vendor that fails (HTTP 500, on the
// API or the token endpoint) is not a refusal: Refresh fails, the
// connection stays ok, and works once the vendor is back.
func TestRefreshOutageKeepsConnection(t *testing.T) {
	for _, tc := range []struct {
		way   way
		fault func(v *sandbox.Vendor) sandbox.Fault
	}{
		{ways[0], func(*sandbox.Vendor) sandbox.Fault { return sandbox.Fault{Status: 500, Times: -1} }},
		{ways[2], func(*sandbox.Vendor) sandbox.Fault { return sandbox.Fault{Status: 503, Times: -1} }},
		{ways[1], func(v *sandbox.Vendor) sandbox.Fault {
			return sandbox.Fault{Path: tokenPath(v), Status: 500, Times: -1}
		}},
		{ways[4], func(v *sandbox.Vendor) sandbox.Fault {
			return sandbox.Fault{Path: tokenPath(v), Status: 502, HTTPStatus: 502, Times: -1}
		}},
		{ways[6], func(v *sandbox.Vendor) sandbox.Fault {
			return sandbox.Fault{Path: tokenPath(v), Status: 503, Times: -1}
		}},
	} {
		t.Run(tc.way.String(), func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			v := w.fake(t, tc.way.vendor)
			conn := w.connect(t, tc.way)
			v.Fail(tc.fault(v))
			_, err := w.lc.Refresh(ctx, conn)
			if err == nil || errors.Is(err, connector.ErrNeedsReauth) {
				t.Fatalf("Refresh during an outage: %v, want a failure that is not needs_reauth", err)
			}
			if s := w.get(t, conn.ID); s.Status != store.StatusOK {
				t.Fatalf("status %s after an outage, want ok", s.Status)
			}
			v.ClearFaults()
			if _, err := w.lc.Refresh(ctx, w.get(t, conn.ID)); err != nil {
				t.Fatalf("Refresh after the outage: %v", err)
			}
		})
	}
}

// TestReconnectRevokesReplacedCredential: pasting a personal token over a
// Hostex OAuth connection keeps the connection (same id) and revokes the
// OAuth grant it replaces at Hostex; a reconnect over a personal token,
// which Hostex does not let partners revoke, calls nothing.
func TestReconnectRevokesReplacedCredential(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	hx := w.fake(t, "hostex")
	pat := w.connect(t, ways[0])
	oauth := w.connect(t, ways[1])
	if oauth.ID != pat.ID {
		t.Fatalf("OAuth for the same account made a new connection %s, want %s reconnected", oauth.ID, pat.ID)
	}
	if n := hx.Requests("/oauth/revoke"); n != 0 {
		t.Fatalf("%d revocations replacing a personal token, want none", n)
	}
	grant := credOf(t, w.get(t, oauth.ID))

	again := w.connect(t, way{"hostex", store.AuthToken, map[string]string{"access_token": sandbox.HostexReadOnlyToken}, false})
	if again.ID != pat.ID || again.AuthKind != store.AuthToken || credOf(t, again).AccessToken != sandbox.HostexReadOnlyToken {
		t.Fatalf("reconnect = %+v", again)
	}
	if n := hx.Requests("/oauth/revoke"); n != 1 {
		t.Fatalf("%d revocations replacing an OAuth grant, want 1", n)
	}
	s := w.spec(t, "hostex")
	if _, err := s.New(s, connector.StaticSource(grant)).Check(ctx); !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("the replaced grant's token at Hostex: %v, want ErrUnauthorized", err)
	}
	if _, err := w.lc.Check(ctx, again); err != nil {
		t.Fatalf("the new token: %v", err)
	}
}

// TestConnectLabel: a typed label is cut to 80 characters, never inside
// one; without one a new connection is named for its account and a
// reconnected one keeps its name.
func TestConnectLabel(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	long := strings.Repeat("é", 100)
	conn, err := w.lc.Connect(ctx, connector.Connect{UserID: "u", Vendor: "hostex", Kind: store.AuthToken, Values: ways[0].values, Label: " " + long + " "})
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(conn.Label) || utf8.RuneCountInString(conn.Label) != 80 || w.get(t, conn.ID).Label != conn.Label {
		t.Fatalf("label %q (%d characters), want 80 é", conn.Label, utf8.RuneCountInString(conn.Label))
	}
	again := w.connect(t, ways[0])
	if again.ID != conn.ID || again.Label != conn.Label {
		t.Fatalf("reconnect without a label: %q, want %q kept", again.Label, conn.Label)
	}
	other := w.connect(t, ways[2])
	if other.Label == "" {
		t.Fatal("a new connection without a label has no name")
	}
}

// TestConnectRefusedStoresNothing: a credential the vendor refuses is a
// *ConnectError wrapping the vendor's sentinel, and nothing is stored.
func TestConnectRefusedStoresNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		req  connector.Connect
		want error
	}{
		{connector.Connect{UserID: "u", Vendor: "hostex", Kind: store.AuthToken, Values: map[string]string{"access_token": "hx_pat_made_up_0123456789"}}, connector.ErrUnauthorized},
		{connector.Connect{UserID: "u", Vendor: "hostex", Kind: store.AuthToken, Values: map[string]string{"access_token": "two words"}}, connector.ErrBadRequest},
		{connector.Connect{UserID: "u", Vendor: "hostex", Kind: store.AuthOAuth, Code: "made-up", RedirectURI: redirect}, connector.ErrUnauthorized},
	} {
		_, err := w.lc.Connect(ctx, tc.req)
		var ce *connector.ConnectError
		if !errors.As(err, &ce) || !errors.Is(err, tc.want) {
			t.Errorf("Connect %+v: %v, want a ConnectError wrapping %v", tc.req, err, tc.want)
		}
	}
	if conns, _ := w.store.ListConnections(ctx, "u"); len(conns) != 0 {
		t.Fatalf("%d connections stored from refused credentials", len(conns))
	}
}

// TestDisconnectRevokesAndForgets: disconnecting revokes the grant at the
// vendor, deletes the connection, and its connector (built before) no
// longer has a credential to use; a second disconnect is a no-op.
func TestDisconnectRevokesAndForgets(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	hx := w.fake(t, "hostex")
	conn := w.connect(t, ways[1])
	cn, err := w.lc.Connector(conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cn.Check(ctx); err != nil {
		t.Fatal(err)
	}
	revoked, err := w.lc.Disconnect(ctx, conn)
	if err != nil || !revoked {
		t.Fatalf("Disconnect: revoked %v, %v", revoked, err)
	}
	if _, err := w.store.GetConnection(ctx, conn.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("connection after disconnect: %v", err)
	}
	if err := w.works(t, conn); !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("the disconnected grant at Hostex: %v, want ErrUnauthorized", err)
	}
	if _, err := cn.Check(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old connector after disconnect: %v, want the connection gone", err)
	}
	revokes := hx.Requests("/oauth/revoke")
	if revoked, err := w.lc.Disconnect(ctx, conn); err != nil || revoked || hx.Requests("/oauth/revoke") != revokes {
		t.Fatalf("second Disconnect: revoked %v, %v, %d more revocations", revoked, err, hx.Requests("/oauth/revoke")-revokes)
	}
}

// interloper is a store in which another writer (another process, the host
// on another tab) commits once between the lifecycle's read of a
// connection and its write.
type interloper struct {
	store.Connections
	mu    sync.Mutex
	first func()
}

func (s *interloper) UpdateConnection(ctx context.Context, id string, fn func(store.Connection) (store.Connection, error)) (store.Connection, error) {
	s.mu.Lock()
	first := s.first
	s.first = nil
	s.mu.Unlock()
	if first != nil {
		first()
	}
	return s.Connections.UpdateConnection(ctx, id, fn)
}

// setSecret is the interloper's write: another credential, status ok.
func setSecret(t *testing.T, st store.Connections, id string, c connector.Credential) func() {
	return func() {
		if _, err := st.UpdateConnection(context.Background(), id, func(conn store.Connection) (store.Connection, error) {
			conn.Secret, conn.AuthKind, conn.Status = c.Encode(), store.AuthToken, store.StatusOK
			return conn, nil
		}); err != nil {
			t.Error(err)
		}
	}
}

// TestNewerCredentialWins: what the lifecycle writes after a vendor call
// is written only if the row still holds the credential it acted on. A
// renewal that finishes after the host pasted a new token keeps the
// host's token; a refusal of a credential already replaced does not mark
// the connection needs_reauth, and the call goes on with the new one.
func TestNewerCredentialWins(t *testing.T) {
	t.Run("renewal after a reconnect", func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		conn := w.connect(t, ways[1])
		st := &interloper{Connections: w.store}
		lc := connector.NewLifecycle(st, w.reg, w.clock.Now, quiet)
		st.first = setSecret(t, w.store, conn.ID, connector.Credential{AccessToken: sandbox.HostexReadOnlyToken})
		if _, err := lc.Refresh(ctx, conn); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		stored := w.get(t, conn.ID)
		if got := credOf(t, stored).AccessToken; got != sandbox.HostexReadOnlyToken || stored.Status != store.StatusOK {
			t.Fatalf("stored %s with access token %.10q…, want the host's new token, ok", stored.Status, got)
		}
	})
	t.Run("refusal after a reconnect", func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		conn := w.connect(t, ways[0])
		st := &interloper{Connections: w.store}
		lc := connector.NewLifecycle(st, w.reg, w.clock.Now, quiet)
		w.fake(t, "hostex").Fail(sandbox.Fault{Status: 401}) // refuses the old token once
		st.first = setSecret(t, w.store, conn.ID, connector.Credential{AccessToken: sandbox.HostexReadOnlyToken})
		if _, err := lc.Refresh(ctx, conn); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		stored := w.get(t, conn.ID)
		if got := credOf(t, stored).AccessToken; got != sandbox.HostexReadOnlyToken || stored.Status != store.StatusOK {
			t.Fatalf("stored %s %q with access token %.10q…, want the new token, ok", stored.Status, stored.LastError, got)
		}
	})
}

// TestTwoProcessesRenewOneConnection: two hostgate processes (two
// lifecycles, each with its own cache, single flight and store handle,
// over one database) renew one Hostex OAuth connection at the same moment. Hostex
// rotates the refresh token with no grace, so one renewal fails at the
// vendor; whichever order the two writes land in, the connection ends ok
// with the credential that won, and it works. The renewal lease would keep
// the second process from the vendor (replicas_test.go); the stores here
// hide it, as a lease taken over from a process thought dead would, so
// that the store's conditional save alone settles the race.
func TestTwoProcessesRenewOneConnection(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	conn := w.connect(t, ways[1])
	base := w.spec(t, "hostex")
	var gate barrier
	process := func(st store.Connections) *connector.Lifecycle {
		s := *base
		s.Refresh = func(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
			gate.await() // both renewals reach the vendor together
			return base.Refresh(ctx, s, c)
		}
		return connector.NewLifecycle(st, connector.NewRegistry(&s), w.clock.Now, quiet)
	}
	a, b := process(noLeases{w.store}), process(noLeases{w.db.Open(t, ring())})
	for round := range 20 {
		c := w.get(t, conn.ID)
		gate.reset(2)
		var wg sync.WaitGroup
		for _, lc := range []*connector.Lifecycle{a, b} {
			wg.Go(func() { _, _ = lc.Refresh(ctx, c) })
		}
		wg.Wait()
		stored := w.get(t, conn.ID)
		if stored.Status != store.StatusOK {
			t.Fatalf("round %d: status %s %q, want ok", round, stored.Status, stored.LastError)
		}
		if err := w.works(t, stored); err != nil {
			t.Fatalf("round %d: the stored credential does not work: %v", round, err)
		}
		// Its refresh token is the live one: the next round renews it.
	}
}

// noLeases is a store whose renewal leases are hidden: the lifecycle over
// it renews without one.
type noLeases struct{ store.Connections }

// barrier holds the first n callers of await until all n have arrived;
// later callers pass straight through.
type barrier struct {
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func (b *barrier) reset(n int) {
	b.mu.Lock()
	b.waiting, b.release = n, make(chan struct{})
	b.mu.Unlock()
}

func (b *barrier) await() {
	b.mu.Lock()
	if b.waiting == 0 {
		b.mu.Unlock()
		return
	}
	b.waiting--
	release := b.release
	if b.waiting == 0 {
		close(release)
	}
	b.mu.Unlock()
	<-release
}
