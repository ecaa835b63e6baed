package hoxtonai

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// venueMonitors are the people counters of the first seeded site.
var venueMonitors = []string{"d1a7c3e9-4b2f-4e8a-9c61-7f0b5d3e2a14", "e8b2d4f6-1a3c-4d5e-8f70-2b4c6d8e0f13"}

// rawCounts asks the fake for a count report itself and sums it per day.
func rawCounts(t *testing.T, e *env, cred connector.Credential, from, toExclusive string) map[string][2]int {
	t.Helper()
	rep := e.raw(t, cred, "POST", "/count-reports", map[string]any{"organisationId": sandbox.HoxtonAIOrganisationID,
		"startDate": from, "endDate": toExclusive, "peopleCountMonitorIds": venueMonitors}).(map[string]any)
	out := map[string][2]int{}
	for _, row := range rep["reportData"].([]any) {
		r := row.(map[string]any)
		d := r["date"].(string)
		out[d] = [2]int{out[d][0] + int(r["direction1Count"].(float64)), out[d][1] + int(r["direction2Count"].(float64))}
	}
	return out
}

func TestFootfall(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	rep, err := c.Footfall(context.Background(), sandbox.HoxtonAISiteID, connector.DateRange{From: "2026-05-01", To: "2026-05-14"})
	if err != nil {
		t.Fatal(err)
	}
	want := rawCounts(t, e, src.Credential(), "2026-05-01", "2026-05-15")
	if rep.SiteID != "hoxtonai:"+sandbox.HoxtonAISiteID || rep.From != "2026-05-01" || rep.To != "2026-05-14" || len(rep.Days) != 14 || len(want) != 14 {
		t.Fatalf("report = %+v (fake has %d days)", rep, len(want))
	}
	sum := 0
	for i, d := range rep.Days {
		if d.Date != time.Date(2026, 5, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly) || d.In != want[d.Date][0] || d.Out != want[d.Date][1] || d.In == 0 {
			t.Errorf("day %d = %+v, the fake counted %v", i, d, want[d.Date])
		}
		sum += d.In
	}
	if rep.Total != sum {
		t.Errorf("total %d, days sum to %d", rep.Total, sum)
	}
	// A music venue is busiest at the weekend (Saturday 2026-05-02 vs Monday 2026-05-04).
	if rep.Days[1].In <= rep.Days[3].In {
		t.Errorf("Saturday %d <= Monday %d", rep.Days[1].In, rep.Days[3].In)
	}
}

func TestFootfallWindows(t *testing.T) {
	e := start(t, fixedNow)
	c, _ := e.conn(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		r        connector.DateRange
		from, to string
		days     int
	}{
		{"default: the week up to yesterday", connector.DateRange{}, "2026-05-14", "2026-05-20", 7},
		{"from only: up to yesterday", connector.DateRange{From: "2026-05-18"}, "2026-05-18", "2026-05-20", 3},
		{"to only: the week before it", connector.DateRange{To: "2026-05-10"}, "2026-05-04", "2026-05-10", 7},
		{"one day", connector.DateRange{From: "2026-05-10", To: "2026-05-10"}, "2026-05-10", "2026-05-10", 1},
		{"today has no counts yet", connector.DateRange{From: "2026-05-21"}, "2026-05-21", "2026-05-21", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := c.Footfall(ctx, "hoxtonai:"+sandbox.HoxtonAISiteID, tc.r)
			if err != nil || rep.From != tc.from || rep.To != tc.to || len(rep.Days) != tc.days {
				t.Fatalf("report %s..%s with %d days, %v; want %s..%s with %d", rep.From, rep.To, len(rep.Days), err, tc.from, tc.to, tc.days)
			}
			if tc.days > 0 && (rep.Days[0].Date != tc.from || rep.Days[len(rep.Days)-1].Date != tc.to) {
				t.Errorf("days %s..%s", rep.Days[0].Date, rep.Days[len(rep.Days)-1].Date)
			}
		})
	}
	for _, tc := range []struct {
		name string
		site string
		r    connector.DateRange
		want error
	}{
		{"reversed range", sandbox.HoxtonAISiteID, connector.DateRange{From: "2026-05-10", To: "2026-05-01"}, connector.ErrBadRequest},
		{"not a date", sandbox.HoxtonAISiteID, connector.DateRange{From: "May 1st"}, connector.ErrBadRequest},
		{"over a year (the vendor says 413)", sandbox.HoxtonAISiteID, connector.DateRange{From: "2024-01-01", To: "2026-05-01"}, connector.ErrBadRequest},
		{"unknown site", "00000000-0000-4000-8000-000000000000", connector.DateRange{}, connector.ErrNotFound},
		{"not a site id", "../sites", connector.DateRange{}, connector.ErrBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Footfall(ctx, tc.site, tc.r); !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFootfallPendingReport(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	ctx := context.Background()
	// A report the fake really holds, announced as still pending: the
	// client must fetch it.
	made := e.raw(t, src.Credential(), "POST", "/count-reports", map[string]any{"organisationId": sandbox.HoxtonAIOrganisationID,
		"startDate": "2026-05-01", "endDate": "2026-05-08", "peopleCountMonitorIds": venueMonitors}).(map[string]any)
	id := made["countReportId"].(string)
	e.V.Fail(sandbox.Fault{Method: "POST", Path: "/count-reports", Body: `{"countReportId":"` + id + `","status":"pending","reportData":[]}`})
	e.V.Fail(sandbox.Fault{Method: "GET", Path: "/count-reports/", Body: `{"countReportId":"` + id + `","status":"running","reportData":[]}`})
	rep, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{From: "2026-05-01", To: "2026-05-07"})
	if err != nil || len(rep.Days) != 7 || rep.Total == 0 {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	if n := e.V.Requests("/count-reports/"); n != 2 {
		t.Errorf("%d polls, want 2", n)
	}

	e.V.Fail(sandbox.Fault{Method: "POST", Path: "/count-reports", Body: `{"countReportId":"` + id + `","status":"failed","errorMessage":"Sensor offline","reportData":[]}`})
	_, err = c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{})
	var ae *connector.APIError
	if !errors.Is(err, connector.ErrUnavailable) || !errors.As(err, &ae) || ae.Code != "Sensor offline" {
		t.Errorf("failed report: %v", err)
	}

	e.V.Fail(sandbox.Fault{Method: "POST", Path: "/count-reports", Body: `{"countReportId":"` + id + `","status":"pending"}`})
	e.V.Fail(sandbox.Fault{Method: "GET", Path: "/count-reports/", Body: `{"countReportId":"` + id + `","status":"pending"}`, Times: -1})
	before := e.V.Requests("/count-reports/")
	if _, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{}); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("never-ending report: %v", err)
	}
	if n := e.V.Requests("/count-reports/") - before; n != pollAttempts {
		t.Errorf("%d polls, want %d", n, pollAttempts)
	}

	// Waiting for a report honours cancellation.
	pollInterval = time.Hour
	defer func() { pollInterval = time.Millisecond }()
	e.V.Fail(sandbox.Fault{Method: "POST", Path: "/count-reports", Body: `{"countReportId":"` + id + `","status":"pending"}`})
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Footfall(tctx, sandbox.HoxtonAISiteID, connector.DateRange{}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("cancelled wait: %v after %s", err, time.Since(start))
	}
}
