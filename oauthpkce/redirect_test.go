package oauthpkce

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		name string
		uri  string
		ok   bool
	}{
		// https
		{"https with host and path", "https://claude.ai/api/mcp/auth_callback", true},
		{"https with port and query", "https://app.example.com:8443/cb?x=1", true},
		{"https cursor web callback", "https://www.cursor.com/agents/mcp/oauth/callback", true},
		{"https without host", "https:///cb", false},
		{"https opaque", "https:claude.ai/cb", false},
		{"https with empty port only", "https://:443/cb", false},
		// loopback http (RFC 8252 §7.3)
		{"http 127.0.0.1 any port", "http://127.0.0.1:33418/callback", true},
		{"http 127.0.0.1 no port", "http://127.0.0.1/cb", true},
		{"http 127/8", "http://127.1.2.3:9999/cb", true},
		{"http [::1]", "http://[::1]:8080/callback", true},
		{"http localhost", "http://localhost:8787/callback", true},
		{"http localhost no path", "http://localhost:3000", true},
		{"http non-loopback address", "http://example.com/cb", false},
		{"http private address", "http://192.168.1.10/cb", false},
		{"http localhost suffix", "http://localhost.evil.com/cb", false},
		{"http localhost prefix", "http://evillocalhost/cb", false},
		{"http uppercase localhost", "http://LOCALHOST/cb", false},
		{"http short 127 form", "http://127.1/cb", false},
		{"http mapped loopback", "http://[::ffff:127.0.0.1]/cb", false},
		{"http zoned ::1", "http://[::1%25lo]/cb", false},
		{"http decimal loopback", "http://2130706433/cb", false},
		{"http empty host", "http:///cb", false},
		{"http 0.0.0.0", "http://0.0.0.0:8080/cb", false},
		// native schemes (RFC 8252 §7.1)
		{"cursor", "cursor://anysphere.cursor-mcp/oauth/callback", true},
		{"vscode extension", "vscode://saoudrizwan.claude-dev/mcp-auth", true},
		{"vscode-insiders", "vscode-insiders://ext.id/cb", true},
		{"windsurf", "windsurf://ext.id/cb", true},
		{"native uppercase scheme", "CURSOR://anysphere.cursor-mcp/oauth/callback", true},
		{"native scheme with path only", "cursor:/oauth/callback", true},
		{"native scheme nothing after", "cursor:", false},
		{"unlisted private-use scheme", "com.example.app:/cb", false},
		{"unlisted scheme", "myapp://callback", false},
		// never
		{"javascript", "javascript:alert(1)", false},
		{"javascript uppercase", "JavaScript:alert(1)", false},
		{"javascript with slashes", "javascript://x/%0aalert(1)", false},
		{"data", "data:text/html,<script>alert(1)</script>", false},
		{"vbscript", "vbscript:msgbox(1)", false},
		{"file", "file:///etc/passwd", false},
		{"blob", "blob:https://example.com/uuid", false},
		{"fragment", "https://example.com/cb#frag", false},
		{"empty fragment", "https://example.com/cb#", false},
		{"native fragment", "cursor://anysphere.cursor-mcp/oauth/callback#x", false},
		{"userinfo", "https://user@example.com/cb", false},
		{"userinfo with password", "https://user:pw@example.com/cb", false},
		{"empty userinfo", "https://@example.com/cb", false},
		{"loopback userinfo", "http://evil.com@127.0.0.1/cb", false},
		{"wildcard host", "https://*.example.com/cb", false},
		{"wildcard path", "https://example.com/*", false},
		{"wildcard port", "http://localhost:*/cb", false},
		{"relative", "/callback", false},
		{"no scheme", "example.com/cb", false},
		{"empty", "", false},
		{"space", "https://example.com/a b", false},
		{"tab", "https://example.com/a\tb", false},
		{"newline", "https://example.com/\r\nSet-Cookie:x", false},
		{"non-ascii", "https://exämple.com/cb", false},
		{"backslash", "https://example.com\\@evil.com/cb", false},
		{"bad percent escape", "https://example.com/%zz", false},
		{"too long", "https://example.com/" + strings.Repeat("a", maxRedirectURILen), false},
		{"at the length cap", "https://example.com/" + strings.Repeat("a", maxRedirectURILen-len("https://example.com/")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRedirectURI(tt.uri, DefaultNativeSchemes)
			if (err == nil) != tt.ok {
				t.Fatalf("checkRedirectURI(%q) = %v, want ok=%v", tt.uri, err, tt.ok)
			}
			if err != nil && err.Error() == "" {
				t.Fatal("empty error description")
			}
		})
	}
}

func TestCheckRedirectURINativeSchemesConfig(t *testing.T) {
	s, _, _ := newTestServer(t, func(c *Config) { c.NativeSchemes = []string{"com.example.app", "javascript", "data", "file"} })
	for uri, ok := range map[string]bool{
		"com.example.app:/cb":                          true,
		"cursor://anysphere.cursor-mcp/oauth/callback": false, // not in this config
		"javascript:alert(1)":                          false, // never, even if configured
		"data:text/html,x":                             false,
		"file:///etc/passwd":                           false,
	} {
		if err := s.checkRedirectURI(uri); (err == nil) != ok {
			t.Errorf("checkRedirectURI(%q) = %v, want ok=%v", uri, err, ok)
		}
	}
}

