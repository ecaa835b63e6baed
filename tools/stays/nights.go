package stays

import (
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// day is a date as days since the Unix epoch, for arithmetic on dates
// without time zones getting in the way.
type day int

func parseDay(s string) (day, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return day(t.Unix() / 86400), true
}

func (d day) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly) }

// Range is the nights From through To, both included (YYYY-MM-DD).
type Range struct {
	From, To string
}

func (r Range) days() (from, to day, ok bool) {
	f, ok1 := parseDay(r.From)
	t, ok2 := parseDay(r.To)
	return f, t, ok1 && ok2 && t >= f
}

// Nights is how many nights the range holds.
func (r Range) Nights() int {
	f, t, ok := r.days()
	if !ok {
		return 0
	}
	return int(t-f) + 1
}

// stay is a reservation's nights: check-in through the night before
// check-out.
func stay(r connector.Reservation) (first, last day, ok bool) {
	in, ok1 := parseDay(r.CheckIn)
	out, ok2 := parseDay(r.CheckOut)
	if !ok1 || !ok2 || out <= in {
		return 0, 0, false
	}
	return in, out - 1, true
}

// overlap is how many of a stay's nights fall in [from, to].
func overlap(first, last, from, to day) int {
	lo, hi := max(first, from), min(last, to)
	if hi < lo {
		return 0
	}
	return int(hi-lo) + 1
}

// occupies reports whether a reservation holds its nights: confirmed
// stays do; inquiries, requests not yet accepted, and cancelled or
// declined ones do not.
func occupies(r connector.Reservation) bool { return r.Status == connector.StatusConfirmed }
