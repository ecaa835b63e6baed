package oauthpkce

import (
	"slices"
	"strings"
)

// Scope is an OAuth scope hostgate issues, with the plain words the consent
// page shows for it.
type Scope struct {
	Name        string
	Description string
	// Optional scopes are shown with a checkbox the host may clear.
	Optional bool
}

// The scopes of hostgate's MCP resource.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// DefaultScopes are hostgate's scopes. Tools name the one they need.
var DefaultScopes = []Scope{
	{Name: ScopeRead, Description: "See your properties, reservations, calendars, guest conversations, reviews and venue footfall, and your connected accounts"},
	{Name: ScopeWrite, Description: "Send messages to your guests and manage your connected accounts", Optional: true},
}

// parseScopes splits a space-separated scope parameter (RFC 6749 §3.3),
// dropping duplicates and keeping the order given.
func parseScopes(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// unknownScope returns the first requested scope the server does not support.
func (s *Server) unknownScope(requested []string) (string, bool) {
	for _, r := range requested {
		if !slices.ContainsFunc(s.cfg.Scopes, func(sc Scope) bool { return sc.Name == r }) {
			return r, true
		}
	}
	return "", false
}

func (s *Server) scopeNames() []string {
	names := make([]string, len(s.cfg.Scopes))
	for i, sc := range s.cfg.Scopes {
		names[i] = sc.Name
	}
	return names
}
