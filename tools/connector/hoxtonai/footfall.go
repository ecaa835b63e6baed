package hoxtonai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// defaultDays is the footfall window when none is given: the last week,
// up to yesterday (today's count is still running).
const defaultDays = 7

// A count report may be computed asynchronously, as dwell-time reports are
// [C]: pollInterval and pollAttempts bound the wait for one. Tests shorten
// the interval.
var (
	pollInterval = time.Second
	pollAttempts = 10
)

// countReport is a count report [I: modelled on the confirmed dwell-time
// report, {…ReportId, status, reportData[], errorMessage}; the reference
// does not describe reportData's rows, so each row's members are [I]].
type countReport struct {
	ID           string  `json:"countReportId"`
	Status       string  `json:"status"`
	ErrorMessage *string `json:"errorMessage"`
	ReportData   []struct {
		MonitorID string `json:"peopleCountMonitorId"`
		Date      string `json:"date"`
		In        int    `json:"direction1Count"`
		Out       int    `json:"direction2Count"`
	} `json:"reportData"`
}

// Footfall counts people in (direction 1) and out (direction 2) of a
// site per day, summed over its people-count monitors. r is inclusive;
// the report's endDate is exclusive [C], so it asks for the day after.
func (h *Connector) Footfall(ctx context.Context, siteID string, r connector.DateRange) (connector.FootfallReport, error) {
	const op = "footfall"
	id, err := ownID(siteID)
	if err != nil {
		return connector.FootfallReport{}, err
	}
	from, to, err := h.window(r)
	if err != nil {
		return connector.FootfallReport{}, err
	}
	rep := connector.FootfallReport{SiteID: connector.QualifiedID(Vendor, id),
		From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Days: []connector.FootfallDay{}}
	// None of these reads is in HoxtonAI's published reference [I]: an API
	// without them answers "unsupported" for this account (see unverified).
	// A 404 on one site stays "no such site".
	var s site
	if err := h.c.Do(ctx, connector.Request{Op: "get site", Method: http.MethodGet, Path: "/sites/" + id}, &s); err != nil {
		if errors.Is(err, connector.ErrNotFound) {
			return connector.FootfallReport{}, err
		}
		return connector.FootfallReport{}, unverified(err, "GET /sites/{id}")
	}
	if s.ID == "" || s.OrganisationID == "" {
		return connector.FootfallReport{}, malformed(op, "a site without its id or organisationId")
	}
	var monitors []monitor
	if err := h.c.Do(ctx, connector.Request{Op: "list people-count monitors", Method: http.MethodGet, Path: "/people-count-monitors", Query: url.Values{"siteId": {id}}}, &monitors); err != nil {
		return connector.FootfallReport{}, unverified(err, "GET /people-count-monitors")
	}
	ids := make([]string, 0, len(monitors))
	for _, m := range monitors {
		if m.ID == "" {
			return connector.FootfallReport{}, malformed(op, "a people-count monitor without its id")
		}
		if m.State != "deleted" {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return rep, nil // a site without counters has no footfall to report
	}
	// The members of the documented dwell-time report request [C], and
	// nothing it lacks: an API that refuses unknown members (422) would
	// refuse a guessed one.
	var cr countReport
	body := map[string]any{
		"organisationId": s.OrganisationID, "startDate": rep.From, "endDate": to.AddDate(0, 0, 1).Format(time.DateOnly),
		"peopleCountMonitorIds": ids,
	}
	if err := h.c.Do(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: "/count-reports", Body: body}, &cr); err != nil {
		return connector.FootfallReport{}, unverified(err, "POST /count-reports")
	}
	if err := h.await(ctx, &cr); err != nil {
		return connector.FootfallReport{}, err
	}
	// A finished report carries its data, each row dated [I: as the
	// dwell-time report's reportData]: a report without it is not a
	// site without footfall.
	if cr.ReportData == nil {
		return connector.FootfallReport{}, malformed(op, "a report without reportData")
	}
	byDay := map[string]*connector.FootfallDay{}
	for _, d := range cr.ReportData {
		if d.Date == "" {
			return connector.FootfallReport{}, malformed(op, "a report row without its date")
		}
		day := byDay[d.Date]
		if day == nil {
			day = &connector.FootfallDay{Date: d.Date}
			byDay[d.Date] = day
		}
		day.In += d.In
		day.Out += d.Out
	}
	for _, d := range byDay {
		rep.Days = append(rep.Days, *d)
		rep.Total += d.In
	}
	slices.SortFunc(rep.Days, func(a, b connector.FootfallDay) int { return strings.Compare(a.Date, b.Date) })
	return rep, nil
}

// await polls a report that is not complete yet, on a timer that ctx can
// cut short.
func (h *Connector) await(ctx context.Context, cr *countReport) error {
	const op = "footfall"
	for polls := 0; ; polls++ {
		// The dwell-time report's sample status is "completed" [C]; the
		// other values are [I].
		switch cr.Status {
		case "complete", "completed", "":
			return nil
		case "failed", "error":
			code := "report failed"
			if cr.ErrorMessage != nil && *cr.ErrorMessage != "" {
				code = connector.Excerpt(*cr.ErrorMessage)
			}
			return connector.Malformed(Vendor, op, http.StatusOK, code)
		}
		if polls >= pollAttempts {
			return connector.Malformed(Vendor, op, http.StatusOK, "report still "+connector.Excerpt(cr.Status))
		}
		if cr.ID == "" {
			return connector.Malformed(Vendor, op, http.StatusOK, "pending report without an id")
		}
		if err := connector.Sleep(ctx, pollInterval); err != nil {
			return fmt.Errorf("hoxtonai: %s: %w", op, err)
		}
		id, err := ownID(cr.ID)
		if err != nil {
			return err
		}
		// A fresh value per answer: decoding over the last one would keep
		// members this answer lacks (a reportData it does not carry).
		var next countReport
		if err := h.c.Do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/count-reports/" + id}, &next); err != nil {
			return err
		}
		*cr = next
	}
}

// window resolves the requested dates: both ends inclusive, defaulting to
// the week up to yesterday on the Spec's clock.
func (h *Connector) window(r connector.DateRange) (from, to time.Time, err error) {
	parse := func(s string) (time.Time, error) {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("hoxtonai: footfall: %q is not a date (YYYY-MM-DD): %w", s, connector.ErrBadRequest)
		}
		return t, nil
	}
	now := h.c.Spec.Now().UTC()
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, time.UTC)
	switch {
	case r.To != "":
		if to, err = parse(r.To); err != nil {
			return
		}
	case r.From != "":
		if from, err = parse(r.From); err != nil {
			return
		}
		to = yesterday
		if from.After(to) {
			to = from
		}
	default:
		to = yesterday
	}
	if r.From != "" {
		if from, err = parse(r.From); err != nil {
			return
		}
	} else {
		from = to.AddDate(0, 0, 1-defaultDays)
	}
	if to.Before(from) {
		return from, to, fmt.Errorf("hoxtonai: footfall: %s is after %s: %w", r.From, r.To, connector.ErrBadRequest)
	}
	return from, to, nil
}
