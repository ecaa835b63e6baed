package connector_test

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

func TestValidDate(t *testing.T) {
	for in, want := range map[string]bool{
		"": true, "2026-05-21": true, "2024-02-29": true,
		"2026-02-30": false, "2026-5-21": false, "21/05/2026": false, "2026-05-21T00:00:00Z": false, "tomorrow": false,
	} {
		if got := connector.ValidDate(in); got != want {
			t.Errorf("ValidDate(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestReservationQueryProblem(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    connector.ReservationQuery
		want string
	}{
		{"empty", connector.ReservationQuery{}, ""},
		{"every normalized status", connector.ReservationQuery{Status: connector.StatusOther}, ""},
		{"a range", connector.ReservationQuery{Range: connector.DateRange{From: "2026-05-01", To: "2026-05-31"}}, ""},
		{"bad from", connector.ReservationQuery{Range: connector.DateRange{From: "May 1"}}, "dates must be YYYY-MM-DD"},
		{"bad to", connector.ReservationQuery{Range: connector.DateRange{To: "2026-13-01"}}, "dates must be YYYY-MM-DD"},
		{"a vendor's own status", connector.ReservationQuery{Status: "accepted"}, "unknown status accepted"},
		{"bad dates come first", connector.ReservationQuery{Range: connector.DateRange{From: "x"}, Status: "x"}, "dates must be YYYY-MM-DD"},
	} {
		if got := tc.q.Problem(); got != tc.want {
			t.Errorf("%s: Problem() = %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, s := range []string{connector.StatusInquiry, connector.StatusPending, connector.StatusConfirmed,
		connector.StatusCancelled, connector.StatusDeclined, connector.StatusOther} {
		if !connector.KnownStatus(s) {
			t.Errorf("KnownStatus(%q) = false", s)
		}
	}
	if connector.KnownStatus("") || connector.KnownStatus("Confirmed") {
		t.Error("KnownStatus accepts an empty or differently cased status")
	}
}

func TestDateRangeWindow(t *testing.T) {
	// Late in the day in UTC-5: the window starts on the UTC date.
	now := time.Date(2026, 5, 21, 22, 30, 0, 0, time.FixedZone("EST", -5*3600))
	for _, tc := range []struct {
		name     string
		r        connector.DateRange
		from, to string
		problem  string
	}{
		{"open: today and the default length", connector.DateRange{}, "2026-05-22", "2026-06-20", ""},
		{"from only", connector.DateRange{From: "2026-07-01"}, "2026-07-01", "2026-07-30", ""},
		{"to only", connector.DateRange{To: "2026-05-25"}, "2026-05-22", "2026-05-25", ""},
		{"one day", connector.DateRange{From: "2026-07-01", To: "2026-07-01"}, "2026-07-01", "2026-07-01", ""},
		{"the longest: 366 days", connector.DateRange{From: "2026-01-01", To: "2027-01-01"}, "2026-01-01", "2027-01-01", ""},
		{"one day too long", connector.DateRange{From: "2026-01-01", To: "2027-01-02"}, "", "", "a calendar range is at most 366 days"},
		{"backwards", connector.DateRange{From: "2026-07-02", To: "2026-07-01"}, "", "", "the range ends before it starts"},
		{"not a date", connector.DateRange{From: "2026-07-32"}, "", "", "dates must be YYYY-MM-DD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := tc.r.Window(now, 30, 366)
			if tc.problem != "" {
				if err == nil || err.Error() != tc.problem || from != "" || to != "" {
					t.Fatalf("Window = %q, %q, %v; want %q", from, to, err, tc.problem)
				}
				return
			}
			if err != nil || from != tc.from || to != tc.to {
				t.Fatalf("Window = %q, %q, %v; want %q, %q", from, to, err, tc.from, tc.to)
			}
		})
	}
}
