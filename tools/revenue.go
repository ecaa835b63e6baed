package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/stays"
)

// maxCalendars is how many properties' calendars one call reads to count
// the nights the host closed: past it the figures count every night as
// open, and say so.
const maxCalendars = 25

// RevenueIn asks for a revenue summary.
type RevenueIn struct {
	From       string `json:"from,omitempty" jsonschema_description:"first night, YYYY-MM-DD (default: the first of this month)"`
	To         string `json:"to,omitempty" jsonschema_description:"last night, YYYY-MM-DD (default: the last of the month of from)"`
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
	Vendor     string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts"`
	FreshIn
	PageIn
}

// RevenueOut is the summary: per property, and per currency.
type RevenueOut struct {
	From       string                  `json:"from"`
	To         string                  `json:"to"`
	Properties []stays.PropertyRevenue `json:"properties" jsonschema_description:"by currency, then revenue; paged (totals cover every property, on every page)"`
	Totals     []stays.CurrencyTotal   `json:"totals" jsonschema_description:"one per currency; amounts in different currencies are never added together"`
	Closed     string                  `json:"closed_nights" jsonschema:"enum=counted,enum=partly_counted,enum=not_counted" jsonschema_description:"whether nights the host closed were left out of the available nights: counted; partly_counted (some calendars failed, see errors); not_counted (too many properties: every night taken as open)"`
	Notes      []string                `json:"notes,omitempty"`
	Errors     []VendorError           `json:"errors,omitempty"`
	Freshness
	Page
}

func (o *RevenueOut) page() *Page { return &o.Page }
func (o *RevenueOut) items() int  { return len(o.Properties) }
func (o *RevenueOut) keep(n int)  { o.Properties = o.Properties[:n] }

func revenueSummary(d *Deps) Tool {
	return New(Meta{
		Name: "revenue_summary", Title: "Revenue summary",
		Description: "Computes revenue and occupancy over a date range from the host's reservations across every connected account: per property and per currency, nights booked and available, occupancy, average daily rate (ADR), revenue per available night (RevPAR), and the split by booking channel. Revenue is each confirmed stay's total as the vendor reports it, prorated to its nights in the range; amounts in different currencies are kept apart. Nights the host closed are not counted as available when their calendars can be read.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ReservationLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in RevenueIn) (RevenueOut, string, error) {
		now := d.now()
		if in.From == "" {
			in.From = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
		if in.To == "" {
			if f, err := time.Parse(time.DateOnly, in.From); err == nil {
				in.To = f.AddDate(0, 1, -f.Day()).Format(time.DateOnly)
			}
		}
		r, err := dateRange(now, in.From, in.To, 30)
		if err != nil {
			return RevenueOut{}, "", err
		}
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn, in.From, in.To = PageIn{}, FreshIn{}, r.From, r.To
		p, err := newPager(d, c, "revenue_summary", in, pg)
		if err != nil {
			return RevenueOut{}, "", err
		}
		// Every stay with a night in the range checks out after its first
		// night; stays longer than stayReach nights that check in inside
		// the range and out after it are not seen (a note says so).
		q := connector.ReservationQuery{ByCheckOut: true, Range: connector.DateRange{From: shiftDate(r.From, 1), To: shiftDate(r.To, stayReach)}}
		b, err := readBookings(ctx, d, c, in.Vendor, in.PropertyID, &q, fresh)
		if err != nil {
			return RevenueOut{}, "", err
		}
		out := RevenueOut{From: r.From, To: r.To, Closed: "not_counted", Errors: b.errs}
		in2 := stays.RevenueInput{Range: stays.Range{From: r.From, To: r.To}, Properties: b.props, Reservations: b.reservations}
		if len(b.props) <= maxCalendars {
			cals, _, cerrs := calendars(ctx, d, b, b.props, r, fresh, maxCalendars)
			out.Errors = append(out.Errors, cerrs...)
			out.Closed = "counted"
			if len(cerrs) > 0 {
				out.Closed = "partly_counted"
			}
			in2.Blocked = map[string][]string{}
			for id, days := range cals {
				for _, day := range days {
					if day.Status == "blocked" {
						in2.Blocked[id] = append(in2.Blocked[id], day.Date)
					}
				}
			}
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("With more than %d properties the calendars are not read: every night counts as available. Pass property_id or vendor to count closed nights.", maxCalendars))
		}
		out.Properties, out.Totals = stays.Revenue(in2)
		out.Totals = nonNil(out.Totals)
		out.Properties, out.Page = one(p, nonNil(out.Properties))
		out.Notes = append(out.Notes, fmt.Sprintf("Stays longer than %d nights that check out after %s are not included.", stayReach, r.To))
		_, out.Freshness = d.accountAges(b.conns, b.ages)
		return out, revenueText(out) + errorSuffix(out.Errors) + "." + d.ageSuffix(b.conns, b.ages), nil
	})
}

// stayReach is how many nights past the range a stay may run and still be
// read by the tools that look at stays overlapping a range.
const stayReach = 60

// revenueText sums the totals up in a line a person reads.
func revenueText(o RevenueOut) string {
	if len(o.Totals) == 0 {
		return fmt.Sprintf("No properties with stays from %s to %s", o.From, o.To)
	}
	parts := make([]string, 0, len(o.Totals))
	for _, t := range o.Totals {
		cur := t.Currency
		if cur == "" {
			cur = "(currency not given)"
		}
		parts = append(parts, fmt.Sprintf("%s %.2f over %d of %d nights (occupancy %.0f%%, ADR %.2f, RevPAR %.2f) across %d properties",
			cur, t.Revenue, t.BookedNights, t.AvailableNights, t.Occupancy*100, t.ADR, t.RevPAR, t.Properties))
	}
	return fmt.Sprintf("Revenue from %s to %s: %s", o.From, o.To, strings.Join(parts, "; "))
}
