package mcpserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// sessions binds MCP session ids to the grant that created them (MCP
// security best practices: a session id is never authentication, and a
// session is bound to its user). A session id presented with another
// grant's token is unknown to that grant.
//
// The sessions live in the database (store.MCPSessions, by hash only), so
// any process sharing it serves any session and a restart loses none; the
// table here is a cache in front of it, so that a call on a session this
// process knows reads nothing. A cached session is confirmed again by the
// database after sessionTrust, and its use is written there at most every
// touchEvery. A session ended through another process is dropped here at
// once by the change feed (PostgreSQL), and at the latest sessionTrust
// later by that confirmation (SQLite, whose processes share no feed; in
// production SQLite runs one process, whose own ends drop its cache).
//
// The database decides the bounds across processes: a grant holds at most
// maxSessionsPerGrant sessions (an initialize beyond that evicts the
// grant's least recently used one, whose client gets 404 and, as MCP says
// it must, initializes again), and a session unused for sessionIdleTTL is
// swept. A terminated session is forgotten at once: its id is then
// unknown, 404 like any other. Whatever this process forgets, it also
// drops from mcp-go (evict).
type sessions struct {
	store store.MCPSessions
	log   *slog.Logger
	now   func() time.Time

	mu      sync.Mutex
	m       map[string]*session // by id
	byHash  map[string]string   // hash → id, for the change feed
	byGrant map[string]map[string]*session
	// lastSweep is when idle sessions were last looked for.
	lastSweep time.Time
	// evict drops mcp-go's state for a session hostgate forgot; called
	// without the lock held.
	evict func(id string)
}

type session struct {
	grant string
	hash  string
	// lastUsed is the last use through this process; stored the last use
	// the database is known to hold; checked when the database last
	// confirmed the session (zero: confirm on the next use).
	lastUsed, stored, checked time.Time
	// used is whether the database holds a use after the creation: until
	// it does, the session is among the first its grant's cap evicts, so
	// the first use is written at once.
	used bool
	// client is what the client declared at initialize; nil if unknown.
	client *clientDecl
}

const (
	sessionIDPrefix = "hgm_"
	// maxSessionsPerGrant bounds one grant's sessions: an app opens one
	// per conversation or window, rarely more than a few at a time.
	maxSessionsPerGrant = 64
	// sessionIdleTTL is how long an unused session lives (mcp-go's idle
	// sweeper is given the same). Uses reach the database every
	// touchEvery at most, so a session may end that much sooner.
	sessionIdleTTL = time.Hour
	// sweepEvery is how often, at most, Generate looks for idle sessions.
	sweepEvery = time.Minute
	// sessionTrust is how long a cached session is served before the
	// database confirms it again: as long as a verified token is trusted.
	sessionTrust = 15 * time.Second
	// touchEvery is how stale the database's last use of a session may
	// get before a use writes it.
	touchEvery = 5 * time.Minute
)

var errNoSession = errors.New("mcpserver: unknown session")

