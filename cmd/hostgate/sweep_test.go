package main

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestSweepDeletesIdleDocumentClients (issue 10, item 5): the sweep that
// serve runs every ten minutes deletes the clients known by a metadata
// document that nobody uses, and keeps the rest.
func TestSweepDeletesIdleDocumentClients(t *testing.T) {
	a, err := open(defaults(t.TempDir()), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	ctx := context.Background()
	now := time.Now()
	const day = 24 * time.Hour
	for _, c := range []store.Client{
		{ID: "https://abandoned.example/c", MetadataURL: "https://abandoned.example/c", CreatedAt: now.Add(-90 * day), LastUsedAt: now.Add(-31 * day)},
		{ID: "https://probe.example/c", MetadataURL: "https://probe.example/c", CreatedAt: now.Add(-25 * time.Hour)},
		{ID: "https://recent.example/c", MetadataURL: "https://recent.example/c", CreatedAt: now.Add(-90 * day), LastUsedAt: now.Add(-day)},
		{ID: "https://new.example/c", MetadataURL: "https://new.example/c", CreatedAt: now.Add(-time.Hour)},
		{ID: "registered", CreatedAt: now.Add(-90 * day), LastUsedAt: now.Add(-31 * day)},
	} {
		c.Name, c.RedirectURIs, c.AuthMethod = "App", []string{"https://app.example/cb"}, "none"
		if err := a.store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	a.sweepOnce(ctx, now)
	for id, kept := range map[string]bool{
		"https://abandoned.example/c": false, "https://probe.example/c": false,
		"https://recent.example/c": true, "https://new.example/c": true, "registered": true,
	} {
		_, err := a.store.GetClient(ctx, id)
		switch {
		case kept && err != nil:
			t.Errorf("%s: %v, want it kept", id, err)
		case !kept && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: %v, want it deleted", id, err)
		}
	}
}
