package oauthpkce

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Per-client access-token lifetimes. Some clients never use their refresh
// token: Claude.ai's connectors drop a server's tools when the access token
// expires instead of refreshing it (public reports, e.g.
// anthropics/claude-ai-mcp#228). A host may give such a client longer-lived
// access tokens. That stays safe because every MCP call checks the token
// against the store, so revoking the app on the connections page stops it
// at once whatever the token's lifetime; what a longer lifetime costs is a
// longer window for a token that leaks unnoticed.

// Bounds of a per-client access-token lifetime. A week covers an app used
// once a week without a new sign-in, and keeps a leaked token's window to
// days rather than the months of a grant.
const (
	// MinClientAccessTTL is the shortest, as for --access-ttl.
	MinClientAccessTTL = time.Minute
	// MaxClientAccessTTL is the longest: a week.
	MaxClientAccessTTL = 7 * 24 * time.Hour
)

// ClientAccessTTL gives the access tokens of the clients it matches their
// own lifetime, instead of Config.AccessTTL. Exactly one of ClientID and
// NamePattern is set.
type ClientAccessTTL struct {
	// ClientID is a client-ID metadata document URL, matched exactly: the
	// document was fetched from that URL, so the match is as sure as the
	// URL's host.
	ClientID string
	// NamePattern matches the client's name, ignoring case: * stands for
	// any run of characters, ? for one character. A name is the client's
	// own claim (chosen at registration or in its document), so any client
	// can take a name that matches; prefer ClientID where there is one.
	NamePattern string
	// TTL is the access tokens' lifetime, between MinClientAccessTTL and
	// MaxClientAccessTTL.
	TTL time.Duration
}

// String is the rule as ParseClientAccessTTLs reads it.
func (r ClientAccessTTL) String() string {
	match := r.ClientID
	if r.NamePattern != "" {
		match = "name:" + r.NamePattern
	}
	return match + "=" + shortDuration(r.TTL)
}

// ParseClientAccessTTLs reads comma-separated rules of the form
// <client>=<duration>, where <client> is a client-ID metadata document URL
// (https://…) or name:<pattern>, and <duration> is a Go duration such as
// 24h or 90m. For example:
//
//	https://claude.ai/oauth/mcp-oauth-client-metadata=24h,name:Claude*=12h
//
// A comma inside a name cannot be written; match it with ? instead. Its
// errors say how to fix the rule.
func ParseClientAccessTTLs(s string) ([]ClientAccessTTL, error) {
	var out []ClientAccessTTL
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		// The last "=": a duration never holds one, a URL's path may.
		i := strings.LastIndex(item, "=")
		if i < 0 {
			return nil, fmt.Errorf("%q: give a lifetime after =, e.g. %s=24h", item, item)
		}
		match, dur := strings.TrimSpace(item[:i]), strings.TrimSpace(item[i+1:])
		var r ClientAccessTTL
		var err error
		if pattern, ok := strings.CutPrefix(match, "name:"); ok {
			r.NamePattern = strings.TrimSpace(pattern)
			err = checkNamePattern(r.NamePattern)
		} else {
			r.ClientID = match
			err = checkDocumentURL(match)
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %w", item, err)
		}
		key := strings.ToLower(r.NamePattern)
		if r.ClientID != "" {
			key = "url\x00" + r.ClientID
		}
		if seen[key] {
			return nil, fmt.Errorf("%q: this client is given a lifetime twice; keep one", item)
		}
		seen[key] = true
		r.TTL, err = time.ParseDuration(dur)
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a duration such as 24h or 90m (write days in hours: 168h is a week)", item, dur)
		}
		if r.TTL < MinClientAccessTTL || r.TTL > MaxClientAccessTTL {
			return nil, fmt.Errorf("%q: the lifetime must be between %s and %s (a week)", item,
				shortDuration(MinClientAccessTTL), shortDuration(MaxClientAccessTTL))
		}
		out = append(out, r)
	}
	return out, nil
}

// checkDocumentURL checks a rule's client-ID metadata document URL as far
// as a URL alone can be checked (the rules of checkClientIDURL).
func checkDocumentURL(raw string) error {
	const how = "name a client by its metadata document URL (https://…) or by name:<pattern>, e.g. https://claude.ai/oauth/mcp-oauth-client-metadata=24h or name:Cursor*=12h"
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("no client named; " + how)
	case err != nil || u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return errors.New(how)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("a client_id URL has no userinfo, query or fragment")
	case u.Path == "" || u.Path == "/":
		return errors.New("a client_id URL has a path, e.g. https://claude.ai/oauth/mcp-oauth-client-metadata")
	}
	return nil
}

// checkNamePattern refuses a pattern that matches nothing useful or every
// client (--access-ttl is the setting for every client).
func checkNamePattern(p string) error {
	switch {
	case p == "":
		return errors.New("name: needs a pattern, e.g. name:Claude*")
	case strings.Trim(p, "*?") == "":
		return errors.New("a pattern must match a name, not every client; to change every app's lifetime use --access-ttl")
	}
	return nil
}

// matchName reports whether name matches the pattern, ignoring case: *
// matches any run of characters (none included), ? exactly one. It
// backtracks only to the last *, so it runs in time proportional to the
// product of the lengths at worst, never exponentially.
func matchName(pattern, name string) bool {
	p, n := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(name))
	pi, ni := 0, 0
	star, mark := -1, 0
	for ni < len(n) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ni
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == n[ni]):
			pi++
			ni++
		case star >= 0:
			mark++
			pi, ni = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// AccessTTL returns the lifetime of the access tokens issued to c: that of
// the rule matching its metadata document URL, else of the first rule
// whose pattern matches its name, else Config.AccessTTL; never more than
// the grant's absolute lifetime. The consent and connections pages show
// it to the host.
func (s *Server) AccessTTL(c store.Client) time.Duration {
	ttl := s.cfg.AccessTTL
	if r, ok := s.clientRule(c); ok {
		ttl = r.TTL
	}
	return min(ttl, s.cfg.GrantTTL)
}

// clientRule finds the rule for c (see AccessTTL).
func (s *Server) clientRule(c store.Client) (ClientAccessTTL, bool) {
	if c.MetadataURL != "" && c.MetadataURL == c.ID {
		for _, r := range s.cfg.ClientAccessTTLs {
			if r.ClientID == c.ID {
				return r, true
			}
		}
	}
	for _, r := range s.cfg.ClientAccessTTLs {
		if r.NamePattern != "" && matchName(r.NamePattern, c.Name) {
			return r, true
		}
	}
	return ClientAccessTTL{}, false
}

// SetClientAccessTTLs sets Config.ClientAccessTTLs of a server built by
// another package. Call it before serving: it is not safe to call while
// requests are served.
func (s *Server) SetClientAccessTTLs(rules []ClientAccessTTL) {
	s.cfg.ClientAccessTTLs = rules
}

// DescribeLifetime says a lifetime as the host reads it: "1 hour",
// "24 hours", "7 days", "90 minutes" (to the minute).
func DescribeLifetime(d time.Duration) string {
	d = d.Truncate(time.Minute)
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	default:
		return unit(int64(d/time.Minute), "minute")
	}
}

// shortDuration prints d without the trailing zero units of
// time.Duration.String ("168h", not "168h0m0s").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
