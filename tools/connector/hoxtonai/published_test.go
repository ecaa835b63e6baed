package hoxtonai

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Issue 9, item 1: GET /sites, /people-count-monitors, /occupancy-monitors
// and /count-reports are in no published HoxtonAI source. When the real API
// answers them 404 or 405, the account still connects (a token that mints
// is a valid credential) and each read they serve fails for this account
// as "unsupported", saying the endpoint is not offered; nothing reads as a
// missing item or a broken account. The old client failed Check with
// "not found", so the account never saved.
func TestUnpublishedEndpointsMissing(t *testing.T) {
	for _, status := range []int{404, 405} {
		for _, tc := range []struct {
			name string
			cred func(*env, *testing.T) connector.Credential
		}{{"signed in", (*env).login}, {"machine client", (*env).machine}} {
			t.Run(tc.name+" "+strconv.Itoa(status), func(t *testing.T) {
				e := start(t, fixedNow)
				cred := tc.cred(e, t)
				c := e.Spec.New(e.Spec, connector.StaticSource(cred)).(*Connector)
				ctx := context.Background()

				e.V.Fail(sandbox.Fault{Path: "/sites", Status: status})
				acc, err := c.Check(ctx)
				want := tokenSubject(cred.AccessToken)
				if err != nil || acc.ID == "" || acc.ID != want || !strings.HasPrefix(acc.Name, "HoxtonAI") {
					t.Fatalf("check with GET /sites answering %d: %+v, %v (want account %q)", status, acc, err, want)
				}

				for _, f := range []struct {
					path, what string
					call       func() error
				}{
					{"/sites", "GET /sites", func() error { _, err := c.ListSites(ctx); return err }},
					{"/people-count-monitors", "GET /people-count-monitors", func() error { _, err := c.ListSites(ctx); return err }},
					{"/occupancy-monitors", "GET /occupancy-monitors", func() error { _, err := c.ListSites(ctx); return err }},
					{"/people-count-monitors", "GET /people-count-monitors", func() error {
						_, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{})
						return err
					}},
					{"/count-reports", "POST /count-reports", func() error {
						_, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{})
						return err
					}},
				} {
					e.V.ClearFaults()
					e.V.Fail(sandbox.Fault{Path: f.path, Status: status})
					err := f.call()
					var ae *connector.APIError
					if !errors.Is(err, connector.ErrUnsupported) || !errors.As(err, &ae) || ae.Vendor != Vendor ||
						ae.Status != status || !strings.Contains(err.Error(), f.what) {
						t.Errorf("%s answering %d: %v, want unsupported naming %s", f.path, status, err, f.what)
					}
					noSecret(t, err, cred.AccessToken)
				}
			})
		}
	}
	// A 404 on one site is still "no such site"; a refused token is still
	// refused, at Check too.
	e := start(t, fixedNow)
	c := e.Spec.New(e.Spec, connector.StaticSource(e.machine(t))).(*Connector)
	e.V.Fail(sandbox.Fault{Path: "/sites/" + sandbox.HoxtonAISiteID, Status: 404})
	if _, err := c.Footfall(context.Background(), sandbox.HoxtonAISiteID, connector.DateRange{}); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("a site the API does not have: %v", err)
	}
	e.V.Fail(sandbox.Fault{Path: "/sites", Status: 401})
	if _, err := c.Check(context.Background()); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("check with a refused token: %v", err)
	}
}

// Issue 9, item 10: an answer without what hostgate reads fails the call
// for this account; it is never an empty list or a zero report. Each case
// was an empty or partial result from the old client.
func TestUnexpectedShapesFailLoudly(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		footfall         bool
	}{
		{"sites: null", "/sites", `null`, false},
		{"sites: an object", "/sites", `{"sites":[]}`, false},
		{"a site without its id", "/sites", `[{"name":"Roundhouse Live","organisationId":"5e2d8c41-7a3b-4f6e-9d1c-0b8a6f4e2d17"}]`, false},
		{"a monitor without its site", "/people-count-monitors", `[{"id":"d1a7c3e9-4b2f-4e8a-9c61-7f0b5d3e2a14","name":"Main Entrance"}]`, false},
		{"monitors: empty body", "/occupancy-monitors", ` `, false},
		{"one site without its organisation", "/sites/", `{"id":"` + sandbox.HoxtonAISiteID + `","name":"Roundhouse Live"}`, true},
		{"a report without reportData", "/count-reports", `{"countReportId":"0b7e3c2a-9d4f-4a1b-8c6e-2f5a7d9b1c34","status":"completed"}`, true},
		{"a report without a status or data", "/count-reports", `{}`, true},
		{"a report row without its date", "/count-reports", `{"status":"completed","reportData":[{"peopleCountMonitorId":"d1a7c3e9-4b2f-4e8a-9c61-7f0b5d3e2a14","direction1Count":5}]}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, fixedNow)
			c, _ := e.conn(t)
			e.V.Fail(sandbox.Fault{Path: tc.path, Body: tc.body, HTTPStatus: 200})
			var err error
			if tc.footfall {
				_, err = c.Footfall(context.Background(), sandbox.HoxtonAISiteID, connector.DateRange{})
			} else {
				_, err = c.ListSites(context.Background())
			}
			var ae *connector.APIError
			if !errors.Is(err, connector.ErrUnavailable) || !errors.As(err, &ae) || ae.Vendor != Vendor || !strings.Contains(err.Error(), "malformed response") {
				t.Errorf("error %v, want a malformed response of this HoxtonAI account", err)
			}
		})
	}
}
