package mcpserver_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestTurnoversAndGapsOnSeededCalendars: the seeded Auckland property
// (Hospitable, +1300, east of UTC) and Seattle listing (Hostaway,
// America/Los_Angeles, west of UTC) through the real client: a same-day
// turn with times at each property's own offset, and one-night gaps
// between stays.
func TestTurnoversAndGapsOnSeededCalendars(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	date := func(d time.Time) string { return d.Format("2006-01-02") }
	s := sandbox.HospitableAucklandStays(e.clock.Now())
	akl := "hospitable:" + sandbox.HospitableAucklandPropertyID

	var turns tools.TurnoversOut
	if msg := callTool(t, f.client, "list_turnovers", map[string]any{"property_id": akl, "from": date(s.AddDate(0, 0, 3)), "to": date(s.AddDate(0, 0, 3))}, &turns); msg != "" {
		t.Fatal(msg)
	}
	if len(turns.Turnovers) != 1 || turns.SameDay != 1 {
		t.Fatalf("Auckland turnovers on S+3 = %+v", turns)
	}
	tv := turns.Turnovers[0]
	day := date(s.AddDate(0, 0, 3))
	if !tv.SameDay || tv.Next == nil || tv.Date != day ||
		tv.CheckOut.At != day+"T10:00:00+13:00" || tv.Next.At != day+"T14:00:00+13:00" {
		t.Fatalf("Auckland same-day turn = %+v (next %+v)", tv, tv.Next)
	}

	var gaps tools.GapsOut
	if msg := callTool(t, f.client, "find_gap_nights", map[string]any{"property_id": akl, "from": date(s), "to": date(s.AddDate(0, 0, 12)), "max_nights": 1}, &gaps); msg != "" {
		t.Fatal(msg)
	}
	found := false
	for _, g := range gaps.Gaps {
		if g.From == date(s.AddDate(0, 0, 5)) && g.To == g.From && g.Nights == 1 && g.Before == "reserved" && g.After == "reserved" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no one-night gap on S+5 (%s) in %+v", date(s.AddDate(0, 0, 5)), gaps.Gaps)
	}

	// Seattle, west of UTC: a same-day turn and a one-night gap within
	// 30 days, every time at Los Angeles's offset that day.
	sea := "hostaway:43055"
	from, to := date(e.clock.Now()), date(e.clock.Now().AddDate(0, 0, 30))
	if msg := callTool(t, f.client, "list_turnovers", map[string]any{"property_id": sea, "from": from, "to": to}, &turns); msg != "" {
		t.Fatal(msg)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	if turns.SameDay == 0 {
		t.Fatalf("no same-day turn in Seattle: %+v", turns.Turnovers)
	}
	for _, tv := range turns.Turnovers {
		d, _ := time.ParseInLocation("2006-01-02 15:04", tv.Date+" 10:00", la)
		if tv.CheckOut.At != d.Format(time.RFC3339) {
			t.Errorf("Seattle check-out on %s at %q, want %s", tv.Date, tv.CheckOut.At, d.Format(time.RFC3339))
		}
	}
	if msg := callTool(t, f.client, "find_gap_nights", map[string]any{"property_id": sea, "from": from, "to": to, "max_nights": 1}, &gaps); msg != "" {
		t.Fatal(msg)
	}
	if len(gaps.Gaps) == 0 {
		t.Fatal("no one-night gap in Seattle within 30 days")
	}
}

// TestRevenueSummaryByHand: revenue_summary over every sandbox account
// against figures worked out here, separately, from the reservations and
// calendars the same client reads: per property booked and available
// nights, revenue, occupancy, ADR and RevPAR, with two currencies apart.
func TestRevenueSummaryByHand(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	now := e.clock.Now()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, -1)
	day := func(d time.Time) string { return d.Format("2006-01-02") }

	var sum tools.RevenueOut
	if msg := callTool(t, f.client, "revenue_summary", map[string]any{"from": day(from), "to": day(to)}, &sum); msg != "" {
		t.Fatal(msg)
	}
	if sum.Closed != "counted" || len(sum.Errors) != 0 {
		t.Fatalf("closed nights %q, errors %+v", sum.Closed, sum.Errors)
	}

	// Every reservation checking out after the first night, all pages.
	var all []connector.Reservation
	cursor := ""
	for {
		args := map[string]any{"from": day(from.AddDate(0, 0, 1)), "to": day(to.AddDate(0, 0, 60)), "by": "check_out", "status": "confirmed", "limit": 100}
		if cursor != "" {
			args["cursor"] = cursor
		}
		var page tools.ReservationsOut
		e.clock.Advance(11 * time.Second)
		if msg := callTool(t, f.client, "list_reservations", args, &page); msg != "" {
			t.Fatal(msg)
		}
		all = append(all, page.Reservations...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	type figures struct {
		booked, blocked int
		revenue         float64
		currency        string
	}
	want := map[string]*figures{}
	nights := int(to.Sub(from).Hours()/24) + 1
	for _, r := range all {
		in, _ := time.Parse("2006-01-02", r.CheckIn)
		out, _ := time.Parse("2006-01-02", r.CheckOut)
		n := 0
		for d := in; d.Before(out); d = d.AddDate(0, 0, 1) {
			if !d.Before(from) && !d.After(to) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		w := want[r.PropertyID]
		if w == nil {
			w = &figures{}
			want[r.PropertyID] = w
		}
		w.booked += n
		if r.Total != nil {
			w.revenue += r.Total.Amount * float64(n) / (out.Sub(in).Hours() / 24)
			if w.currency == "" {
				w.currency = r.Total.Currency
			}
		}
	}
	currencies := map[string]bool{}
	compared := 0
	for _, p := range sum.Properties {
		w := want[p.PropertyID]
		if w == nil {
			if p.BookedNights != 0 {
				t.Errorf("%s: %d booked nights, none by hand", p.PropertyID, p.BookedNights)
			}
			continue
		}
		var cal tools.CalendarOut
		e.clock.Advance(11 * time.Second) // Hostaway's 15 requests per 10 s refill
		if msg := callTool(t, f.client, "get_calendar", map[string]any{"property_id": p.PropertyID, "from": day(from), "to": day(to)}, &cal); msg != "" {
			t.Fatal(msg)
		}
		for _, d := range cal.Days {
			if d.Status == "blocked" {
				w.blocked++
			}
		}
		avail := max(nights-w.blocked, w.booked)
		occ := math.Round(float64(w.booked)/float64(avail)*1e4) / 1e4
		adr := math.Round(w.revenue/float64(w.booked)*100) / 100
		revpar := math.Round(w.revenue/float64(avail)*100) / 100
		got := fmt.Sprintf("booked %d avail %d revenue %.2f occ %.4f adr %.2f revpar %.2f", p.BookedNights, p.AvailableNights, p.Revenue, p.Occupancy, p.ADR, p.RevPAR)
		exp := fmt.Sprintf("booked %d avail %d revenue %.2f occ %.4f adr %.2f revpar %.2f", w.booked, avail, w.revenue, occ, adr, revpar)
		if p.NotSummed == 0 {
			compared++
			if got != exp {
				t.Errorf("%s (%s):\n got %s\nwant %s", p.PropertyID, p.Name, got, exp)
			}
		}
		if p.Currency != "" {
			currencies[p.Currency] = true
		}
	}
	if compared < 5 {
		t.Fatalf("only %d properties compared", compared)
	}
	if len(currencies) < 2 || len(sum.Totals) < 2 {
		t.Fatalf("want two currencies kept apart; totals %+v", sum.Totals)
	}
	for _, tot := range sum.Totals {
		if tot.Currency == "" {
			continue
		}
		var revenue float64
		for _, p := range sum.Properties {
			if p.Currency == tot.Currency {
				revenue += p.Revenue
			}
		}
		if math.Abs(revenue-tot.Revenue) > 0.05 {
			t.Errorf("%s total %.2f, its properties add to %.2f", tot.Currency, tot.Revenue, revenue)
		}
	}
	if !strings.Contains(resultText(rawCall(t, f.client, "revenue_summary", map[string]any{"from": day(from), "to": day(to)})), "EUR") {
		t.Error("the summary line names no EUR figure")
	}
}

// TestJobsSayWhatAVendorLacks: an account whose vendor publishes no
// payouts says so in errors while the others answer.
func TestJobsSayWhatAVendorLacks(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	var out tools.PayoutsOut
	if msg := callTool(t, f.client, "list_payouts", map[string]any{"from": e.clock.Now().AddDate(0, -6, 0).Format("2006-01-02"), "to": e.clock.Now().Format("2006-01-02")}, &out); msg != "" {
		t.Fatal(msg)
	}
	if len(out.Payouts) == 0 {
		t.Fatal("no Hospitable payouts")
	}
	lacking := map[string]bool{}
	for _, er := range out.Errors {
		if strings.Contains(er.Error, "does not support") {
			lacking[er.Vendor] = true
		}
	}
	for _, v := range []string{"hostex", "hostaway", "hoxtonai"} {
		if !lacking[v] {
			t.Errorf("%s's lack of payouts is not said: %+v", v, out.Errors)
		}
	}
}
