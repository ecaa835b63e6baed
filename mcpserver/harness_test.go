package mcpserver_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/demo"
	"github.com/hostgate/hostgate/internal/oidcfake"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// fastParams keep argon2id cheap in tests; production uses DefaultParams.
var fastParams = signin.Params{Memory: 1024, Time: 1, Threads: 1}

const (
	hostName     = "alice"
	hostPassword = "correct horse battery"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// written is closed (and replaced) on every write, for waitFor.
	written chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor returns the log once done holds for it, woken by each write, or
// what the log holds when limit passes first.
func (s *syncBuffer) waitFor(done func(log string) bool, limit time.Duration) string {
	timeout := time.After(limit)
	for {
		s.mu.Lock()
		log := s.b.String()
		if s.written == nil {
			s.written = make(chan struct{})
		}
		ch := s.written
		s.mu.Unlock()
		if done(log) {
			return log
		}
		select {
		case <-ch:
		case <-timeout:
			return log
		}
	}
}

// env is a running hostgate on loopback with a real database: a SQLite
// file, or a PostgreSQL schema when HOSTGATE_TEST_POSTGRES is set (testdb).
type env struct {
	t     testing.TB
	clock *clock
	db    testdb.DB
	store *sqlstore.Store
	srv   *mcpserver.Server
	ts    *httptest.Server
	logs  *syncBuffer
	host  store.User
	// sandbox is set when envOptions.sandbox asked for the fake vendors.
	sandbox *sandbox.Sandbox
	// lb is the load balancer in front of envOptions.replicas servers.
	lb *balancer
	// idp is the fake OpenID provider "idp" when envOptions.oidc asked for it.
	idp *oidcfake.Server
	// servers are the replicas, e.srv first.
	servers []*mcpserver.Server
}

type envOptions struct {
	accessTTL time.Duration
	// sandbox starts the four fake vendors and connects them for the host.
	sandbox bool
	// sandboxClock runs the fake vendors on the env's fixed clock instead
	// of the wall clock, so their seeded data is the same on every run.
	sandboxClock bool
	// bulk seeds each reservation-keeping fake with this many extra
	// reservations in the 30 days from today (sandbox.Options.Bulk).
	bulk int
	// quiet logs at info level (benchmarks); tests log everything.
	quiet bool
	// cacheBytes turns the vendor read cache on (mcpserver.Config.CacheBytes).
	cacheBytes int64
	// noBudgets leaves the vendors' rate budgets off (benchmarks of cold
	// vendor calls, which would spend them).
	noBudgets bool
	// activityRetention is mcpserver.Config.ActivityRetention.
	activityRetention time.Duration
	// replicas runs this many hostgate servers on the one database, each
	// with its own store handle, behind a load balancer (replicas_test.go);
	// 0 or 1 is one server. e.srv is the first.
	replicas int
	// oidc offers sign-in with a fake OpenID provider, "idp", that signs
	// in idpUser (admitted whatever the address: AllowAnyAccount).
	oidc bool
}

// idpUser is who the fake OpenID provider signs in.
var idpUser = oidcfake.User{Subject: "idp-sub-dee", Email: "dee@example.com", EmailVerified: true, Name: "Dee"}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	ring, err := store.NewKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.New(t)
	st := db.Open(t, ring)
	e := &env{t: t, clock: &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}, db: db, store: st, logs: &syncBuffer{}}
	// Debug level: the leak test must see everything hostgate can log.
	level := slog.LevelDebug
	if o.quiet {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: level}))
	// The issuer URL must be known before the server is built, so the
	// listener starts first and the handler is installed after.
	var handler atomic.Pointer[http.Handler]
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(e.ts.Close)
	var specs []*connector.Spec
	if o.sandbox {
		so := sandbox.Options{Bulk: o.bulk}
		if o.sandboxClock {
			so.Now = e.clock.Now
		}
		sb, err := sandbox.Start(so)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sb.Close)
		e.sandbox = sb
		specs = demo.Specs(sb, e.ts.URL+mcpserver.PathOAuthCallback)
		for _, s := range specs {
			switch {
			case o.noBudgets:
				s.Budget = nil
			case o.sandboxClock && s.Budget != nil:
				// The fakes count their limits on the test's clock, so
				// hostgate's budgets do too.
				s.Budget.Now = e.clock.Now
			}
		}
	}
	var providers []signin.Provider
	if o.oidc {
		idp, err := oidcfake.Start(oidcfake.Options{ClientID: "hostgate-test", ClientSecret: "idp-client-secret",
			RedirectURI: e.ts.URL + signin.PathOIDCCallback, User: idpUser, Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idp.Close() })
		e.idp = idp
		providers = []signin.Provider{{Name: "idp", Label: "Example ID", Issuer: idp.Issuer(),
			ClientID: "hostgate-test", ClientSecret: "idp-client-secret", AllowAnyAccount: true}}
	}
	var lb *balancer
	for i := range max(1, o.replicas) {
		rst := st
		if i > 0 {
			rst = db.Open(t, ring)
		}
		srv, err := mcpserver.New(mcpserver.Config{
			Vendors: specs,
			BaseURL: e.ts.URL, Store: rst, CSRFKey: bytes.Repeat([]byte{9}, 32), StateKey: bytes.Repeat([]byte{7}, 32),
			AccessTTL: o.accessTTL, Version: "test", PasswordParams: fastParams,
			AllowLoopbackMetadata: true, Logger: log, Now: e.clock.Now, CacheBytes: o.cacheBytes, ActivityRetention: o.activityRetention,
			OIDCProviders: providers,
			Tools:         func(d *tools.Deps) []tools.Tool { return append(tools.All(d), writeProbe(d)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		// Before the store closes (cleanups run last first): the activity
		// log's writer finishes with it.
		t.Cleanup(func() {
			if err := srv.Close(context.Background()); err != nil {
				t.Errorf("close server: %v", err)
			}
		})
		if i == 0 {
			e.srv = srv
		}
		e.servers = append(e.servers, srv)
		if o.replicas > 1 {
			if lb == nil {
				lb = &balancer{}
				e.lb = lb
			}
			lb.replicas = append(lb.replicas, srv.Handler())
		}
	}
	h := e.srv.Handler()
	if lb != nil {
		h = lb
	}
	handler.Store(&h)
	hash, err := signin.HashPassword(hostPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	e.host = store.User{ID: "host-1", Username: hostName, PasswordHash: hash, CreatedAt: e.clock.Now()}
	if err := st.CreateUser(ctx, e.host); err != nil {
		t.Fatal(err)
	}
	if o.sandbox {
		if err := demo.Connect(ctx, e.srv, specs, e.host.ID); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// writeProbe is a write-scoped tool for the scope tests, standing in for
// the vendor write tools (send_message) until they exist.
func writeProbe(d *tools.Deps) tools.Tool {
	type in struct{}
	type out struct {
		OK bool `json:"ok"`
	}
	return tools.New(tools.Meta{Name: "write_probe", Description: "test", Scope: tools.ScopeWrite, Destructive: true}, d,
		func(context.Context, *tools.Deps, *tools.Caller, in) (out, string, error) {
			return out{OK: true}, "ok", nil
		})
}
