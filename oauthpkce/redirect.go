package oauthpkce

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// DefaultNativeSchemes are the private-use URI schemes (RFC 8252 §7.1) that
// MCP clients really register as redirect URIs. The list is exact: a scheme
// is accepted only if it is named here (or in Config.NativeSchemes).
// Interception of such a redirect by another app that claims the scheme is
// defeated by PKCE S256, which /authorize requires of every client
// (RFC 8252 §8.1).
var DefaultNativeSchemes = []string{
	// Cursor registers cursor://anysphere.cursor-mcp/oauth/callback
	// (beside an https and a loopback callback, in one request). VS Code
	// extensions such as Cline receive their callback at
	// <vscode.env.uriScheme>://<extension id>/..., whose scheme is the
	// editor's own: "cursor" in Cursor too.
	"cursor",
	// VS Code, for extensions' callbacks as above (vscode://<extension>/...).
	"vscode",
	// VS Code Insiders, whose uriScheme is "vscode-insiders".
	"vscode-insiders",
	// Windsurf, a VS Code fork whose uriScheme is "windsurf"; extensions
	// running in it get windsurf://<extension>/... callbacks.
	"windsurf",
}

// maxRedirectURILen caps a redirect URI. Real ones are far shorter; the cap
// bounds what the store, the consent page and the logs carry.
const maxRedirectURILen = 2048

// forbiddenSchemes are never redirect URIs, whatever Config.NativeSchemes
// says: a browser would run script (javascript:, vbscript:), render
// attacker-supplied content in some origin (data:, blob:, about:) or read
// local files (file:). RFC 9700 §4.1 / RFC 6819 §4.2.4: redirect URIs are
// an attack surface; http and https have their own rules below.
var forbiddenSchemes = []string{"javascript", "vbscript", "data", "blob", "about", "file", "filesystem", "view-source", "ws", "wss", "ftp"}

// checkRedirectURI reports why raw may not be registered as a redirect URI,
// or nil if it may. The rules, in the order checked:
//
//   - at most maxRedirectURILen bytes of printable ASCII without spaces,
//     backslashes or '*' — no wildcards (RFC 9700 §4.1.1: exact string
//     matching only), and nothing that browsers and Go parse differently;
//   - no fragment (RFC 6749 §3.1.2) and no userinfo (RFC 9700 §4.1 / RFC
//     3986 §7.6: "https://good@evil" shows one host and goes to another);
//   - an absolute URI (RFC 6749 §3.1.2) with a scheme from one of:
//   - https with a non-empty host;
//   - http only on a loopback address: an IP literal in 127.0.0.0/8 or [::1]
//     (RFC 8252 §7.3), or exactly "localhost" (RFC 8252 §8.3 discourages
//     it, but mcp-remote and Claude Code register http://localhost:PORT/...);
//     the port is free (the client picks it at run time, RFC 8252 §7.3) and
//     the path is matched exactly at /authorize;
//   - a private-use scheme named in Config.NativeSchemes (RFC 8252 §7.1);
//   - nothing else: in particular never javascript:, data:, vbscript: or file:.
func (s *Server) checkRedirectURI(raw string) error {
	return checkRedirectURI(raw, s.cfg.NativeSchemes)
}

