package connectortest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// PagesTheBulkSeed starts the fake newVendor makes with Bulk = 130 on a
// clock stopped at now, lists 30 days of reservations from now in pages of
// 7 over the credential cred gives, and checks that the client pages the
// bulk seed without losing or repeating a booking (BulkOnce).
func PagesTheBulkSeed(t *testing.T, newVendor func(sandbox.Options) *sandbox.Vendor, spec *connector.Spec, now time.Time,
	cred func(t *testing.T, e Env) connector.Credential) {
	t.Helper()
	const n = 130
	bulk := func(o sandbox.Options) *sandbox.Vendor { o.Bulk = n; return newVendor(o) }
	e := NewEnv(t, bulk, spec, now, "", "")
	e.Spec.PageSize = 7
	c := e.Spec.New(e.Spec, connector.StaticSource(cred(t, e))).(connector.ReservationLister)
	rs, err := c.ListReservations(context.Background(), connector.ReservationQuery{Range: connector.DateRange{From: e.Day(0), To: e.Day(29)}})
	if err != nil {
		t.Fatal(err)
	}
	BulkOnce(t, rs, n)
}

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
