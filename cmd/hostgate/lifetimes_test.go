package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// TestLifetimeFlags: --code-ttl and --grant-ttl (and their HOSTGATE_*
// variables) default to 1m and 2160h and are bounded (issue 10, item 11).
func TestLifetimeFlags(t *testing.T) {
	for _, tt := range []struct {
		name        string
		env         map[string]string
		args        []string
		code, grant time.Duration
		err         string
	}{
		{name: "defaults", code: time.Minute, grant: 90 * 24 * time.Hour},
		{name: "environment", env: map[string]string{"HOSTGATE_CODE_TTL": "30s", "HOSTGATE_GRANT_TTL": "720h"},
			code: 30 * time.Second, grant: 720 * time.Hour},
		{name: "flags win", env: map[string]string{"HOSTGATE_CODE_TTL": "30s"}, args: []string{"--code-ttl", "2m", "--grant-ttl", "24h"},
			code: 2 * time.Minute, grant: 24 * time.Hour},
		{name: "code too long", args: []string{"--code-ttl", "11m"}, err: "--code-ttl"},
		{name: "code too short", args: []string{"--code-ttl", "1s"}, err: "--code-ttl"},
		{name: "grant shorter than an access token", args: []string{"--grant-ttl", "30m"}, err: "--grant-ttl"},
		{name: "grant too long", args: []string{"--grant-ttl", "9000h"}, err: "--grant-ttl"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var c Config
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			bindFlags(fs, &c, defaults(t.TempDir()))
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.validate()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("validate: %v, want an error naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.CodeTTL != tt.code || c.GrantTTL != tt.grant {
				t.Fatalf("code %v grant %v, want %v %v", c.CodeTTL, c.GrantTTL, tt.code, tt.grant)
			}
		})
	}
}
