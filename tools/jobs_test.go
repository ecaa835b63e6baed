package tools

import "testing"

// TestLocalTimes: a task's due instant is read and written where the
// property is, on both sides of UTC and for an offset-only zone.
func TestLocalTimes(t *testing.T) {
	for _, tt := range []struct{ due, tz, day, local string }{
		{"2026-12-03T04:59:59Z", "America/New_York", "2026-12-02", "2026-12-02T23:59:59-05:00"},
		{"2026-12-02T12:30:00Z", "Pacific/Auckland", "2026-12-03", "2026-12-03T01:30:00+13:00"},
		{"2026-12-02T12:30:00Z", "+1300", "2026-12-03", "2026-12-03T01:30:00+13:00"},
		{"2026-12-02T12:30:00Z", "", "2026-12-02", "2026-12-02T12:30:00Z"},
		{"2026-12-02", "Pacific/Auckland", "2026-12-02", "2026-12-02"},
		{"soon", "UTC", "", "soon"},
	} {
		if got := localDay(tt.due, tt.tz); got != tt.day {
			t.Errorf("localDay(%q, %q) = %q, want %q", tt.due, tt.tz, got, tt.day)
		}
		if got := localTime(tt.due, tt.tz); got != tt.local {
			t.Errorf("localTime(%q, %q) = %q, want %q", tt.due, tt.tz, got, tt.local)
		}
	}
}
