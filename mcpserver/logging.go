package mcpserver

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Request ids: a random per-process prefix and a counter. They need to be
// unique, not secret, so no randomness is drawn per request.
var (
	requestPrefix = func() string {
		var b [4]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:]) + "-"
	}()
	requestSeq atomic.Uint64
)

// statusWriter records the status a handler wrote. It passes Flush through
// so streaming responses (SSE) still stream.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: method, path (never the query,
// which may hold an authorization code), status, duration and a request id.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// DNS rebinding: on loopback every page, not only /mcp, must be
		// asked for by a loopback name.
		if !s.hostAllowed(r.Host) {
			http.Error(w, "Forbidden: invalid Host header", http.StatusForbidden)
			return
		}
		id := requestPrefix + strconv.FormatUint(requestSeq.Add(1), 10)
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.log.DebugContext(r.Context(), "http", "request_id", id, "method", r.Method, "path", r.URL.Path,
			"status", status, "duration", time.Since(start))
	})
}
