package stays

import (
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

// cal builds a calendar from a string, one letter a night from from:
// o open, r reserved, b blocked, u unavailable (no status), '.' a date
// the calendar skips.
func cal(from, nights string, price float64) []connector.CalendarDay {
	start, _ := parseDay(from)
	var out []connector.CalendarDay
	for i, c := range nights {
		d := connector.CalendarDay{Date: (start + day(i)).String(), Price: &connector.Money{Amount: price + float64(i), Currency: "USD"}}
		switch c {
		case 'o':
			d.Available, d.Status = true, "available"
		case 'r':
			d.Status = "reserved"
		case 'b':
			d.Status = "blocked"
		case '.':
			continue
		}
		out = append(out, d)
	}
	return out
}

// TestGaps: one row per rule.
func TestGaps(t *testing.T) {
	tests := []struct {
		name   string
		nights string
		max    int
		want   [][2]string // from, to of each gap
	}{
		{"one night between two stays", "rrorr", 3, [][2]string{{"2026-06-03", "2026-06-03"}}},
		{"three nights", "rooorr", 3, [][2]string{{"2026-06-02", "2026-06-04"}}},
		{"longer than the limit", "roooor", 3, nil},
		{"a stay and a closure", "rroobb", 3, [][2]string{{"2026-06-03", "2026-06-04"}}},
		{"two closures: the host's choice", "bbobb", 3, nil},
		{"open at the calendar's start: not known to be bounded", "oorr", 3, nil},
		{"open at the calendar's end", "rroo", 3, nil},
		{"next to a date the calendar skips", "r.orr", 3, nil},
		{"no status from the vendor", "uuouu", 3, [][2]string{{"2026-06-03", "2026-06-03"}}},
		{"two gaps", "rorroor", 3, [][2]string{{"2026-06-02", "2026-06-02"}, {"2026-06-05", "2026-06-06"}}},
		{"a same-day turn is no gap", "rrrrr", 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Gaps("hostex:1", "Loft", cal("2026-06-01", tt.nights, 100), tt.max)
			if len(got) != len(tt.want) {
				t.Fatalf("gaps = %+v, want %v", got, tt.want)
			}
			for i, g := range got {
				if g.From != tt.want[i][0] || g.To != tt.want[i][1] {
					t.Errorf("gap %d = %s..%s, want %v", i, g.From, g.To, tt.want[i])
				}
			}
		})
	}
}

// TestGapDetails: the nights' prices, the prices around, what holds the
// sides, and a minimum stay that makes the gap unbookable.
func TestGapDetails(t *testing.T) {
	days := cal("2026-06-01", "rroorb", 100)
	days[2].MinStay, days[3].MinStay = 2, 3
	// Shuffled: the calendar need not be sorted.
	days[0], days[5] = days[5], days[0]
	got := Gaps("hostex:1", "Loft", days, 3)
	if len(got) != 1 {
		t.Fatalf("gaps = %+v", got)
	}
	g := got[0]
	if g.Nights != 2 || g.Before != "reserved" || g.After != "reserved" || g.PriceBefore.Amount != 101 || g.PriceAfter.Amount != 104 {
		t.Errorf("gap = %+v", g)
	}
	if len(g.Prices) != 2 || g.Prices[0].Date != "2026-06-03" || g.Prices[0].Price.Amount != 102 || g.Prices[1].Price.Amount != 103 {
		t.Errorf("prices = %+v", g.Prices)
	}
	if g.MinStay != 3 || !g.MinStayBlocks {
		t.Errorf("min stay %d, blocks %v", g.MinStay, g.MinStayBlocks)
	}
}