func newSessions(st store.MCPSessions, now func() time.Time, log *slog.Logger) *sessions {
	return &sessions{store: st, log: log, now: now, m: make(map[string]*session), byHash: make(map[string]string),
		byGrant: make(map[string]map[string]*session), lastSweep: now(), evict: func(string) {}}
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
// without a caller for an eviction; that manager only forgets locally.
func (s *sessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r == nil {
		return boundSessions{s: s, ctx: context.Background()}
	}
	c, ok := tools.CallerFrom(r.Context())
	if !ok {
		return boundSessions{s: s, ctx: r.Context()}
	}
	return boundSessions{s: s, ctx: r.Context(), grant: c.GrantID}
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
	if !s.use(r.Context(), id, grant) {
		http.Error(w, "Invalid session ID", http.StatusNotFound)
		return true
	}
	return false
}

// use reports whether id is a live session of grant, and marks it used.
// A session this process knows and the database confirmed within
// sessionTrust costs no database access.
func (s *sessions) use(ctx context.Context, id, grant string) bool {
	if grant == "" || id == "" {
		return false
	}
	s.mu.Lock()
	e, ok := s.m[id]
	if !ok {
		s.mu.Unlock()
		return s.adopt(ctx, id, grant)
	}
	if e.grant != grant {
		s.mu.Unlock()
		return false
	}
	now := s.now()
	e.lastUsed = now
	touch := !e.used || now.Sub(e.stored) >= touchEvery
	check := now.Sub(e.checked) >= sessionTrust
	if touch {
		e.stored, e.used = now, true // one touch at a time is enough
	}
	hash := e.hash
	s.mu.Unlock()
	switch {
	case touch:
		// The touch confirms the session too: it fails on an ended one.
		err := s.store.TouchMCPSession(ctx, hash, now)
		return s.confirmed(id, now, time.Time{}, err)
	case check:
		row, err := s.store.GetMCPSession(ctx, hash)
		if err == nil && now.Sub(row.LastUsedAt) >= sessionIdleTTL {
			err = store.ErrNotFound // idle: the sweep takes it
		}
		return s.confirmed(id, now, row.LastUsedAt, err)
	}
	return true
}

// confirmed applies what the database said of a cached session: ended
// (ErrNotFound), it is forgotten and refused; alive, it is trusted for
// another sessionTrust. A failing database keeps the session served on
// what this process knows: a session id is no authentication, and the
// bearer check before it did not fail.
func (s *sessions) confirmed(id string, now, stored time.Time, err error) bool {
	if errors.Is(err, store.ErrNotFound) {
		s.forget(id)
		return false
	}
	if err != nil {
		s.log.Error("confirm an MCP session", "err", err)
		return true
	}
	s.mu.Lock()
	if e, ok := s.m[id]; ok {
		e.checked = now
		if stored.After(e.stored) {
			e.stored = stored
		}
	}
	s.mu.Unlock()
	return true
}

// adopt looks up a session this process does not know (created through
// another process, or before a restart) and keeps it if it is a live
// session of grant.
func (s *sessions) adopt(ctx context.Context, id, grant string) bool {
	hash := store.Hash(id)
	row, err := s.store.GetMCPSession(ctx, hash)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("look up an MCP session", "err", err)
		}
		return false
	}
	now := s.now()
	if row.GrantID != grant || now.Sub(row.LastUsedAt) >= sessionIdleTTL {
		return false
	}
	e := &session{grant: grant, hash: hash, lastUsed: now, stored: row.LastUsedAt, checked: now, used: true,
		client: decodeClient(row.Client)}
	touch := now.Sub(row.LastUsedAt) >= touchEvery || !row.LastUsedAt.After(row.CreatedAt)
	if touch {
		e.stored = now
	}
	s.mu.Lock()
	var evicted []string
	if _, ok := s.m[id]; !ok { // a concurrent request may have adopted it
		evicted = s.add(id, e)
	}
	s.mu.Unlock()
	s.evictAll(evicted)
	if touch {
		if err := s.store.TouchMCPSession(ctx, hash, now); err != nil {
			return s.confirmed(id, now, time.Time{}, err)
		}
	}
	return true
}

// add puts e in the table under id, making room under the grant's local
// bound (the database holds the cap; this bounds memory), and returns the
// ids it forgot. The caller holds the lock.
func (s *sessions) add(id string, e *session) []string {
	g := s.byGrant[e.grant]
	if g == nil {
		g = make(map[string]*session)
		s.byGrant[e.grant] = g
	}
	var evicted []string
	for len(g) >= maxSessionsPerGrant {
		oldest, first := "", true
		for sid, o := range g {
			if first || o.lastUsed.Before(g[oldest].lastUsed) {
				oldest, first = sid, false
			}
		}
		s.remove(oldest)
		evicted = append(evicted, oldest)
	}
	s.m[id] = e
	s.byHash[e.hash] = id
	g[id] = e
	return evicted
}

// remove forgets id. The caller holds the lock.
func (s *sessions) remove(id string) {
	e, ok := s.m[id]
	if !ok {
		return
	}
	delete(s.m, id)
	delete(s.byHash, e.hash)
	if g := s.byGrant[e.grant]; g != nil {
		delete(g, id)
		if len(g) == 0 {
			delete(s.byGrant, e.grant)
		}
	}
}

// forget drops id here and in mcp-go.
func (s *sessions) forget(id string) {
	s.mu.Lock()
	_, ok := s.m[id]
	s.remove(id)
	s.mu.Unlock()
	if ok {
		s.evict(id)
	}
}

func (s *sessions) evictAll(ids []string) {
	for _, id := range ids {
		s.evict(id)
	}
}

// ended applies a session's end in another process (the change feed).
func (s *sessions) ended(hash string) {
	s.mu.Lock()
	id, ok := s.byHash[hash]
	s.mu.Unlock()
	if ok {
		s.forget(id)
	}
}

