package connector_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/hostex"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// oauthFixture is a Hostex sandbox (rotating refresh tokens, no grace), a
// real SQLite store, and one OAuth connection obtained through the fake's
// own authorize page.
type oauthFixture struct {
	clock *connectortest.Clock
	fake  *sandbox.Vendor
	spec  *connector.Spec
	store *sqlstore.Store
	lc    *connector.Lifecycle
	conn  store.Connection
}

const redirect = "http://127.0.0.1:9/callback"

func newOAuthFixture(t *testing.T) *oauthFixture {
	t.Helper()
	ctx := context.Background()
	f := &oauthFixture{clock: connectortest.NewClock(time.Now().UTC())}
	f.fake = connectortest.Start(t, sandbox.NewHostex(sandbox.Options{Now: f.clock.Now}))
	f.fake.SetRateLimiting(false)
	f.spec = connectortest.PointAt(hostex.NewSpec(), f.fake, f.clock.Now)
	f.spec.OAuth.ClientID, f.spec.OAuth.ClientSecret = sandbox.HostexClientID, sandbox.HostexClientSecret

	// The host approves on the vendor's page; the code comes back.
	b := browsertest.New(t, f.fake.URL)
	q := url.Values{"client_id": {sandbox.HostexClientID}, "redirect_uri": {redirect}, "state": {"s"}}
	p := b.Get(f.fake.AuthorizeURL + "?" + q.Encode())
	p = b.Submit(p.Form(t, ""), url.Values{"approve": {"approve"}})
	loc, _ := url.Parse(p.Resp.Header.Get("Location"))
	cred, err := f.spec.Exchange(ctx, f.spec, loc.Query().Get("code"), "", redirect)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}

	ring, _ := store.NewKeyring("k", map[string][]byte{"k": make([]byte, 32)})
	f.store, err = sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"), ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	now := f.clock.Now()
	if err := f.store.CreateUser(ctx, store.User{ID: "u", Username: "u", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	f.conn = store.Connection{ID: "c1", UserID: "u", Vendor: "hostex", AccountID: "a", Label: "x", AuthKind: store.AuthOAuth,
		Secret: cred.Encode(), AccessExpiresAt: cred.Expiry, Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}
	if err := f.store.CreateConnection(ctx, f.conn); err != nil {
		t.Fatal(err)
	}
	f.lc = connector.NewLifecycle(f.store, connector.NewRegistry(f.spec), f.clock.Now, nil)
	return f
}

func (f *oauthFixture) lister(t *testing.T) connector.PropertyLister {
	t.Helper()
	c, err := f.lc.Connector(f.conn)
	if err != nil {
		t.Fatal(err)
	}
	return c.(connector.PropertyLister)
}

// TestBurstAfterExpiryRefreshesOnce: 50 concurrent calls on a connection
// whose token has just expired make exactly one call to the vendor's token
// endpoint, and all 50 succeed — 100 times over.
func TestBurstAfterExpiryRefreshesOnce(t *testing.T) {
	f := newOAuthFixture(t)
	pl := f.lister(t)
	ctx := context.Background()
	for rep := range 100 {
		// Past the 7-day lifetime: expired for us and for the vendor.
		f.clock.Advance(7*24*time.Hour + time.Minute)
		before := f.fake.TokenRequests()
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				props, err := pl.ListProperties(ctx)
				if err == nil && len(props) == 0 {
					err = errors.New("no properties")
				}
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("repetition %d: %v", rep, err)
			}
		}
		if n := f.fake.TokenRequests() - before; n != 1 {
			t.Fatalf("repetition %d: %d token requests, want exactly 1", rep, n)
		}
	}
	// The rotated refresh token was persisted each time.
	c, err := f.store.GetConnection(ctx, f.conn.ID)
	if err != nil || c.Status != store.StatusOK || c.Version < 101 {
		t.Fatalf("connection after 100 refreshes: %+v, %v", c, err)
	}
}

// TestVendor401RefreshesAndRetriesOnce: the vendor refuses a token it gave
// (revoked elsewhere); the client refreshes once and retries once.
func TestVendor401RefreshesAndRetriesOnce(t *testing.T) {
	f := newOAuthFixture(t)
	pl := f.lister(t)
	ctx := context.Background()
	if _, err := pl.ListProperties(ctx); err != nil {
		t.Fatal(err)
	}
	before := f.fake.TokenRequests()
	f.fake.ExpireAccessTokens() // our clock still says valid
	if _, err := pl.ListProperties(ctx); err != nil {
		t.Fatalf("after a vendor 401: %v", err)
	}
	if n := f.fake.TokenRequests() - before; n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
	// A vendor that keeps refusing: one refresh, one retry, then the error.
	before = f.fake.TokenRequests()
	f.fake.Fail(sandbox.Fault{Status: 401, Times: -1})
	defer f.fake.ClearFaults()
	if _, err := pl.ListProperties(ctx); !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("persistent 401: %v, want ErrUnauthorized", err)
	}
	if n := f.fake.TokenRequests() - before; n != 1 {
		t.Fatalf("%d token requests for a persistent 401, want 1", n)
	}
}

// TestDeadRefreshNeedsReauth: a refresh token the vendor no longer honours
// marks the connection needs_reauth, and calls fail with ErrNeedsReauth
// without asking the vendor again.
func TestDeadRefreshNeedsReauth(t *testing.T) {
	f := newOAuthFixture(t)
	pl := f.lister(t)
	ctx := context.Background()
	f.fake.RotateRefreshTokensOutOfBand()
	f.clock.Advance(8 * 24 * time.Hour)
	if _, err := pl.ListProperties(ctx); !errors.Is(err, connector.ErrNeedsReauth) {
		t.Fatalf("dead refresh: %v, want ErrNeedsReauth", err)
	}
	c, err := f.store.GetConnection(ctx, f.conn.ID)
	if err != nil || c.Status != store.StatusNeedsReauth || c.LastError == "" {
		t.Fatalf("connection = %+v, %v", c, err)
	}
	before := f.fake.TokenRequests()
	if _, err := pl.ListProperties(ctx); !errors.Is(err, connector.ErrNeedsReauth) {
		t.Fatalf("second call: %v", err)
	}
	if f.fake.TokenRequests() != before {
		t.Fatal("a needs_reauth connection asked the vendor again")
	}
}

// TestRefreshSurvivesCallerCancel: a caller that gives up mid-refresh does
// not abort it, so a rotated refresh token is never lost to a cancel.
func TestRefreshSurvivesCallerCancel(t *testing.T) {
	f := newOAuthFixture(t)
	f.clock.Advance(8 * 24 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	f.fake.Fail(sandbox.Fault{Path: "/oauth/authorizations", Delay: 200 * time.Millisecond})
	src := f.lc.Source(f.conn)
	done := make(chan error, 1)
	go func() { _, err := src.Token(ctx); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	// The refresh finishes on its own; the next caller gets its result.
	cred, err := src.Token(context.Background())
	if err != nil || !cred.Valid(f.clock.Now(), 0) {
		t.Fatalf("after cancel: %+v, %v", cred, err)
	}
	c, _ := f.store.GetConnection(context.Background(), f.conn.ID)
	if c.Status != store.StatusOK {
		t.Fatalf("status %s", c.Status)
	}
}
