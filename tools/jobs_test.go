package tools

import (
	"slices"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

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

// TestTasksByDueInstant: tasks at different offsets are ordered by when
// they are due, not by their text; undated ones come last.
func TestTasksByDueInstant(t *testing.T) {
	ts := []connector.Task{
		{ID: "a", Due: ""},
		{ID: "b", Due: "2026-12-03T01:30:00+13:00"}, // 2026-12-02T12:30Z
		{ID: "c", Due: "2026-12-02T10:00:00-05:00"}, // 2026-12-02T15:00Z
		{ID: "d", Due: "2026-12-02T11:00:00Z"},
	}
	slices.SortFunc(ts, byDue)
	var got []string
	for _, tk := range ts {
		got = append(got, tk.ID)
	}
	if want := []string{"d", "b", "c", "a"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
