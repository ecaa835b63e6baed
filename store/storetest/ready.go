package storetest

import (
	"context"
	"testing"

	"github.com/hostgate/hostgate/store"
)

// testSchemaCurrent: a store just opened has every migration its backend
// knows; a caller that has given up gets an error, not an answer.
func testSchemaCurrent(t *testing.T, s store.Store) {
	current, err := s.SchemaCurrent(t.Context())
	check(t, "SchemaCurrent", err)
	if !current {
		t.Fatal("SchemaCurrent = false for a store just opened and migrated")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.SchemaCurrent(ctx); err == nil {
		t.Fatal("SchemaCurrent with a cancelled context succeeded")
	}
}
