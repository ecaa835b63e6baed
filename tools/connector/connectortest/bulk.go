package connectortest

import (
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

// BulkOnce checks reservations listed from a fake started with
// sandbox.Options.Bulk = n: no reservation twice, and each of the n bulk
// guests (named "<first> BulkNNNNN") exactly once, so a client that pages
// loses and repeats nothing.
func BulkOnce(t testing.TB, rs []connector.Reservation, n int) {
	t.Helper()
	ids := map[string]bool{}
	guests := map[string]int{}
	for _, r := range rs {
		if ids[r.ID] {
			t.Errorf("reservation %s listed twice", r.ID)
		}
		ids[r.ID] = true
		if strings.Contains(r.GuestName, " Bulk") {
			guests[r.GuestName]++
		}
	}
	if len(guests) != n {
		t.Errorf("%d bulk guests listed, want %d", len(guests), n)
	}
	for g, k := range guests {
		if k != 1 {
			t.Errorf("bulk guest %s listed %d times", g, k)
		}
	}
}