// FuzzCheckRedirectURI checks the policy's invariants on any input: whatever
// it accepts has an allowed scheme, no fragment, no userinfo, no wildcard,
// fits the cap, and if http, is on a loopback address.
func FuzzCheckRedirectURI(f *testing.F) {
	for _, seed := range []string{
		"https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1:33418", "http://localhost:8787/callback",
		"http://[::1]/cb", "cursor://anysphere.cursor-mcp/oauth/callback", "javascript:alert(1)",
		"data:text/html,x", "https://a@b/", "https://a/#x", "http://127.0.0.1.evil.com/", "HTTP://LOCALHOST/",
		"http://[::ffff:127.0.0.1]/", "https://*/", "vscode:", "https://example.com\\@evil.com",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if checkRedirectURI(raw, DefaultNativeSchemes) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted unparsable %q", raw)
		}
		if len(raw) > maxRedirectURILen {
			t.Fatalf("accepted over-long URI (%d bytes)", len(raw))
		}
		if strings.ContainsAny(raw, "#*\\") || u.Fragment != "" || u.User != nil {
			t.Fatalf("accepted %q with a fragment, wildcard, backslash or userinfo", raw)
		}
		scheme := strings.ToLower(u.Scheme)
		switch scheme {
		case "javascript", "data", "vbscript", "file", "blob":
			t.Fatalf("accepted scheme %q in %q", scheme, raw)
		case "http":
			h := u.Hostname()
			if ip, err := netip.ParseAddr(h); h != "localhost" && (err != nil || !ip.IsLoopback()) {
				t.Fatalf("accepted non-loopback http %q", raw)
			}
		case "https":
			if u.Hostname() == "" {
				t.Fatalf("accepted https without host %q", raw)
			}
		default:
			if !slices.Contains(DefaultNativeSchemes, scheme) {
				t.Fatalf("accepted scheme %q not in the allow-list", scheme)
			}
		}
	})
}

// TestRedirectURIMatches: RFC 8252 §7.3. An http loopback redirect URI
// matches the same URI on any port (registered with or without one); the
// path, query, scheme and host stay exact. Anything else matches exactly.
func TestRedirectURIMatches(t *testing.T) {
	tests := []struct {
		name, registered, requested string
		ok                          bool
	}{
		{"exact", "http://127.0.0.1:51234/callback", "http://127.0.0.1:51234/callback", true},
		{"127.0.0.1 other port", "http://127.0.0.1:51234/callback", "http://127.0.0.1:6000/callback", true},
		{"127.0.0.1 registered without port", "http://127.0.0.1/callback", "http://127.0.0.1:6000/callback", true},
		{"127.0.0.1 requested without port", "http://127.0.0.1:51234/callback", "http://127.0.0.1/callback", true},
		{"[::1] other port", "http://[::1]:8080/cb", "http://[::1]:9090/cb", true},
		{"localhost other port", "http://localhost:3000/oauth/callback", "http://localhost:41234/oauth/callback", true},
		{"localhost without path", "http://localhost", "http://localhost:5555", true},
		{"loopback other path", "http://127.0.0.1:51234/callback", "http://127.0.0.1:51234/callback2", false},
		{"loopback path prefix", "http://127.0.0.1/cb", "http://127.0.0.1:1/cb/x", false},
		{"loopback other query", "http://127.0.0.1/cb?a=1", "http://127.0.0.1:1/cb?a=2", false},
		{"loopback same query", "http://127.0.0.1/cb?a=1", "http://127.0.0.1:1/cb?a=1", true},
		{"loopback other host", "http://127.0.0.1:51234/callback", "http://localhost:51234/callback", false},
		{"loopback other 127/8 address", "http://127.0.0.1/cb", "http://127.0.0.2:80/cb", false},
		{"loopback to https", "http://127.0.0.1/cb", "https://127.0.0.1:1/cb", false},
		{"loopback empty port", "http://127.0.0.1/cb", "http://127.0.0.1:/cb", false},
		{"loopback bad port", "http://127.0.0.1/cb", "http://127.0.0.1:abc/cb", false},
		{"loopback userinfo", "http://127.0.0.1/cb", "http://x@127.0.0.1:1/cb", false},
		{"loopback fragment", "http://127.0.0.1/cb", "http://127.0.0.1:1/cb#x", false},
		{"look-alike host", "http://127.0.0.1/cb", "http://127.0.0.1.evil.example:1/cb", false},
		{"https other port", "https://app.example/cb", "https://app.example:8443/cb", false},
		{"https exact", "https://app.example/cb", "https://app.example/cb", true},
		{"native exact", "cursor://anysphere.cursor-mcp/oauth/callback", "cursor://anysphere.cursor-mcp/oauth/callback", true},
		{"empty", "http://127.0.0.1/cb", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redirectURIMatches(tt.registered, tt.requested); got != tt.ok {
				t.Fatalf("redirectURIMatches(%q, %q) = %v, want %v", tt.registered, tt.requested, got, tt.ok)
			}
			if got := redirectRegistered([]string{"https://x.example/cb", tt.registered}, tt.requested); got != tt.ok {
				t.Fatalf("redirectRegistered = %v, want %v", got, tt.ok)
			}
		})
	}
}
