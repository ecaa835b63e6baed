package storetest

import (
	"context"
	"testing"

	"github.com/hostgate/hostgate/store"
)

// testPing: an open store answers; a caller that has given up gets an
// error rather than a wait.
func testPing(t *testing.T, s store.Store) {
	check(t, "Ping", s.Ping(t.Context()))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping with a cancelled context succeeded")
	}
}