func checkRedirectURI(raw string, nativeSchemes []string) error {
	if raw == "" {
		return errors.New("redirect URI is empty")
	}
	if len(raw) > maxRedirectURILen {
		return fmt.Errorf("redirect URI is longer than %d bytes", maxRedirectURILen)
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c <= ' ' || c >= 0x7f:
			return errors.New("redirect URI must be printable ASCII without spaces (percent-encode other characters)")
		case c == '\\':
			// WHATWG URL parsers read '\' as '/' in http(s) URLs, Go does
			// not: the host we check and show could differ from the one
			// the browser goes to.
			return errors.New("redirect URI must not contain a backslash")
		case c == '*':
			return errors.New("redirect URI must not contain a wildcard '*': it is matched exactly (RFC 9700 §4.1.1)")
		case c == '#':
			return errors.New("redirect URI must not contain a fragment (RFC 6749 §3.1.2)")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("redirect URI is not a valid URI")
	}
	if !u.IsAbs() {
		return errors.New("redirect URI must be an absolute URI with a scheme (RFC 6749 §3.1.2)")
	}
	if u.User != nil {
		return errors.New("redirect URI must not contain userinfo")
	}
	scheme := u.Scheme // url.Parse lowercases it
	if slices.Contains(forbiddenSchemes, scheme) {
		return fmt.Errorf("redirect URI scheme %q is never allowed", scheme)
	}
	switch scheme {
	case "https":
		if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
			return errors.New("https redirect URI must name a host")
		}
		return nil
	case "http":
		if u.Opaque != "" || u.Host == "" {
			return errors.New("http redirect URI must name a host")
		}
		// RFC 8252 §7.3 and §8.3; RFC 9700 §2.1: plain http is only for
		// the loopback interface of the user's own machine.
		if !isLoopbackHostname(u.Hostname()) {
			return errors.New("http redirect URI must be on a loopback address (127.0.0.1, [::1] or localhost); use https otherwise")
		}
		return nil
	}
	if !slices.Contains(nativeSchemes, scheme) {
		return fmt.Errorf("redirect URI scheme %q is not allowed: use https, http on loopback, or one of the native app schemes %s",
			scheme, strings.Join(nativeSchemes, ", "))
	}
	// RFC 8252 §7.1: a private-use scheme URI, e.g.
	// cursor://anysphere.cursor-mcp/oauth/callback or com.example.app:/cb.
	if u.Opaque == "" && u.Host == "" && u.Path == "" {
		return errors.New("native redirect URI must have a host or a path after the scheme")
	}
	return nil
}

// isLoopbackHostname reports whether a URL's hostname (without brackets or
// port) is "localhost" or an IP literal of the loopback interface. Zoned IPv6
// addresses and IPv4-mapped forms are not accepted: clients never register
// them, and exact matching makes odd spellings useless anyway.
func isLoopbackHostname(hostname string) bool {
	if hostname == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(hostname)
	if err != nil || ip.Zone() != "" {
		return false
	}
	return (ip.Is4() && ip.IsLoopback()) || ip == netip.IPv6Loopback()
}

// redirectRegistered reports whether requested matches one of the client's
// registered redirect URIs (see redirectURIMatches).
func redirectRegistered(registered []string, requested string) bool {
	return slices.ContainsFunc(registered, func(r string) bool { return redirectURIMatches(r, requested) })
}

// redirectURIMatches reports whether an authorization request's redirect
// URI matches a registered one. Matching is exact string comparison (RFC
// 9700 §4.1.1) with one exception, RFC 8252 §7.3: for an http redirect URI
// on a loopback host (127.0.0.0/8, [::1] or localhost) the port is ignored,
// since a native client picks it at run time. Registered with or without a
// port, it matches the same scheme, host, path and query on any port.
func redirectURIMatches(registered, requested string) bool {
	if registered == requested {
		return requested != ""
	}
	r, ok1 := loopbackWithoutPort(registered)
	q, ok2 := loopbackWithoutPort(requested)
	return ok1 && ok2 && r == q
}

// loopbackWithoutPort returns an http loopback redirect URI with its port
// removed, and ok if raw is a valid such URI whose port, if any, is a
// number from 1 to 65535. Only the port is removed; everything else is
// compared as the client sent it.
func loopbackWithoutPort(raw string) (string, bool) {
	const prefix = "http://"
	if !strings.HasPrefix(raw, prefix) || checkRedirectURI(raw, nil) != nil {
		return "", false
	}
	rest := raw[len(prefix):]
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		port := host[i+1:]
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return "", false
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", false
		}
		host = host[:i]
	}
	if !isLoopbackHostname(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")) {
		return "", false
	}
	return prefix + host + tail, true
}
