package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// PathReady is the readiness check a load balancer polls.
const PathReady = "/readyz"

// readyTimeout bounds the database's answer to a readiness check: a
// database that takes longer is not ready to serve tool calls either.
const readyTimeout = 2 * time.Second

// drainState is whether the server is shutting down: ctx ends when
// draining starts.
type drainState struct {
	ctx   context.Context
	start context.CancelFunc
}

func newDrainState() drainState {
	ctx, cancel := context.WithCancel(context.Background())
	return drainState{ctx: ctx, start: cancel}
}

// readyAnswer is /readyz's body. Reason says what is wrong in a few words:
// never an error's text, which may name a path or a host.
type readyAnswer struct {
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Version string `json:"version,omitempty"`
}

// handleReady answers 200 when this process should get traffic: it is not
// draining, the database answers, and its schema has every migration this
// version knows. Otherwise 503 with the reason. /healthz says only that
// the process is alive and its database answers.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.Draining() {
		writeReady(w, http.StatusServiceUnavailable, readyAnswer{Status: "draining", Reason: "this process is shutting down"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	current, err := s.schemaCurrent(ctx)
	switch {
	case err != nil:
		s.log.ErrorContext(r.Context(), "ready: store", "err", err)
		writeReady(w, http.StatusServiceUnavailable, readyAnswer{Status: "unavailable", Reason: "the database does not answer"})
	case !current:
		s.log.WarnContext(r.Context(), "ready: the database schema is behind this version; restart one hostgate to migrate it")
		writeReady(w, http.StatusServiceUnavailable, readyAnswer{Status: "unavailable", Reason: "the database schema is older than this version of hostgate"})
	default:
		writeReady(w, http.StatusOK, readyAnswer{Status: "ready", Version: s.cfg.Version})
	}
}

// schemaCurrent pings the database and asks whether its schema is
// current.
func (s *Server) schemaCurrent(ctx context.Context) (bool, error) {
	if err := s.cfg.Store.Ping(ctx); err != nil {
		return false, err
	}
	return s.cfg.Store.SchemaCurrent(ctx)
}

func writeReady(w http.ResponseWriter, status int, a readyAnswer) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

// Drain starts the server's shutdown: from now on /readyz answers 503, so
// that a load balancer stops sending requests here, and the MCP listening
// streams (GET /mcp) end, so that they do not hold the shutdown up; their
// clients reconnect, to another process. Requests under way, tool calls
// among them, are left to finish. Calling it again does nothing.
func (s *Server) Drain() { s.drain.start() }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.drain.ctx.Err() != nil }

// ToolCallsInFlight is how many tool calls are running now.
func (s *Server) ToolCallsInFlight() int64 { return s.inFlight.Load() }

// Shutdown drains hs, the HTTP server serving Handler: Drain, then hs
// stops accepting connections and waits for the requests under way to
// finish, until ctx ends (the drain time). Then the connections still
// open are closed, which cancels what still runs, and ctx's error is
// returned. Close the server (Close) after it, before the store.
func (s *Server) Shutdown(ctx context.Context, hs *http.Server) error {
	s.Drain()
	s.log.Info("draining", "tool_calls_in_flight", s.inFlight.Load())
	err := hs.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		s.log.Warn("drain time over: closing the connections still open", "tool_calls_in_flight", s.inFlight.Load())
		_ = hs.Close()
	}
	return err
}

// endOnDrain ends an MCP listening stream (GET /mcp) when draining starts,
// and refuses a new one while draining: it carries no tool call, and it
// would otherwise hold the shutdown until the drain time runs out.
func (s *Server) endOnDrain(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		if s.Draining() {
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", "1")
			http.Error(w, "hostgate is restarting; reconnect", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(s.drain.ctx, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
