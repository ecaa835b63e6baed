package mcpserver

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/server"
)

// sessions binds MCP session ids to the grant that created them (MCP
// security best practices: a session id is never authentication, and a
// session is bound to its user). A session id presented with another
// grant's token is unknown to that grant.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	now func() time.Time
}

type session struct {
	grant      string
	terminated time.Time
}

const sessionIDPrefix = "hgm_"

var errNoSession = errors.New("mcpserver: unknown session")

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: make(map[string]*session), now: now}
}

// ResolveSessionIdManager returns a manager bound to the request's grant.
// mcp-go calls it with a nil request from its idle sweeper; that manager
// may only terminate.
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

type boundSessions struct {
	s     *sessions
	grant string
}

// Generate returns a new session id with 256 random bits.
func (b boundSessions) Generate() string {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	id := sessionIDPrefix + base64.RawURLEncoding.EncodeToString(buf)
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.s.prune()
	b.s.m[id] = &session{grant: b.grant}
	return id
}

// Validate accepts only sessions this grant created.
func (b boundSessions) Validate(id string) (bool, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	e, ok := b.s.m[id]
	if !ok || b.grant == "" || e.grant != b.grant {
		return false, errNoSession
	}
	return !e.terminated.IsZero(), nil
}

// Terminate ends a session of this grant (or any, for the idle sweeper).
func (b boundSessions) Terminate(id string) (bool, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	e, ok := b.s.m[id]
	if !ok || (b.grant != "" && e.grant != b.grant) {
		return false, errNoSession
	}
	if e.terminated.IsZero() {
		e.terminated = b.s.now()
	}
	return false, nil
}

// prune forgets sessions terminated over an hour ago, once the table grows.
// The caller holds the lock.
func (s *sessions) prune() {
	if len(s.m) < 4096 {
		return
	}
	cutoff := s.now().Add(-time.Hour)
	for id, e := range s.m {
		if !e.terminated.IsZero() && e.terminated.Before(cutoff) {
			delete(s.m, id)
		}
	}
}
