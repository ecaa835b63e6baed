package mcpserver

// SessionCount is how many MCP sessions the server holds.
func (s *Server) SessionCount() int {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	return len(s.sessions.m)
}

// MaxSessionsPerGrant is the per-grant cap on MCP sessions.
const MaxSessionsPerGrant = maxSessionsPerGrant
