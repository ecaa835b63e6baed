package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// OpsConfig is how hostgate is run in production: where its metrics are
// served and how long a shutdown waits for the tool calls under way.
type OpsConfig struct {
	// MetricsAddr is the address of the metrics listener, which serves
	// Prometheus's format at /metrics and nothing else; empty serves none.
	// It is never the public listener.
	MetricsAddr string
	// DrainTime bounds a graceful shutdown: after SIGTERM or SIGINT,
	// hostgate stops accepting connections and waits this long for the
	// requests under way (tool calls among them) before closing the rest.
	DrainTime time.Duration
}

// DefaultDrainTime leaves a shutdown's last steps (the activity log's
// last events, the database) time within the 30 s a container platform
// usually grants between SIGTERM and SIGKILL.
const DefaultDrainTime = 25 * time.Second

// PathMetrics is where the metrics listener serves the series.
const PathMetrics = "/metrics"

func bindOpsFlags(fs *flag.FlagSet, c *OpsConfig, def OpsConfig) {
	addr := def.MetricsAddr
	if v, ok := os.LookupEnv("HOSTGATE_METRICS_ADDR"); ok {
		addr = v
	}
	fs.StringVar(&c.MetricsAddr, "metrics-addr", addr, "address of a separate listener serving Prometheus metrics at "+PathMetrics+", e.g. 127.0.0.1:9090; empty serves none. Keep it off the internet (HOSTGATE_METRICS_ADDR)")
	drain := def.DrainTime
	if v, ok := os.LookupEnv("HOSTGATE_DRAIN_TIME"); ok {
		if d, err := time.ParseDuration(v); err == nil {
			drain = d
		} else {
			fmt.Fprintf(os.Stderr, "hostgate: HOSTGATE_DRAIN_TIME=%q is not a duration like 25s; using %s\n", v, drain)
		}
	}
	fs.DurationVar(&c.DrainTime, "drain-time", drain, "on SIGTERM or SIGINT, how long to wait for the tool calls under way before closing their connections (HOSTGATE_DRAIN_TIME)")
}

// validate checks the ops settings of a hostgate whose public listener is
// addr.
func (c *OpsConfig) validate(addr string) error {
	if c.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(c.MetricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr %q must be host:port, e.g. 127.0.0.1:9090", c.MetricsAddr)
		}
		if pubHost, pubPort, err := net.SplitHostPort(addr); err == nil && port == pubPort && port != "0" &&
			(host == pubHost || unspecified(host) || unspecified(pubHost)) {
			return fmt.Errorf("--metrics-addr %q is the public listener --addr %q; give the metrics a port of their own, e.g. 127.0.0.1:9090", c.MetricsAddr, addr)
		}
	}
	if c.DrainTime < time.Second || c.DrainTime > 10*time.Minute {
		return fmt.Errorf("--drain-time %s must be between 1s and 10m, e.g. 25s (below the grace period your platform gives before it kills the process)", c.DrainTime)
	}
	return nil
}

// unspecified reports whether a listen host means every address.
func unspecified(host string) bool {
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsUnspecified()
}

// metricsServer is the metrics listener: its own http.Server, so that the
// series are never reachable through the public one.
type metricsServer struct {
	hs  *http.Server
	ln  net.Listener
	log *slog.Logger
}

// listenMetrics opens the metrics listener when --metrics-addr is set
// (otherwise it returns a server that does nothing) and serves the
// series on it until stop.
func (a *app) listenMetrics() (*metricsServer, error) {
	addr := a.cfg.Ops.MetricsAddr
	if addr == "" {
		return &metricsServer{}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for metrics: %w (choose another with --metrics-addr)", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+PathMetrics, a.srv.Metrics().Handler())
	m := &metricsServer{ln: ln, log: a.log, hs: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}}
	go func() {
		if err := m.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics listener", "err", err)
		}
	}()
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if !isLoopback(host) {
		a.log.Warn("the metrics listener is not on loopback: let only your Prometheus reach it (a firewall, a private network)", "addr", ln.Addr().String())
	}
	a.log.Info("metrics listening", "addr", ln.Addr().String(), "path", PathMetrics)
	return m, nil
}

// addr is the address the listener got ("" when there is none).
func (m *metricsServer) addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// stop closes the metrics listener; the public one has drained by then,
// so a scrape during the drain still answers.
func (m *metricsServer) stop() {
	if m.hs == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.hs.Shutdown(ctx); err != nil {
		m.log.Warn("metrics listener shutdown", "err", err)
	}
}
