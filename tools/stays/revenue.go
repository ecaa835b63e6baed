package stays

import (
	"cmp"
	"math"
	"slices"

	"github.com/hostgate/hostgate/tools/connector"
)

// RevenueInput is what a revenue summary is computed from.
type RevenueInput struct {
	Range        Range
	Properties   []connector.Property
	Reservations []connector.Reservation
	// Blocked holds, per vendor-qualified property id, the nights the host
	// closed (from its calendar); they are not available to book. A
	// property missing from the map is taken as open every night.
	Blocked map[string][]string
}

// PropertyRevenue is one property's figures over the range.
type PropertyRevenue struct {
	PropertyID string `json:"property_id"`
	Name       string `json:"name,omitempty"`
	// Currency is the currency of Revenue, ADR and RevPAR; absent when no
	// vendor said.
	Currency        string  `json:"currency,omitempty"`
	Nights          int     `json:"nights" jsonschema_description:"nights in the range"`
	BlockedNights   int     `json:"blocked_nights,omitempty" jsonschema_description:"nights the host closed"`
	AvailableNights int     `json:"available_nights" jsonschema_description:"nights in the range not closed by the host"`
	BookedNights    int     `json:"booked_nights" jsonschema_description:"nights of confirmed stays in the range"`
	Occupancy       float64 `json:"occupancy" jsonschema_description:"booked_nights / available_nights, 0 to 1"`
	Revenue         float64 `json:"revenue" jsonschema_description:"confirmed stays' totals as the vendor reports them, each prorated to its nights in the range"`
	ADR             float64 `json:"adr" jsonschema_description:"average daily rate: revenue / booked nights"`
	RevPAR          float64 `json:"revpar" jsonschema_description:"revenue per available night"`
	Stays           int     `json:"stays" jsonschema_description:"confirmed stays with a night in the range"`
	// NotSummed counts stays whose nights count but whose money does not:
	// no total from the vendor, or a total in another currency.
	NotSummed int              `json:"not_summed,omitempty" jsonschema_description:"stays with no total, or a total in another currency: their nights count, their money does not"`
	ByChannel []ChannelRevenue `json:"by_channel,omitempty"`
}

// ChannelRevenue is one booking channel's share of a property's figures.
type ChannelRevenue struct {
	Channel      string  `json:"channel"`
	Stays        int     `json:"stays"`
	BookedNights int     `json:"booked_nights"`
	Revenue      float64 `json:"revenue"`
}

// CurrencyTotal adds up the properties that share a currency; figures of
// different currencies are never added together.
type CurrencyTotal struct {
	Currency        string  `json:"currency,omitempty" jsonschema_description:"absent for properties whose currency no vendor gave"`
	Properties      int     `json:"properties"`
	AvailableNights int     `json:"available_nights"`
	BookedNights    int     `json:"booked_nights"`
	Occupancy       float64 `json:"occupancy"`
	Revenue         float64 `json:"revenue"`
	ADR             float64 `json:"adr"`
	RevPAR          float64 `json:"revpar"`
}

