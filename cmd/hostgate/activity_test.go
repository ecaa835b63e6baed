package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestActivityRetentionFlag: --activity-retention (and
// HOSTGATE_ACTIVITY_RETENTION) defaults to 400 days; 0 keeps everything;
// anything under a day is refused as a likely mistake.
func TestActivityRetentionFlag(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  string
		args []string
		want time.Duration
		err  string
	}{
		{name: "default", want: 400 * 24 * time.Hour},
		{name: "environment", env: "720h", want: 720 * time.Hour},
		{name: "flag wins", env: "720h", args: []string{"--activity-retention", "48h"}, want: 48 * time.Hour},
		{name: "keep everything", args: []string{"--activity-retention", "0"}, want: 0},
		{name: "under a day", args: []string{"--activity-retention", "30m"}, err: "--activity-retention"},
		{name: "negative", args: []string{"--activity-retention", "-24h"}, err: "--activity-retention"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("HOSTGATE_ACTIVITY_RETENTION", tt.env)
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
			if err != nil || c.ActivityRetention != tt.want {
				t.Fatalf("retention %v (%v), want %v", c.ActivityRetention, err, tt.want)
			}
		})
	}
}

// TestSweepDeletesOldActivity: the ten-minute sweep deletes the activity
// events older than the retention and keeps the rest.
func TestSweepDeletesOldActivity(t *testing.T) {
	cfg := defaults(t.TempDir())
	cfg.ActivityRetention = 30 * 24 * time.Hour
	a, err := open(cfg, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	ctx := context.Background()
	now := time.Now()
	events := []store.AuditEvent{
		{At: now.Add(-31 * 24 * time.Hour), UserID: "u1", Kind: store.EventToolCall, Tool: "list_properties"},
		{At: now.Add(-29 * 24 * time.Hour), UserID: "u1", Kind: store.EventToolCall, Tool: "send_message"},
		{At: now.Add(-time.Hour), UserID: "u1", Kind: "signin"},
	}
	if err := a.store.AddActivity(ctx, events); err != nil {
		t.Fatal(err)
	}
	a.sweepOnce(ctx, now)
	got, err := a.store.ListActivity(ctx, "u1", store.ActivityFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != "signin" || got[1].Tool != "send_message" {
		t.Fatalf("after the sweep: %+v, want the two younger events", got)
	}
}
