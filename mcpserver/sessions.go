package mcpserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// sessions binds MCP session ids to the grant that created them (MCP
// security best practices: a session id is never authentication, and a
// session is bound to its user). A session id presented with another
// grant's token is unknown to that grant.
//
// The table is bounded: a grant holds at most maxSessionsPerGrant
// sessions (an initialize beyond that evicts the grant's least recently
// used one, whose client gets 404 and, as MCP says it must, initializes
// again), and a session unused for sessionIdleTTL is swept. Both also drop
// mcp-go's state for the session (evict). A terminated session is
// forgotten at once: its id is then unknown, 404 like any other.
type sessions struct {
	mu      sync.Mutex
	m       map[string]*session
	byGrant map[string]map[string]*session
	now     func() time.Time
	// lastSweep is when idle sessions were last looked for.
	lastSweep time.Time
	// evict drops mcp-go's state for a session hostgate forgot; called
	// without the lock held.
	evict func(id string)
}

type session struct {
	grant    string
	lastUsed time.Time
}

const (
	sessionIDPrefix = "hgm_"
	// maxSessionsPerGrant bounds one grant's sessions: an app opens one
	// per conversation or window, rarely more than a few at a time.
	maxSessionsPerGrant = 64
	// sessionIdleTTL is how long an unused session lives (mcp-go's idle
	// sweeper is given the same).
	sessionIdleTTL = time.Hour
	// sweepEvery is how often, at most, Generate looks for idle sessions.
	sweepEvery = time.Minute
)

var errNoSession = errors.New("mcpserver: unknown session")

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: make(map[string]*session), byGrant: make(map[string]map[string]*session),
		now: now, lastSweep: now(), evict: func(string) {}}
}

// evictVia makes evict end a session in mcp-go the way a client's DELETE
// does: a DELETE served to h with no caller, which the sweeper's manager
// answers (mcp-go has no other way to drop one session's state). A
// refusal is logged, without the id.
func (s *sessions) evictVia(h http.Handler, log *slog.Logger) {
	s.evict = func(id string) {
		r, err := http.NewRequestWithContext(context.Background(), http.MethodDelete, MCPPath, nil)
		if err != nil {
			return
		}
		r.Header.Set(server.HeaderKeySessionID, id)
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status != 0 && w.status != http.StatusOK {
			log.Warn("evict session: mcp-go refused", "status", w.status)
		}
	}
}

// discardWriter is the response writer of an internal DELETE.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// ResolveSessionIdManager returns a manager bound to the request's grant.
// mcp-go calls it with a nil request from its idle sweeper, and hostgate
// without a caller for an eviction; that manager may only terminate.
func (s *sessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r == nil {
		return boundSessions{s: s}
	}
	c, ok := tools.CallerFrom(r.Context())
	if !ok {
		return boundSessions{s: s}
	}
	return boundSessions{s: s, grant: c.GrantID}
}

// guard answers a GET or DELETE of /mcp that names no session of the
// caller's grant: 400 without a session id, 404 for an id that is unknown,
// ended, or another grant's (mcp-go itself would open a stream for any id
// on GET, and answer 500 on DELETE). It reports whether it answered.
// Modern requests (2026-07-28, no sessions) are left to mcp-go, which
// refuses them.
func (s *sessions) guard(w http.ResponseWriter, r *http.Request, grant string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		return false
	}
	if mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
		return false
	}
	id := r.Header.Get(server.HeaderKeySessionID)
	if id == "" {
		http.Error(w, "Bad Request: Mcp-Session-Id header required", http.StatusBadRequest)
		return true
	}
	if !s.use(id, grant) {
		http.Error(w, "Invalid session ID", http.StatusNotFound)
		return true
	}
	return false
}

// use reports whether id is a live session of grant, and marks it used.
func (s *sessions) use(id, grant string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok || grant == "" || e.grant != grant {
		return false
	}
	e.lastUsed = s.now()
	return true
}

// remove forgets id. The caller holds the lock.
func (s *sessions) remove(id string) {
	e, ok := s.m[id]
	if !ok {
		return
	}
	delete(s.m, id)
	if g := s.byGrant[e.grant]; g != nil {
		delete(g, id)
		if len(g) == 0 {
			delete(s.byGrant, e.grant)
		}
	}
}

type boundSessions struct {
	s     *sessions
	grant string
}

