package oauthpkce

import (
	"strings"
	"testing"
)

// FuzzParseClientAccessTTLs: the rules come from an operator's flag or
// environment. Whatever the text, parsing never panics, an accepted rule
// keeps its lifetime within the bounds, and writing the rules back out
// reads as the same rules.
func FuzzParseClientAccessTTLs(f *testing.F) {
	for _, s := range []string{
		"https://claude.ai/oauth/mcp-oauth-client-metadata=24h,name:Claude*=12h",
		"name:Cursor?=90m",
		"https://a.example/c=x=1h",
		"name:*=1h",
		",,=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseClientAccessTTLs(s)
		if err != nil {
			return
		}
		var parts []string
		for _, r := range rules {
			if r.TTL < MinClientAccessTTL || r.TTL > MaxClientAccessTTL {
				t.Fatalf("%q: lifetime %s out of bounds", s, r.TTL)
			}
			if strings.Contains(r.NamePattern, ",") {
				t.Fatalf("%q: a pattern holds a comma", s)
			}
			parts = append(parts, r.String())
		}
		again, err := ParseClientAccessTTLs(strings.Join(parts, ","))
		if err != nil || len(again) != len(rules) {
			t.Fatalf("%q: rules written back (%q) read as %v, %v", s, strings.Join(parts, ","), again, err)
		}
		for i := range rules {
			if again[i] != rules[i] {
				t.Fatalf("%q: rule %d reads back as %+v, want %+v", s, i, again[i], rules[i])
			}
		}
	})
}

// FuzzMatchName: a client names itself, so the pattern match must never
// panic or take long, a pattern always matches the name it spells, and
// "*" around a name matches it anywhere.
func FuzzMatchName(f *testing.F) {
	f.Add("Claude*", "Claude Desktop")
	f.Add("c?rsor", "Cursor")
	f.Add("**a*b*c*", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 256 || len(name) > 1024 {
			return
		}
		matchName(pattern, name)
		if strings.ContainsAny(name, "*?") {
			return
		}
		if !matchName(name, name) {
			t.Fatalf("%q does not match itself", name)
		}
		if !matchName("*"+name+"*", "x"+name+"y") {
			t.Fatalf("*%s* does not match x%sy", name, name)
		}
	})
}
