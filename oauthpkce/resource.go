package oauthpkce

import (
	"net/url"
	"strings"
)

// canonicalResource returns the canonical form of a resource indicator for
// comparison: scheme and host lower-cased, default port dropped, one
// trailing slash dropped. MCP asks servers to accept an uppercase scheme or
// host and to omit the trailing slash; RFC 8707 §2 forbids a fragment.
func canonicalResource(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" || strings.Contains(raw, "#") || u.User != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	if (scheme == "https" && strings.HasSuffix(host, ":443")) || (scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	out := scheme + "://" + host + path
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out, true
}

// isOurResource reports whether raw names this server's MCP endpoint.
func (s *Server) isOurResource(raw string) bool {
	got, ok := canonicalResource(raw)
	if !ok {
		return false
	}
	want, _ := canonicalResource(s.cfg.Resource)
	return got == want
}
