package mcpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
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

type requestIDKey struct{}

// withRequestID returns ctx carrying the request id id.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// requestID returns the id of the request ctx belongs to, or "".
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDHandler adds request_id to every record logged with a request's
// context, so that the lines of one request, from the bearer check to the
// vendor call, can be told apart without any call site passing the id. A
// record logged without a context (Info rather than InfoContext) gets
// none. Under a group (WithGroup) the id lands inside the group.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// requestLogger returns l adding request ids (requestIDHandler); l itself
// if it already does.
func requestLogger(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(requestIDHandler); ok {
		return l
	}
	return slog.New(requestIDHandler{l.Handler()})
}

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

// logRequests gives each request an id, in its context (for every log line
// of the request) and in the X-Request-Id response header, and logs one
// line per request: method, path (never the query, which may hold an
// authorization code), status and duration.
//
// The id is always hostgate's own. An incoming X-Request-Id is not
// honoured: hostgate is often reached directly rather than through a proxy
// that sets one, and an id the caller chooses could make its requests' log
// lines pass for another's.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestPrefix + strconv.FormatUint(requestSeq.Add(1), 10)
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(withRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		// DNS rebinding: on loopback every page, not only /mcp, must be
		// asked for by a loopback name.
		if !s.hostHeaderAllowed(r.Host) {
			s.writeRefusal(sw, errHostHeader)
		} else {
			next.ServeHTTP(sw, r)
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		// The mux set r.Pattern on this very request: the route, never the path.
		s.requestDone(r.Pattern, status, d)
		s.log.DebugContext(r.Context(), "http", "method", r.Method, "path", logPath(r.URL.Path),
			"status", status, "duration", d)
	})
}

// logPath is a request path as the log may keep it: an invitation link's
// token is a secret, so /join/<token> is logged without it.
func logPath(p string) string {
	if strings.HasPrefix(p, PathJoin) {
		return PathJoin + "…"
	}
	return p
}
