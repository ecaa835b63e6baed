package hostex

import (
	"slices"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// What the turnover and gap-night tools read of the fake's fixed stays,
// through the client: a same-day turn, then one open night between two
// stays, priced, with reserved nights on both sides. Hostex publishes no
// time zone or check-in time for a property, so it has none.
func TestTheFixedTurnAndGapReadThroughTheClient(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	turn, gap := e.Day(sandbox.HostexSameDayTurn), e.Day(sandbox.HostexOpenGapNight)
	rs, err := c.ListReservations(ctx, connector.ReservationQuery{PropertyID: "12111947", Status: connector.StatusConfirmed,
		Range: connector.DateRange{From: e.Day(sandbox.HostexSameDayTurn - 3), To: e.Day(sandbox.HostexOpenGapNight + 1)}})
	if err != nil {
		t.Fatal(err)
	}
	var spans []string
	for _, r := range rs {
		spans = append(spans, r.CheckIn+".."+r.CheckOut)
		if r.Total == nil || r.Total.Currency != "USD" || r.Total.Amount <= 0 {
			t.Errorf("%s: total %+v", r.ID, r.Total)
		}
	}
	slices.Sort(spans)
	want := []string{e.Day(sandbox.HostexSameDayTurn-3) + ".." + turn, turn + ".." + gap, e.Day(sandbox.HostexOpenGapNight+1) + ".." + e.Day(sandbox.HostexOpenGapNight+5)}
	if !slices.Equal(spans, want) {
		t.Errorf("stays %v, want %v", spans, want)
	}

	days, err := c.Calendar(ctx, "12111947", connector.DateRange{From: e.Day(sandbox.HostexOpenGapNight - 2), To: e.Day(sandbox.HostexOpenGapNight + 2)})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, d := range days {
		statuses = append(statuses, d.Status)
		if d.Date == gap && (d.Price == nil || d.Price.Amount <= 0 || d.Price.Currency != "") {
			t.Errorf("the gap night's price %+v: a number without a currency (Hostex gives none)", d.Price)
		}
	}
	if !slices.Equal(statuses, []string{"reserved", "reserved", "available", "reserved", "reserved"}) {
		t.Errorf("nights around the gap: %v", statuses)
	}

	p, err := c.GetProperty(ctx, "12111947")
	if err != nil || p.Timezone != "" || p.CheckInTime != "" || p.CheckOutTime != "" {
		t.Errorf("property %+v, %v: Hostex publishes no zone or times", p, err)
	}
}
