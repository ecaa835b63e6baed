package sandbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// apiProbe is one authenticated, cheap API call per vendor.
type apiProbe struct {
	newFn  func(Options) *Vendor
	path   string
	header func(t *testing.T, v *Vendor) map[string]string
}

var probes = map[string]apiProbe{
	"hostex": {NewHostex, "/properties", func(*testing.T, *Vendor) map[string]string {
		return map[string]string{"Hostex-Access-Token": HostexWritableToken}
	}},
	"hospitable": {NewHospitable, "/user", func(*testing.T, *Vendor) map[string]string {
		return map[string]string{"Authorization": "Bearer " + HospitablePAT}
	}},
	"hostaway": {NewHostaway, "/listings", func(t *testing.T, v *Vendor) map[string]string {
		return map[string]string{"Authorization": "Bearer " + hostawayToken(t, v)}
	}},
	"hoxtonai": {NewHoxtonAI, "/sites", func(t *testing.T, v *Vendor) map[string]string {
		return map[string]string{"Authorization": "Bearer " + m2mToken(t, v)}
	}},
}

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name       string
		vendor     string
		fault      Fault
		wantHTTP   int
		wantCode   int // Hostex error_code
		retryAfter string
		contains   string
	}{
		{"hostex 401 in HTTP 200", "hostex", Fault{Status: 401}, 200, 401, "", `"error_code":401`},
		{"hostex 420 subscription", "hostex", Fault{Status: 420}, 200, 420, "", "Subscription expired"},
		{"hostex 429 with Retry-After", "hostex", Fault{Status: 429, RetryAfter: "7"}, 200, 429, "7", "Too Many Attempts."},
		{"hostex 429 without Retry-After", "hostex", Fault{Status: 429}, 200, 429, "", ""},
		{"hostex 503 in the envelope", "hostex", Fault{Status: 503}, 200, 503, "", ""},
		{"hostex 502 from a proxy", "hostex", Fault{Status: 502, HTTPStatus: 502}, 502, 502, "", ""},
		{"hostex garbage JSON", "hostex", Fault{Body: `{"request_id":`}, 200, -1, "", `{"request_id":`},
		{"hospitable 401", "hospitable", Fault{Status: 401}, 401, -1, "", "Unauthenticated."},
		{"hospitable 403", "hospitable", Fault{Status: 403}, 403, -1, "", "unauthorized"},
		{"hospitable 429 with Retry-After", "hospitable", Fault{Status: 429, RetryAfter: "30"}, 429, -1, "30", "Too Many Attempts."},
		{"hospitable 429 without Retry-After", "hospitable", Fault{Status: 429}, 429, -1, "", ""},
		{"hospitable 500", "hospitable", Fault{Status: 500}, 500, -1, "", "Server Error"},
		{"hospitable garbage with 502", "hospitable", Fault{Status: 502, Body: "<html>Bad Gateway</html>"}, 502, -1, "", "<html>"},
		{"hostaway 403", "hostaway", Fault{Status: 403}, 403, -1, "", `"status":"fail"`},
		{"hostaway 429", "hostaway", Fault{Status: 429}, 429, -1, "", "exceeded the rate limits"},
		{"hostaway 500", "hostaway", Fault{Status: 500}, 500, -1, "", ""},
		{"hostaway garbage JSON", "hostaway", Fault{Body: "not json"}, 200, -1, "", "not json"},
		{"hoxtonai 401", "hoxtonai", Fault{Status: 401}, 401, -1, "", "invalid_token"},
		{"hoxtonai 503", "hoxtonai", Fault{Status: 503}, 503, -1, "", "service_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := probes[tt.vendor]
			v, _ := startVendor(t, p.newFn)
			v.SetRateLimiting(false)
			h := p.header(t, v)
			v.Fail(tt.fault)
			r := call(t, "GET", v.APIBase+p.path, h, nil)
			if r.status != tt.wantHTTP {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tt.wantHTTP, r.raw)
			}
			if tt.wantCode >= 0 && num(r.body, "error_code") != tt.wantCode {
				t.Errorf("error_code = %d, want %d", num(r.body, "error_code"), tt.wantCode)
			}
			if got := r.header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			if !strings.Contains(string(r.raw), tt.contains) {
				t.Errorf("body %s lacks %q", r.raw, tt.contains)
			}
			if tt.vendor == "hoxtonai" && tt.wantHTTP == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			// The fault was used once; the next call is normal.
			if again := call(t, "GET", v.APIBase+p.path, h, nil); again.status != 200 || num(again.body, "error_code") != 0 {
				t.Errorf("second call: HTTP %d %s", again.status, again.raw)
			}
		})
	}
}

