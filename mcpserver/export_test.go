package mcpserver

import "github.com/hostgate/hostgate/store"

// SessionCount is how many MCP sessions the server holds.
func (s *Server) SessionCount() int {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	return len(s.sessions.m)
}

// MaxSessionsPerGrant is the per-grant cap on MCP sessions.
const MaxSessionsPerGrant = maxSessionsPerGrant

// OnChangeApplied has f hear each change from the database once the server
// applied it to its caches.
// A nil f stops it.
func (s *Server) OnChangeApplied(f func(store.Change)) {
	if f == nil {
		s.fleet.applied.Store(nil)
		return
	}
	s.fleet.applied.Store(&f)
}

// ForgetAppLimits drops the app limits the server keeps, as the change
// feed does when another process sets them.
func (s *Server) ForgetAppLimits() { s.limits.invalidate() }