// Revenue computes each property's figures over the range and their
// totals per currency. A property appears when it is listed or has a
// stay in the range. Figures are rounded: money to cents, occupancy to
// four places.
func Revenue(in RevenueInput) ([]PropertyRevenue, []CurrencyTotal) {
	from, to, ok := in.Range.days()
	if !ok {
		return nil, nil
	}
	nights := int(to-from) + 1
	type acc struct {
		PropertyRevenue
		rev      float64
		channels map[string]*ChannelRevenue
		priced   []connector.Reservation
	}
	props := map[string]*acc{}
	get := func(id string) *acc {
		a, ok := props[id]
		if !ok {
			a = &acc{PropertyRevenue: PropertyRevenue{PropertyID: id, Nights: nights}, channels: map[string]*ChannelRevenue{}}
			props[id] = a
		}
		return a
	}
	for _, p := range in.Properties {
		a := get(p.ID)
		a.Name, a.Currency = p.Name, p.Currency
	}
	shares := map[string][]share{}
	for _, r := range in.Reservations {
		if !occupies(r) || r.PropertyID == "" {
			continue
		}
		first, last, ok := stay(r)
		if !ok {
			continue
		}
		n := overlap(first, last, from, to)
		if n == 0 {
			continue
		}
		get(r.PropertyID)
		shares[r.PropertyID] = append(shares[r.PropertyID], share{r, n})
	}
	for id, a := range props {
		if a.Currency == "" {
			a.Currency = usualCurrency(shares[id])
		}
		for _, s := range shares[id] {
			a.Stays++
			a.BookedNights += s.nights
			ch := a.channels[s.r.Channel]
			if ch == nil {
				ch = &ChannelRevenue{Channel: s.r.Channel}
				a.channels[s.r.Channel] = ch
			}
			ch.Stays++
			ch.BookedNights += s.nights
			total := s.r.Total
			if total == nil || total.Currency != "" && total.Currency != a.Currency {
				a.NotSummed++
				continue
			}
			first, last, _ := stay(s.r)
			part := total.Amount * float64(s.nights) / float64(int(last-first)+1)
			a.rev += part
			ch.Revenue += part
		}
		blocked := map[day]bool{}
		for _, b := range in.Blocked[id] {
			if d, ok := parseDay(b); ok && d >= from && d <= to {
				blocked[d] = true
			}
		}
		a.BlockedNights = len(blocked)
		a.AvailableNights = max(nights-a.BlockedNights, a.BookedNights)
	}
	out := make([]PropertyRevenue, 0, len(props))
	for _, a := range props {
		p := a.PropertyRevenue
		p.Revenue = cents(a.rev)
		p.Occupancy, p.ADR, p.RevPAR = ratios(a.rev, p.BookedNights, p.AvailableNights)
		for _, ch := range a.channels {
			ch.Revenue = cents(ch.Revenue)
			p.ByChannel = append(p.ByChannel, *ch)
		}
		slices.SortFunc(p.ByChannel, func(x, y ChannelRevenue) int {
			return cmp.Or(cmp.Compare(y.Revenue, x.Revenue), cmp.Compare(x.Channel, y.Channel))
		})
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y PropertyRevenue) int {
		return cmp.Or(cmp.Compare(x.Currency, y.Currency), cmp.Compare(y.Revenue, x.Revenue), cmp.Compare(x.PropertyID, y.PropertyID))
	})
	raw := make(map[string]float64, len(props))
	for id, a := range props {
		raw[id] = a.rev
	}
	return out, totals(out, raw)
}

// share is a stay and how many of its nights fall in the range.
type share struct {
	r      connector.Reservation
	nights int
}

// totals adds the properties up per currency, from their unrounded
// revenue (by property id).
func totals(ps []PropertyRevenue, rev map[string]float64) []CurrencyTotal {
	by := map[string]*CurrencyTotal{}
	raw := map[string]float64{}
	var order []string
	for _, p := range ps {
		t := by[p.Currency]
		if t == nil {
			t = &CurrencyTotal{Currency: p.Currency}
			by[p.Currency] = t
			order = append(order, p.Currency)
		}
		t.Properties++
		t.AvailableNights += p.AvailableNights
		t.BookedNights += p.BookedNights
		raw[p.Currency] += rev[p.PropertyID]
	}
	out := make([]CurrencyTotal, 0, len(order))
	for _, c := range order {
		t := by[c]
		t.Revenue = cents(raw[c])
		t.Occupancy, t.ADR, t.RevPAR = ratios(raw[c], t.BookedNights, t.AvailableNights)
		out = append(out, *t)
	}
	return out
}

// ratios are occupancy, ADR and RevPAR, rounded, zero where undefined.
func ratios(revenue float64, booked, available int) (occ, adr, revpar float64) {
	if available > 0 {
		occ = math.Round(float64(booked)/float64(available)*1e4) / 1e4
		revpar = cents(revenue / float64(available))
	}
	if booked > 0 {
		adr = cents(revenue / float64(booked))
	}
	return occ, adr, revpar
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }

// usualCurrency is the currency most of a property's priced stays carry.
func usualCurrency(shares []share) string {
	count := map[string]int{}
	best := ""
	for _, s := range shares {
		if s.r.Total == nil || s.r.Total.Currency == "" {
			continue
		}
		c := s.r.Total.Currency
		count[c]++
		if count[c] > count[best] || count[c] == count[best] && c < best {
			best = c
		}
	}
	return best
}
