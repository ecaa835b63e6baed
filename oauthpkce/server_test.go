package oauthpkce

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// newTestServer returns an authorization server on a fresh SQLite store,
// mounted on an httptest server whose URL is the issuer (Resource is
// issuer+"/mcp"). mod, if not nil, changes the Config before New; the
// Issuer, Store and Signin it finds are already set. Logs are discarded
// unless mod sets Logger. Everything is closed when the test ends.
func newTestServer(t *testing.T, mod func(*Config)) (*Server, *sqlstore.Store, *httptest.Server) {
	t.Helper()
	keys, err := store.NewKeyring("k1", map[string][]byte{"k1": make([]byte, store.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "db.sqlite"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// The issuer is the test server's URL, so the server starts before
	// New; routes are added to its mux afterwards (ServeMux is safe for
	// concurrent registration and serving).
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	cfg := Config{
		Issuer:   ts.URL,
		Resource: ts.URL + "/mcp",
		Store:    st,
		Signin:   &signin.Manager{},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Mount(mux)
	return s, st, ts
}

// testClock is a settable clock for Config.Now; safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// newTestClock returns a clock reading a fixed UTC instant.
func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
