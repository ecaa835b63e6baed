package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/tools/connector"
)

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	bindFlags(fs, &cfg, defaults("hostgate-data"))
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: hostgate serve [flags]\n\nRuns hostgate. Flags (each with its environment variable):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	app, err := open(cfg, os.Stderr, vendorSpecs())
	if err != nil {
		return err
	}
	defer app.close()
	return app.serve(nil)
}

// app is a configured hostgate: its store, its HTTP surface and its logger.
type app struct {
	cfg   Config
	log   *slog.Logger
	store *sqlstore.Store
	srv   *mcpserver.Server
	// sweeper and refresher run in one replica at a time (fleetjobs.go).
	sweeper, refresher *fleetJob
}

// open validates cfg, opens the data dir, the key and the store, and builds
// the server.
func open(cfg Config, logOut io.Writer, vendors []*connector.Spec) (*app, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	level, _ := cfg.level()
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(logOut, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(logOut, opts)
	}
	log := slog.New(h)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if err := sharedKeys(cfg); err != nil {
		return nil, err
	}
	master, from, err := masterKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	k, err := deriveKeys(master)
	if err != nil {
		return nil, err
	}
	log.Info("secret key loaded", "from", from)
	ctx := context.Background()
	st, err := openStore(ctx, cfg, k.ring, log)
	if err != nil {
		return nil, err
	}
	shareBudgets(st, vendors, log)
	trusted, _ := cfg.trustedProxies() // checked by validate
	providers, err := cfg.oidcProviders()
	if err != nil {
		st.Close()
		return nil, err
	}
	srv, err := mcpserver.New(mcpserver.Config{
		BaseURL: cfg.BaseURL, Store: st, CSRFKey: k.csrf, StateKey: k.state,
		AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, Version: version,
		AllowedOrigins: cfg.origins(), Logger: log, Vendors: vendors,
		TrustedProxies: trusted, CacheBytes: cfg.CacheBytes, ActivityRetention: cfg.ActivityRetention,
		OIDCProviders: providers, NoPasswordSignIn: !cfg.PasswordSignIn,
		SharedSignInLimits: sharedSignInLimits(st),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	srv.OAuth().SetLifetimes(cfg.CodeTTL, cfg.GrantTTL)
	rules, _ := cfg.clientAccessTTLs() // checked by validate
	srv.OAuth().SetClientAccessTTLs(rules)
	for _, r := range rules {
		log.Info("app access-token lifetime", "rule", r.String())
	}
	return &app{cfg: cfg, log: log, store: st, srv: srv,
		sweeper:   newFleetJob("sweep", st, log),
		refresher: newFleetJob("vendor-token-refresh", st, log)}, nil
}

func (a *app) close() {
	// The activity log's last events are written before the store closes.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.srv.Close(ctx); err != nil {
		a.log.Error("activity log: events not written at shutdown", "err", err)
	}
	a.sweeper.stop()
	a.refresher.stop()
	if err := a.store.Close(); err != nil {
		a.log.Error("close database", "err", err)
	}
}

// serve listens and serves until SIGINT or SIGTERM, then shuts down
// gracefully: /readyz turns 503 and the tool calls under way get
// --drain-time to finish (mcpserver.Server.Shutdown). ready, if set, is
// called once the listener is open.
func (a *app) serve(ready func()) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another hostgate running? choose another with --addr)", a.cfg.Addr, err)
	}
	metrics, err := a.listenMetrics()
	if err != nil {
		ln.Close()
		return err
	}
	defer metrics.stop()
	hs := &http.Server{
		Handler:           a.srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// No WriteTimeout: MCP responses may stream (SSE). Bodies are
		// bounded by MaxBytesReader in every handler instead.
		ReadTimeout:    60 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	go a.sweep(ctx)
	go a.checkProviders(ctx)
	waitAlerts := a.startAlerts(ctx)
	// Flow 7: renew vendor tokens that expire within 15 minutes, checking
	// every minute, four at a time; in one replica of the fleet at a time.
	go a.refresher.every(ctx, time.Minute, func(ctx context.Context) {
		a.srv.Lifecycle().RefreshExpiring(ctx, 15*time.Minute, 4)
	})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	a.log.Info("hostgate listening", "addr", ln.Addr().String(), "mcp_url", a.cfg.BaseURL+mcpserver.MCPPath, "version", version)
	if ready != nil {
		ready()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "drain_time", a.cfg.Ops.DrainTime)
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.Ops.DrainTime)
	defer cancel()
	if err := a.srv.Shutdown(sctx, hs); err != nil {
		a.log.Warn("shutdown", "err", err)
	}
	waitAlerts()
	return nil
}

// sweep runs sweepOnce now and every ten minutes until ctx ends, in one
// replica of the fleet at a time.
func (a *app) sweep(ctx context.Context) {
	a.sweeper.every(ctx, 10*time.Minute, func(ctx context.Context) { a.sweepOnce(ctx, time.Now()) })
}

// sweepOnce deletes expired codes, tokens and sessions, clients registered
// over a week before now that were never used, idle clients known by a
// metadata document (oauthpkce.Server.SweepDocumentClients), idle MCP
// sessions and those of revoked grants (mcpserver.Server.SweepSessions),
// the shared rate counts no window holds any more, and activity
// events older than --activity-retention (the last two on the server's own
// clock). Expired rows go first, so that an expired code no
// longer keeps an unused registration.
func (a *app) sweepOnce(ctx context.Context, now time.Time) {
	if n, err := a.store.DeleteExpired(ctx, now); err != nil && ctx.Err() == nil {
		a.log.Error("sweep expired", "err", err)
	} else if n > 0 {
		a.log.Debug("swept expired rows", "rows", n)
	}
	if n, err := a.store.DeleteStaleClients(ctx, now.Add(-7*24*time.Hour)); err != nil && ctx.Err() == nil {
		a.log.Error("sweep stale clients", "err", err)
	} else if n > 0 {
		a.log.Info("deleted unused client registrations", "clients", n)
	}
	if n, err := a.srv.OAuth().SweepDocumentClients(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("sweep document clients", "err", err)
	} else if n > 0 {
		a.log.Info("deleted idle clients known by a metadata document", "clients", n)
	}
	if n, err := a.srv.SweepSessions(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("sweep MCP sessions", "err", err)
	} else if n > 0 {
		a.log.Debug("swept idle MCP sessions", "sessions", n)
	}
	if n, err := a.store.SweepRates(ctx, now); err != nil && ctx.Err() == nil {
		a.log.Error("sweep rate counts", "err", err)
	} else if n > 0 {
		a.log.Debug("swept rate counts", "rows", n)
	}
	if n, err := a.srv.SweepActivity(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("sweep activity", "err", err)
	} else if n > 0 {
		a.log.Info("deleted activity events past their retention", "events", n)
	}
}
