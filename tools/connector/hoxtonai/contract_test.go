package hoxtonai

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name string
		cred func(*env, *testing.T) connector.Credential
	}{{"signed in", (*env).login}, {"machine client", (*env).machine}} {
		t.Run(tc.name, func(t *testing.T) {
			// The suite picks its date windows from the wall clock, so the
			// fake is seeded around the real now (and then held still).
			e := start(t, time.Now().UTC())
			connectortest.Run(t, connectortest.Harness{
				Spec:               e.Spec,
				Cred:               tc.cred(e, t),
				Vendor:             e.V,
				Secrets:            []string{sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret},
				UnauthorizedStatus: 401,
				MinProperties:      2,
				Renewable:          func(t *testing.T) connector.Credential { return tc.cred(e, t) },
				CheckPath:          "/sites",
				RefusalCode:        "invalid_token",
				Echo: func(text string) sandbox.Fault {
					return sandbox.Fault{HTTPStatus: 400, Body: `{"error":"` + text + `"}`}
				},
				EchoWant: connector.ErrBadRequest,
				EchoGrant: func(text string) sandbox.Fault {
					return sandbox.Fault{Path: "/oauth/token", HTTPStatus: 401, Body: `{"error":"` + text + `"}`}
				},
			})
		})
	}
}

// TestContractEveryOperation drives every operation of the contract in
// testdata/vendors/hoxtonai through hostgate's own code (the connect flow,
// the grants, Check, the reads, revocation), each exchange held to the
// contract by the watch, then replays the good ones with every enumerated
// value replaced by one outside its enum: the fake must refuse each.
func TestContractEveryOperation(t *testing.T) {
	e := start(t, fixedNow)
	w := connectortest.Watch(e.V)
	if w == nil {
		t.Fatal("the fake has no contract watch: testdata/vendors/hoxtonai/contract.json is missing")
	}
	ctx := context.Background()
	c, src := e.conn(t) // GET and POST /authorize, POST /oauth/token (authorization_code)
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListSites(ctx); err != nil {
		t.Fatal(err)
	}
	// A report announced as still running is fetched again: the fault
	// answers the POST (with a report the fake holds), the fake the GET.
	made := e.raw(t, src.Credential(), "POST", "/count-reports", map[string]any{"organisationId": sandbox.HoxtonAIOrganisationID,
		"startDate": "2026-05-01", "endDate": "2026-05-08", "peopleCountMonitorIds": venueMonitors}).(map[string]any)
	e.V.Fail(sandbox.Fault{Method: "POST", Path: "/count-reports", Body: `{"countReportId":"` + made["countReportId"].(string) + `","status":"pending"}`})
	if rep, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{From: "2026-05-01", To: "2026-05-07"}); err != nil || len(rep.Days) != 7 {
		t.Fatalf("footfall = %+v, %v", rep, err)
	}
	if _, err := e.Spec.Refresh(ctx, e.Spec, src.Credential()); err != nil { // refresh_token
		t.Fatal(err)
	}
	e.machine(t) // client_credentials
	if err := e.Spec.Revoke(ctx, e.Spec, src.Credential()); err != nil {
		t.Fatal(err)
	}
	if unused := w.Unused(); len(unused) != 0 {
		t.Errorf("operations of the contract no exchange used: %v", unused)
	}
	// /authorize: response_type, audience, scope, code_challenge_method;
	// /oauth/token: grant_type. Each refused (ProbeEnums fails the test
	// for any the fake takes).
	n := w.ProbeEnums(t)
	t.Logf("%d probes", n)
	if n < 5 {
		t.Errorf("%d probes, want one per enumerated value sent (at least 5)", n)
	}
}