// distrust makes every cached session be confirmed by the database on its
// next use: the change feed may have missed ends. The sessions stay, so
// that one found ended is dropped from mcp-go too.
func (s *sessions) distrust() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.m {
		e.checked = time.Time{}
	}
}

type boundSessions struct {
	s     *sessions
	ctx   context.Context
	grant string
}

// Generate returns a new session id with 256 random bits, stored (as its
// hash) before the client learns it. The database makes room under the
// grant's cap; this process's uses of the grant's sessions are written
// first, so that the least recently used is the one evicted, and idle
// sessions are swept now and then. The database's order of eviction is
// as fine as what processes wrote of their uses: a first use at once,
// later ones every touchEvery, and this process's all.
func (b boundSessions) Generate() string {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	id := sessionIDPrefix + base64.RawURLEncoding.EncodeToString(buf)
	s, ctx := b.s, b.ctx
	hash := store.Hash(id)
	s.mu.Lock()
	now := s.now()
	evicted, sweepStore := s.sweep(now)
	type use struct {
		hash string
		at   time.Time
	}
	var dirty []use
	for _, e := range s.byGrant[b.grant] {
		if e.lastUsed.After(e.stored) {
			dirty = append(dirty, use{e.hash, e.lastUsed})
			e.stored = e.lastUsed
		}
	}
	s.mu.Unlock()
	s.evictAll(evicted)
	if sweepStore {
		if _, err := s.store.DeleteIdleMCPSessions(ctx, now.Add(-sessionIdleTTL)); err != nil {
			s.log.Error("sweep idle MCP sessions", "err", err)
		}
	}
	for _, u := range dirty {
		if err := s.store.TouchMCPSession(ctx, u.hash, u.at); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("record an MCP session's use", "err", err)
		}
	}
	gone, err := s.store.CreateMCPSession(ctx, store.MCPSession{Hash: hash, GrantID: b.grant, CreatedAt: now, LastUsedAt: now},
		maxSessionsPerGrant)
	if err != nil {
		// The client gets the id, which no process knows: its next
		// request is 404, and it initializes again.
		s.log.Error("store a new MCP session", "err", err)
		return id
	}
	s.mu.Lock()
	evicted = s.add(id, &session{grant: b.grant, hash: hash, lastUsed: now, stored: now, checked: now})
	for _, h := range gone {
		if old, ok := s.byHash[h]; ok {
			s.remove(old)
			evicted = append(evicted, old)
		}
	}
	s.mu.Unlock()
	s.evictAll(evicted)
	return id
}

// sweep forgets the sessions unused here for sessionIdleTTL, at most once
// per sweepEvery, and returns their ids and whether it ran (then the
// database is swept too). The caller holds the lock.
func (s *sessions) sweep(now time.Time) ([]string, bool) {
	if now.Sub(s.lastSweep) < sweepEvery {
		return nil, false
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
	return idle, true
}

// Validate accepts only live sessions this grant created.
func (b boundSessions) Validate(id string) (bool, error) {
	if !b.s.use(b.ctx, id, b.grant) {
		return false, errNoSession
	}
	return false, nil
}

// Terminate ends a session of this grant, in the database (every process
// then forgets it). Without a grant (mcp-go's idle sweeper, hostgate's
// evictions) it only forgets the session in this process, where it is
// idle or already gone: the database decides whether it lives.
func (b boundSessions) Terminate(id string) (bool, error) {
	s := b.s
	s.mu.Lock()
	e, ok := s.m[id]
	if b.grant == "" {
		s.remove(id)
		s.mu.Unlock()
		return false, nil
	}
	s.mu.Unlock()
	// The guard confirmed the session (and adopted it) before the DELETE
	// reached mcp-go; gone since, it was ended meanwhile.
	if !ok || e.grant != b.grant {
		return false, errNoSession
	}
	if _, err := s.store.DeleteMCPSession(b.ctx, e.hash); err != nil {
		return false, err
	}
	s.mu.Lock()
	s.remove(id)
	s.mu.Unlock()
	return false, nil
}

// SweepSessions deletes, in the database, the MCP sessions unused for
// sessionIdleTTL and those of revoked grants, and returns how many went:
// the fleet's sweep, for the times no initialize comes to do it.
func (s *Server) SweepSessions(ctx context.Context) (int64, error) {
	return s.cfg.Store.DeleteIdleMCPSessions(ctx, s.cfg.Now().Add(-sessionIdleTTL))
}
