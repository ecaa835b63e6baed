package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/stays"
)

// FindIn asks for a reservation by what a guest wrote.
type FindIn struct {
	Query  string `json:"query" jsonschema_description:"a confirmation code, an e-mail address or part of one, a phone number (6 or more digits), or the guest's name or the start of its words"`
	From   string `json:"from,omitempty" jsonschema_description:"earliest check-in to search, YYYY-MM-DD (default 180 days ago)"`
	To     string `json:"to,omitempty" jsonschema_description:"latest check-in to search, YYYY-MM-DD (default a year from today)"`
	Vendor string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts"`
	FreshIn
}

// FindOut lists the matches, best first.
type FindOut struct {
	Query   string        `json:"query"`
	From    string        `json:"from"`
	To      string        `json:"to"`
	Matches []stays.Hit   `json:"matches"`
	More    int           `json:"more,omitempty" jsonschema_description:"matches left out; make the query more precise"`
	Errors  []VendorError `json:"errors,omitempty"`
	Freshness
}

// maxMatches is how many matches find_reservation returns.
const maxMatches = 20

func findReservation(d *Deps) Tool {
	return New(Meta{
		Name: "find_reservation", Title: "Find a reservation",
		Description: "Finds reservations across every connected account from a fragment of what a guest wrote: a confirmation code, an e-mail address, a phone number (by its digits, whatever the spacing or country code), or a name (accents and case aside). Best matches first, each saying which field matched. Searches check-ins from 180 days ago to a year ahead unless from/to say otherwise.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ReservationLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in FindIn) (FindOut, string, error) {
		if len([]rune(in.Query)) < stays.MinQuery {
			return FindOut{}, "", Errorf("query must be at least %d characters: a code, an e-mail, a phone number or a name.", stays.MinQuery)
		}
		now := d.now()
		if in.From == "" {
			in.From = now.AddDate(0, 0, -180).Format(time.DateOnly)
		}
		if in.To == "" {
			in.To = now.AddDate(1, 0, 0).Format(time.DateOnly)
		}
		// A search spans up to two years (list tools take one).
		r, err := searchRange(in.From, in.To)
		if err != nil {
			return FindOut{}, "", err
		}
		q := connector.ReservationQuery{Range: r}
		b, err := readBookings(ctx, d, c, in.Vendor, "", &q, in.Fresh)
		if err != nil {
			return FindOut{}, "", err
		}
		hits := stays.Find(b.reservations, in.Query)
		out := FindOut{Query: in.Query, From: r.From, To: r.To, Errors: b.errs}
		if len(hits) > maxMatches {
			out.More = len(hits) - maxMatches
			hits = hits[:maxMatches]
		}
		out.Matches = nonNil(hits)
		_, out.Freshness = d.accountAges(b.conns, b.ages)
		text := fmt.Sprintf("%d reservations match %q (check-ins %s to %s)", len(hits), in.Query, r.From, r.To)
		if len(hits) > 0 {
			h := hits[0]
			text = fmt.Sprintf("%s; best: %s, %s to %s, by %s", text, h.GuestName, h.CheckIn, h.CheckOut, h.Matched)
		}
		return out, text + errorSuffix(out.Errors) + "." + d.ageSuffix(b.conns, b.ages), nil
	})
}

// searchRange checks a search window of up to two years.
func searchRange(from, to string) (connector.DateRange, error) {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || t.Before(f) || t.Sub(f) > 2*maxRange {
		return connector.DateRange{}, Errorf("from and to must be dates like 2026-12-01, to on or after from, at most two years apart.")
	}
	return connector.DateRange{From: from, To: to}, nil
}