func TestFaultMatching(t *testing.T) {
	v, _ := startVendor(t, NewHospitable)
	h := map[string]string{"Authorization": "Bearer " + HospitablePAT}
	get := func(path string) int { return call(t, "GET", v.APIBase+path, h, nil).status }
	v.Fail(Fault{Path: "/reservations", Status: 500, Times: 2})
	v.Fail(Fault{Method: "POST", Status: 503})
	if got := get("/user"); got != 200 {
		t.Errorf("/user hit a /reservations fault: %d", got)
	}
	for i := 0; i < 2; i++ {
		if got := get("/reservations/x"); got != 500 {
			t.Errorf("call %d: %d, want 500", i, got)
		}
	}
	if got := get("/reservations/x"); got != 404 {
		t.Errorf("after Times=2: %d, want the normal 404", got)
	}
	if r := call(t, "POST", v.APIBase+"/reservations/x/messages", h, map[string]string{"body": "x"}); r.status != 503 {
		t.Errorf("POST fault: %d", r.status)
	}
	// Path "" skips the auth endpoints; naming them hits them.
	v.Fail(Fault{Status: 500, Times: -1})
	tok := call(t, "POST", v.TokenURL, nil, map[string]string{"grant_type": "refresh_token"})
	if tok.status != 401 {
		t.Errorf("token endpoint hit by a catch-all fault: %d", tok.status)
	}
	for i := 0; i < 3; i++ {
		if got := get("/user"); got != 500 {
			t.Errorf("Times<0 call %d: %d", i, got)
		}
	}
	v.ClearFaults()
	v.Fail(Fault{Path: "/oauth/token", Status: 503})
	if r := call(t, "POST", v.TokenURL, nil, map[string]string{}); r.status != 503 {
		t.Errorf("named token-endpoint fault: %d", r.status)
	}
	if got := get("/user"); got != 200 {
		t.Errorf("after ClearFaults: %d", got)
	}
	if n := v.Requests("/reservations"); n != 4 {
		t.Errorf("Requests(/reservations) = %d, want 4", n)
	}
	if n := v.Requests("/v2/user"); n != 5 {
		t.Errorf("Requests(/v2/user) = %d, want 5", n)
	}
}

func TestFaultDelay(t *testing.T) {
	v, _ := startVendor(t, NewHostex)
	h := map[string]string{"Hostex-Access-Token": HostexWritableToken}
	v.Fail(Fault{Delay: 20 * time.Millisecond})
	if r := call(t, "GET", v.APIBase+"/properties", h, nil); num(r.body, "error_code") != 0 {
		t.Fatalf("slow but normal: %s", r.raw)
	}
	// A long delay ends as soon as the client gives up.
	v.Fail(Fault{Delay: time.Hour, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", v.APIBase+"/properties", nil)
	req.Header.Set("Hostex-Access-Token", HostexWritableToken)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled request took %v", d)
	}
	if r := call(t, "GET", v.APIBase+"/properties", h, nil); num(r.body, "error_code") != 0 {
		t.Errorf("the delayed fault was consumed; next call: %s", r.raw)
	}
}
