package main

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/oauthpkce"
)

// TestClientAccessTTLFlag: --client-access-ttl (and
// HOSTGATE_CLIENT_ACCESS_TTL) is read, checked at start with an error that
// says how to write it, and never promises more than --grant-ttl (issue
// 10, item 11).
func TestClientAccessTTLFlag(t *testing.T) {
	const claude = "https://claude.ai/oauth/mcp-oauth-client-metadata"
	for _, tt := range []struct {
		name string
		env  string
		args []string
		want []oauthpkce.ClientAccessTTL
		err  []string // parts of the error
	}{
		{name: "none by default"},
		{name: "environment", env: claude + "=24h,name:Claude*=12h", want: []oauthpkce.ClientAccessTTL{
			{ClientID: claude, TTL: 24 * time.Hour}, {NamePattern: "Claude*", TTL: 12 * time.Hour}}},
		{name: "flag wins", env: claude + "=24h", args: []string{"--client-access-ttl", "name:Cursor*=2h"},
			want: []oauthpkce.ClientAccessTTL{{NamePattern: "Cursor*", TTL: 2 * time.Hour}}},
		{name: "malformed", args: []string{"--client-access-ttl", "Claude=24h"},
			err: []string{"--client-access-ttl", `"Claude=24h"`, "name:", "e.g. https://claude.ai/oauth/mcp-oauth-client-metadata=24h"}},
		{name: "too long", args: []string{"--client-access-ttl", "name:Claude*=200h"},
			err: []string{"--client-access-ttl", "between 1m and 168h"}},
		{name: "past the grant", args: []string{"--grant-ttl", "24h", "--client-access-ttl", claude + "=48h"},
			err: []string{"--client-access-ttl", "longer than --grant-ttl"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("HOSTGATE_CLIENT_ACCESS_TTL", tt.env)
			}
			var c Config
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			bindFlags(fs, &c, defaults(t.TempDir()))
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.validate()
			if tt.err != nil {
				if err == nil {
					t.Fatal("validate accepted it")
				}
				for _, part := range tt.err {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q does not say %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.clientAccessTTLs()
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("rules %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
