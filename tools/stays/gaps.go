package stays

import (
	"github.com/hostgate/hostgate/tools/connector"
)

// Gap is a short run of open nights between two nights that are taken
// (booked or closed) — the nights hosts most often ask an agent to fill.
type Gap struct {
	PropertyID string `json:"property_id"`
	Name       string `json:"name,omitempty"`
	From       string `json:"from" jsonschema_description:"first open night, YYYY-MM-DD"`
	To         string `json:"to" jsonschema_description:"last open night, YYYY-MM-DD"`
	Nights     int    `json:"nights"`
	// Before and After say what holds the nights on either side:
	// "reserved", "blocked", or "unavailable" when the vendor does not say.
	Before string `json:"before"`
	After  string `json:"after"`
	// Prices are the gap's nightly prices, in order, where the vendor
	// gives them; PriceBefore and PriceAfter those of the taken nights
	// around it, for comparison.
	Prices      []NightPrice     `json:"prices,omitempty"`
	PriceBefore *connector.Money `json:"price_before,omitempty"`
	PriceAfter  *connector.Money `json:"price_after,omitempty"`
	// MinStay is the longest minimum stay set on the gap's nights;
	// MinStayBlocks says it is longer than the gap, so no guest can book
	// the gap until the host lowers it.
	MinStay       int  `json:"min_stay,omitempty"`
	MinStayBlocks bool `json:"min_stay_blocks,omitempty" jsonschema_description:"the minimum stay is longer than the gap: it cannot be booked until the minimum stay is lowered"`
}

// NightPrice is one night's price.
type NightPrice struct {
	Date  string           `json:"date"`
	Price *connector.Money `json:"price,omitempty"`
}

// Gaps finds the runs of at most maxNights open nights in one property's
// calendar that have a taken night on both sides, at least one of them
// not closed by the host (a gap between two closures is the host's own
// choice, not a gap between stays). A run at either end of the calendar,
// or next to a date the calendar skips, is not known to be bounded and is
// left out. days need not be sorted.
func Gaps(propertyID, name string, days []connector.CalendarDay, maxNights int) []Gap {
	byDay := make(map[day]connector.CalendarDay, len(days))
	var lo, hi day
	for i, d := range days {
		k, ok := parseDay(d.Date)
		if !ok {
			continue
		}
		byDay[k] = d
		if i == 0 || k < lo {
			lo = k
		}
		if i == 0 || k > hi {
			hi = k
		}
	}
	var out []Gap
	for k := lo + 1; k < hi; k++ {
		d, ok := byDay[k]
		prev, okPrev := byDay[k-1]
		if !ok || !d.Available || !okPrev || prev.Available {
			continue
		}
		// k opens a run of open nights after a taken one.
		end := k
		for {
			next, ok := byDay[end+1]
			if !ok || !next.Available {
				break
			}
			end++
		}
		after, okAfter := byDay[end+1]
		n := int(end-k) + 1
		if !okAfter || end+1 > hi || n > maxNights {
			k = end
			continue
		}
		before, afterWhat := taken(prev), taken(after)
		if before == "blocked" && afterWhat == "blocked" {
			k = end
			continue
		}
		g := Gap{PropertyID: propertyID, Name: name, From: k.String(), To: end.String(), Nights: n,
			Before: before, After: afterWhat, PriceBefore: prev.Price, PriceAfter: after.Price}
		for x := k; x <= end; x++ {
			night := byDay[x]
			if night.Price != nil {
				g.Prices = append(g.Prices, NightPrice{Date: night.Date, Price: night.Price})
			}
			g.MinStay = max(g.MinStay, night.MinStay)
		}
		g.MinStayBlocks = g.MinStay > n
		out = append(out, g)
		k = end
	}
	return out
}

// taken names what holds an unavailable night.
func taken(d connector.CalendarDay) string {
	switch d.Status {
	case "reserved", "blocked":
		return d.Status
	}
	return "unavailable"
}
