package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/stays"
)

// GapsIn asks for short unbooked gaps.
type GapsIn struct {
	From       string `json:"from,omitempty" jsonschema_description:"first night to look at, YYYY-MM-DD (default today)"`
	To         string `json:"to,omitempty" jsonschema_description:"last night, YYYY-MM-DD (default 30 days after from)"`
	MaxNights  int    `json:"max_nights,omitempty" jsonschema_description:"longest gap to report, 1 to 7 nights (default 3)"`
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
	Vendor     string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts"`
	FreshIn
	PageIn
}

// GapsOut lists the gaps, by date.
type GapsOut struct {
	From    string        `json:"from"`
	To      string        `json:"to"`
	Gaps    []stays.Gap   `json:"gaps"`
	Skipped []string      `json:"skipped_properties,omitempty" jsonschema_description:"properties whose calendars were not read (too many in one call): narrow with property_id or vendor"`
	Errors  []VendorError `json:"errors,omitempty"`
	Freshness
	Page
}

func (o *GapsOut) page() *Page { return &o.Page }
func (o *GapsOut) items() int  { return len(o.Gaps) }
func (o *GapsOut) keep(n int)  { o.Gaps = o.Gaps[:n] }

func findGapNights(d *Deps) Tool {
	return New(Meta{
		Name: "find_gap_nights", Title: "Find gap nights",
		Description: "Finds short runs of open nights (1 to max_nights, default 3) between booked or closed nights in each property's calendar — the nights hardest to sell — with the nightly prices of the gap and of the nights around it, and a warning when the minimum stay is longer than the gap. Reads at most 25 properties' calendars per call.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.CalendarReader); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in GapsIn) (GapsOut, string, error) {
		r, err := dateRange(d.now(), in.From, in.To, 30)
		if err != nil {
			return GapsOut{}, "", err
		}
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn, in.From, in.To = PageIn{}, FreshIn{}, r.From, r.To
		p, err := newPager(d, c, "find_gap_nights", in, pg)
		if err != nil {
			return GapsOut{}, "", err
		}
		maxNights := in.MaxNights
		switch {
		case maxNights == 0:
			maxNights = 3
		case maxNights < 1 || maxNights > 7:
			return GapsOut{}, "", Errorf("max_nights must be between 1 and 7.")
		}
		// Properties only: a gap is read off the calendar itself.
		b, err := readBookings(ctx, d, c, in.Vendor, in.PropertyID, nil, fresh)
		if err != nil {
			return GapsOut{}, "", err
		}
		var props []connector.Property
		for _, p := range b.props {
			if _, ok := b.owner[p.ID]; ok {
				props = append(props, p)
			}
		}
		// One night more on each side, to know whether a gap at an end is
		// bounded.
		wide := connector.DateRange{From: shiftDate(r.From, -1), To: shiftDate(r.To, 1)}
		cals, skipped, cerrs := calendars(ctx, d, b, props, wide, fresh, maxCalendars)
		out := GapsOut{From: r.From, To: r.To, Gaps: []stays.Gap{}, Skipped: skipped, Errors: mergeErrors(b.errs, cerrs)}
		for _, p := range props {
			for _, g := range stays.Gaps(p.ID, p.Name, cals[p.ID], maxNights) {
				if g.From >= r.From && g.From <= r.To {
					out.Gaps = append(out.Gaps, g)
				}
			}
		}
		slices.SortFunc(out.Gaps, func(a, b stays.Gap) int {
			if c := strings.Compare(a.From, b.From); c != 0 {
				return c
			}
			return strings.Compare(a.PropertyID, b.PropertyID)
		})
		all := len(out.Gaps)
		out.Gaps, out.Page = one(p, out.Gaps)
		_, out.Freshness = d.accountAges(b.conns, b.ages)
		text := fmt.Sprintf("%d of %d gaps of at most %d nights from %s to %s", len(out.Gaps), all, maxNights, r.From, r.To)
		if len(skipped) > 0 {
			text += fmt.Sprintf(" (%d properties not read: narrow with property_id or vendor)", len(skipped))
		}
		return out, text + errorSuffix(out.Errors) + ".", nil
	})
}