// TestContractCatchesWrongRequests: requests the old client made, and
// others a careless one could, break the contract, so the watch fails any
// test whose client sends them; where HoxtonAI's API refuses them, the
// fake answers as the vendor would. Each is sent marked as a probe and
// caught with an observer, then held to the contract.
func TestContractCatchesWrongRequests(t *testing.T) {
	e := start(t, fixedNow)
	w := connectortest.Watch(e.V)
	cred := e.machine(t)
	var (
		mu   sync.Mutex
		last sandbox.Exchange
	)
	defer e.V.Observe(func(ex sandbox.Exchange) {
		mu.Lock()
		defer mu.Unlock()
		last = ex
	})()

	authorize := func(edit func(url.Values)) string {
		u, _ := e.Spec.OAuth.AuthCodeURL("st4te", redirectURI)
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		edit(q)
		return "/authorize?" + q.Encode()
	}
	m2m := url.Values{"grant_type": {"client_credentials"}, "audience": {Audience},
		"client_id": {sandbox.HoxtonAIM2MClientID}, "client_secret": {sandbox.HoxtonAIM2MClientSecret}}
	report := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"organisationId": sandbox.HoxtonAIOrganisationID, "startDate": "2026-05-01",
			"endDate": "2026-05-08", "peopleCountMonitorIds": venueMonitors}
		edit(b)
		return b
	}
	bearer := http.Header{"Authorization": {"Bearer " + cred.AccessToken}}
	for _, tc := range []struct {
		name, method, target string
		header               http.Header
		body                 any // JSON, or url.Values for a form
		violation            string
		// status is the fake's refusal; 0 when the vendor takes the
		// request (Auth0 does) and only the contract refuses it.
		status int
	}{
		{"the old scopes: openid is none of the reference's", "GET", authorize(func(q url.Values) { q.Set("scope", "openid profile offline_access") }),
			nil, nil, `scope = "openid" is not one of`, 0},
		{"the old token request: a form, where the reference posts JSON", "POST", "/oauth/token", nil, m2m,
			"request body is not JSON", 0},
		{"the old count report: granularity is no member of the documented request", "POST", "/count-reports", bearer,
			report(func(b map[string]any) { b["granularity"] = "day" }), "body.granularity is not in the contract", 422},
		{"a count report without its organisation", "POST", "/count-reports", bearer,
			report(func(b map[string]any) { delete(b, "organisationId") }), "body.organisationId is missing", 422},
		{"report bounds as times, not dates", "POST", "/count-reports", bearer,
			report(func(b map[string]any) { b["startDate"] = "2026-05-01T00:00:00Z" }), "want YYYY-MM-DD", 422},
		{"a site id that is not a uuid", "GET", "/sites/roundhouse", bearer, nil, `path siteId = "roundhouse", want a UUID`, 422},
		{"a path the API does not have", "GET", "/venues", bearer, nil, "a request outside the contract", 404},
		{"a method the path does not take", "DELETE", "/sites/" + sandbox.HoxtonAISiteID, bearer, nil, "a request outside the contract", 404},
		{"the token in a header the API does not read", "GET", "/sites", http.Header{"X-Api-Key": {cred.AccessToken}}, nil,
			"credential in header X-Api-Key", 401},
		{"an audience other than the API's", "GET", authorize(func(q url.Values) { q.Set("audience", "https://auth.hoxton.ai/api/v2/") }),
			nil, nil, `audience = "https://auth.hoxton.ai/api/v2/" is not one of`, 400},
		{"PKCE other than S256", "GET", authorize(func(q url.Values) { q.Set("code_challenge_method", "plain") }),
			nil, nil, `code_challenge_method = "plain" is not one of`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ctype, body := send(t, tc.method, e.V.URL+tc.target, tc.header, tc.body)
			mu.Lock()
			ex := last
			mu.Unlock()
			got := strings.Join(w.C.Check(ex), "; ")
			if !strings.Contains(got, tc.violation) {
				t.Errorf("contract check = %q, want %q", got, tc.violation)
			}
			switch {
			case tc.status == 0:
				if status >= 400 {
					t.Errorf("HTTP %d: the fake refused what the vendor takes", status)
				}
			case status != tc.status:
				t.Errorf("HTTP %d, want %d: %s", status, tc.status, body)
			case strings.HasPrefix(ctype, "text/html"):
				// /authorize refuses the browser with a page [I], and never
				// with a redirect that could carry a code.
			default:
				// The API's error, in the shape the contract gives it.
				var e struct{ Error string }
				if json.Unmarshal(body, &e) != nil || e.Error == "" || strings.Contains(got, "error answer") {
					t.Errorf("error answer %s breaks the contract's error shape: %s", body, got)
				}
			}
		})
	}
}

// send makes one request marked as a probe, following no redirect, and
// returns the status, the content type and the body.
func send(t *testing.T, method, u string, header http.Header, body any) (int, string, []byte) {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set(connectortest.ProbeHeader, "wrong on purpose")
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}
