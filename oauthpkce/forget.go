package oauthpkce

// ForgetVerified drops every access token this server verified and keeps
// in memory, so that each is checked against the store again on its next
// use. Revocations through this server do it themselves; the composition
// root calls it when another process sharing the database revoked a grant
// or a token (store.Fleet's change feed).
func (s *Server) ForgetVerified() { s.tokens.invalidate() }