// Generate returns a new session id with 256 random bits, making room
// under the grant's cap and sweeping idle sessions first.
func (b boundSessions) Generate() string {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	id := sessionIDPrefix + base64.RawURLEncoding.EncodeToString(buf)
	s := b.s
	s.mu.Lock()
	now := s.now()
	evicted := s.sweep(now)
	g := s.byGrant[b.grant]
	if g == nil {
		g = make(map[string]*session)
		s.byGrant[b.grant] = g
	}
	for len(g) >= maxSessionsPerGrant {
		oldest, first := "", true
		for sid, e := range g {
			if first || e.lastUsed.Before(g[oldest].lastUsed) {
				oldest, first = sid, false
			}
		}
		s.remove(oldest)
		evicted = append(evicted, oldest)
	}
	e := &session{grant: b.grant, lastUsed: now}
	s.m[id] = e
	g[id] = e
	s.mu.Unlock()
	for _, old := range evicted {
		s.evict(old)
	}
	return id
}

// sweep forgets the sessions unused for sessionIdleTTL, at most once per
// sweepEvery, and returns their ids. The caller holds the lock.
func (s *sessions) sweep(now time.Time) []string {
	if now.Sub(s.lastSweep) < sweepEvery {
		return nil
	}
	s.lastSweep = now
	var idle []string
	for id, e := range s.m {
		if now.Sub(e.lastUsed) >= sessionIdleTTL {
			idle = append(idle, id)
		}
	}
	for _, id := range idle {
		s.remove(id)
	}
	return idle
}

// Validate accepts only live sessions this grant created.
func (b boundSessions) Validate(id string) (bool, error) {
	if !b.s.use(id, b.grant) {
		return false, errNoSession
	}
	return false, nil
}

// Terminate ends a session of this grant. Without a grant (mcp-go's idle
// sweeper, hostgate's evictions) it ends any, and an id already forgotten
// is no error, so that mcp-go drops its own state for it.
func (b boundSessions) Terminate(id string) (bool, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	e, ok := b.s.m[id]
	if b.grant == "" {
		b.s.remove(id)
		return false, nil
	}
	if !ok || e.grant != b.grant {
		return false, errNoSession
	}
	b.s.remove(id)
	return false, nil
}

// scrubSessions is the handler of mcp-go's logger: session ids are bearer
// material for a stream, and mcp-go logs them at Info. An attribute named
// for a session is dropped, and any other whose value holds a hostgate
// session id has it redacted.
type scrubSessions struct{ slog.Handler }

func (h scrubSessions) Handle(ctx context.Context, r slog.Record) error {
	scrubbed := false
	r.Attrs(func(a slog.Attr) bool {
		if hasSession(a) {
			scrubbed = true
			return false
		}
		return true
	})
	if !scrubbed && !strings.Contains(r.Message, sessionIDPrefix) {
		return h.Handler.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, redactSessions(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a, keep := scrubAttr(a); keep {
			out.AddAttrs(a)
		}
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h scrubSessions) WithAttrs(attrs []slog.Attr) slog.Handler {
	kept := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		if a, keep := scrubAttr(a); keep {
			kept = append(kept, a)
		}
	}
	return scrubSessions{h.Handler.WithAttrs(kept)}
}

func (h scrubSessions) WithGroup(name string) slog.Handler {
	return scrubSessions{h.Handler.WithGroup(name)}
}

// hasSession reports whether a names a session or its value may hold an
// id.
func hasSession(a slog.Attr) bool {
	if strings.Contains(strings.ToLower(a.Key), "session") {
		return true
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return strings.Contains(v.String(), sessionIDPrefix)
	case slog.KindAny, slog.KindGroup:
		return strings.Contains(v.String(), sessionIDPrefix)
	}
	return false
}

// scrubAttr drops an attribute named for a session and redacts ids in the
// others' values.
func scrubAttr(a slog.Attr) (slog.Attr, bool) {
	if strings.Contains(strings.ToLower(a.Key), "session") {
		return a, false
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString, slog.KindAny, slog.KindGroup:
		if s := v.String(); strings.Contains(s, sessionIDPrefix) {
			return slog.String(a.Key, redactSessions(s)), true
		}
	}
	return a, true
}

// redactSessions replaces every hostgate session id in s.
func redactSessions(s string) string {
	for {
		i := strings.Index(s, sessionIDPrefix)
		if i < 0 {
			return s
		}
		j := i + len(sessionIDPrefix)
		for j < len(s) && isIDByte(s[j]) {
			j++
		}
		s = s[:i] + "[session]" + s[j:]
	}
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
