package hostex

import (
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// BenchmarkListReservations is a cold read of a Hostex list through the
// client against the fake: one request path, the envelope and the page
// decoded, the items mapped. Its allocations and bytes show how many
// passes the decoding makes over the answer.
//
//	go test -run '^$' -bench ListReservations -benchmem ./tools/connector/hostex/
func BenchmarkListReservations(b *testing.B) {
	e := &env{connectortest.NewEnv(b, sandbox.NewHostex, NewSpec(), connectortest.FixedNow, sandbox.HostexClientID, sandbox.HostexClientSecret)}
	e.V.SetRateLimiting(false)
	e.Spec.Budget = nil
	c, _ := e.pat(sandbox.HostexWritableToken)
	q := connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-30), To: e.Day(60)}}
	b.ReportAllocs()
	for b.Loop() {
		rs, err := c.ListReservations(b.Context(), q)
		if err != nil || len(rs) == 0 {
			b.Fatal(len(rs), err)
		}
	}
}
