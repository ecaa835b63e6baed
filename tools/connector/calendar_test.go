package connector

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCalendarChangeNights(t *testing.T) {
	now := time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)
	no, yes, three, zero := false, true, 3, 0
	for _, tc := range []struct {
		name     string
		c        CalendarChange
		from, to string
		problem  string
	}{
		{"one night blocked", CalendarChange{Range: DateRange{From: "2026-12-10"}, Available: &no}, "2026-12-10", "2026-12-10", ""},
		{"a range opened", CalendarChange{Range: DateRange{From: "2026-12-10", To: "2026-12-12"}, Available: &yes}, "2026-12-10", "2026-12-12", ""},
		{"yesterday in UTC (today west of it)", CalendarChange{Range: DateRange{From: "2026-12-02"}, MinStay: &three}, "2026-12-02", "2026-12-02", ""},
		{"nothing to change", CalendarChange{Range: DateRange{From: "2026-12-10"}}, "", "", "nothing to change"},
		{"no first night", CalendarChange{Available: &no}, "", "", "first night"},
		{"bad date", CalendarChange{Range: DateRange{From: "12/10/2026"}, Available: &no}, "", "", "YYYY-MM-DD"},
		{"min stay 0", CalendarChange{Range: DateRange{From: "2026-12-10"}, MinStay: &zero}, "", "", "min_stay"},
		{"free nights", CalendarChange{Range: DateRange{From: "2026-12-10"}, Price: &Money{Amount: 0}}, "", "", "positive"},
		{"NaN price", CalendarChange{Range: DateRange{From: "2026-12-10"}, Price: &Money{Amount: math.NaN()}}, "", "", "positive"},
		{"backwards", CalendarChange{Range: DateRange{From: "2026-12-10", To: "2026-12-09"}, Available: &no}, "", "", "ends before"},
		{"past", CalendarChange{Range: DateRange{From: "2026-12-01"}, Available: &no}, "", "", "past"},
		{"over a year", CalendarChange{Range: DateRange{From: "2026-12-10", To: "2027-12-11"}, Available: &no}, "", "", "at most 366"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, problem := tc.c.Nights(now)
			if tc.problem != "" {
				if !strings.Contains(problem, tc.problem) {
					t.Fatalf("problem %q, want one about %q", problem, tc.problem)
				}
				return
			}
			if problem != "" || from.Format(time.DateOnly) != tc.from || to.Format(time.DateOnly) != tc.to {
				t.Fatalf("= %v, %v, %q", from, to, problem)
			}
		})
	}
}
