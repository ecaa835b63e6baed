package tools

import (
	"context"
	"fmt"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/stays"
)

// TurnoversIn asks for turnovers over a range.
type TurnoversIn struct {
	From       string `json:"from,omitempty" jsonschema_description:"first check-out date, YYYY-MM-DD (default: each property's own today, in its time zone)"`
	To         string `json:"to,omitempty" jsonschema_description:"last check-out date, YYYY-MM-DD (default: 7 days from from)"`
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
	Vendor     string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts"`
	FreshIn
	PageIn
}

// TurnoversOut lists turnovers by date.
type TurnoversOut struct {
	From      string           `json:"from,omitempty"`
	To        string           `json:"to,omitempty"`
	Turnovers []stays.Turnover `json:"turnovers"`
	SameDay   int              `json:"same_day" jsonschema_description:"how many are same-day turns"`
	Errors    []VendorError    `json:"errors,omitempty"`
	Freshness
	Page
}

func (o *TurnoversOut) page() *Page { return &o.Page }
func (o *TurnoversOut) items() int  { return len(o.Turnovers) }
func (o *TurnoversOut) keep(n int)  { o.Turnovers = o.Turnovers[:n] }

// turnoverDays is the default span of list_turnovers: a week.
const turnoverDays = 7

func listTurnovers(d *Deps) Tool {
	return New(Meta{
		Name: "list_turnovers", Title: "List turnovers",
		Description: "Lists every check-out in a date range with the property's next check-in — the window a cleaner has: guests leaving and arriving, how many, same-day turns flagged, and the usual check-out and check-in times in the property's time zone where the vendor gives them. Without dates it starts at each property's own today.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ReservationLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in TurnoversIn) (TurnoversOut, string, error) {
		now := d.now()
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn = PageIn{}, FreshIn{}
		var r connector.DateRange
		if in.From != "" || in.To != "" {
			var err error
			if r, err = dateRange(now, in.From, in.To, turnoverDays-1); err != nil {
				return TurnoversOut{}, "", err
			}
		}
		// The stays that check out in the range, and the next check-ins
		// after them: check-ins from stayReach nights before the range to
		// a month after it (a day of slack on each side for time zones).
		from, to := r.From, r.To
		if from == "" {
			from, to = now.AddDate(0, 0, -1).Format("2006-01-02"), now.AddDate(0, 0, turnoverDays+1).Format("2006-01-02")
		}
		q := connector.ReservationQuery{Range: connector.DateRange{From: shiftDate(from, -stayReach), To: shiftDate(to, 31)}}
		// The cursor binds to the range the call resolved to.
		in.From, in.To = r.From, r.To
		if r.From == "" {
			in.From = from
		}
		p, err := newPager(d, c, "list_turnovers", in, pg)
		if err != nil {
			return TurnoversOut{}, "", err
		}
		b, err := readBookings(ctx, d, c, in.Vendor, in.PropertyID, &q, fresh)
		if err != nil {
			return TurnoversOut{}, "", err
		}
		ts := stays.Turnovers(b.props, b.reservations, stays.Range{From: r.From, To: r.To}, turnoverDays, now)
		out := TurnoversOut{From: r.From, To: r.To, Errors: b.errs}
		for _, t := range ts {
			if t.SameDay {
				out.SameDay++
			}
		}
		out.Turnovers, out.Page = one(p, nonNil(ts))
		_, out.Freshness = d.accountAges(b.conns, b.ages)
		when := "in the next " + fmt.Sprint(turnoverDays) + " days"
		if r.From != "" {
			when = "from " + r.From + " to " + r.To
		}
		return out, fmt.Sprintf("%d turnovers %s, %d same-day%s.%s", len(ts), when, out.SameDay, errorSuffix(out.Errors), d.ageSuffix(b.conns, b.ages)), nil
	})
}
