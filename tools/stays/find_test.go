package stays

import (
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

// TestFind: one row per way a guest is found, and the fragments that
// find nobody.
func TestFind(t *testing.T) {
	rs := []connector.Reservation{
		{ID: "hostex:1", Code: "HMABC12345", GuestName: "José García", GuestEmail: "jose.garcia@example.com", GuestPhone: "+34 612 345 678", CheckIn: "2026-06-01"},
		{ID: "hospitable:2", Code: "5551234", GuestName: "Joseph Gardner", GuestEmail: "jg@example.org", GuestPhone: "(415) 555-0199", CheckIn: "2026-07-01"},
		{ID: "hostaway:3", Code: "BK-778899", GuestName: "Mia Wong", CheckIn: "2026-05-01"},
		{ID: "hostex:4", GuestName: "Dana O'Connor", CheckIn: "2026-04-01"},
	}
	tests := []struct {
		q       string
		want    []string // ids in order
		matched string   // of the first hit
	}{
		{"HMABC12345", []string{"hostex:1"}, "code"},
		{"hmabc 12345", []string{"hostex:1"}, "code"},
		{"jose garcia", []string{"hostex:1"}, "guest_name"},
		{"jose gar", []string{"hostex:1", "hospitable:2"}, "guest_name"},
		{"JOSÉ", []string{"hostex:1", "hospitable:2"}, "guest_name"},
		{"garcía", []string{"hostex:1"}, "guest_name"},
		{"jos ga", []string{"hospitable:2", "hostex:1"}, "guest_name"},
		{"jose.garcia@example.com", []string{"hostex:1"}, "email"},
		{"garcia@exam", []string{"hostex:1"}, "email"},
		{"612345678", []string{"hostex:1"}, "phone"},
		{"0034 612 345 678", []string{"hostex:1"}, "phone"},
		{"415-555-0199", []string{"hospitable:2"}, "phone"},
		{"778899", []string{"hostaway:3"}, "code"},
		{"wong", []string{"hostaway:3"}, "guest_name"},
		{"Mia-Wong", []string{"hostaway:3"}, "guest_name"},
		{"dana o'connor", []string{"hostex:4"}, "guest_name"},
		{"jo", nil, ""},
		{"nobody", nil, ""},
		{"555", nil, ""}, // too few digits for a phone, too short for part of a code
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := Find(rs, tt.q)
			if len(got) != len(tt.want) {
				t.Fatalf("Find(%q) = %d hits %+v, want %v", tt.q, len(got), got, tt.want)
			}
			for i, h := range got {
				if h.ID != tt.want[i] {
					t.Errorf("hit %d = %s, want %s", i, h.ID, tt.want[i])
				}
			}
			if len(got) > 0 && got[0].Matched != tt.matched {
				t.Errorf("matched %q, want %q", got[0].Matched, tt.matched)
			}
		})
	}
}
