package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStart(t *testing.T) {
	clk := newClock()
	sb, err := Start(Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	tests := []struct {
		v                      *Vendor
		name, base             string
		authorize, revoke, iss bool
		unauthStatus           int
	}{
		{sb.Hostex, "hostex", "/v3", true, true, false, 200},
		{sb.Hospitable, "hospitable", "/v2", true, false, false, 401},
		{sb.Hostaway, "hostaway", "/v1", false, true, false, 403},
		{sb.HoxtonAI, "hoxtonai", "", true, true, true, 401},
	}
	vs := sb.Vendors()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			if vs[i] != v || v.Name != tt.name {
				t.Fatalf("Vendors()[%d] = %s, want %s", i, vs[i].Name, tt.name)
			}
			if !strings.HasPrefix(v.URL, "http://127.0.0.1:") || v.APIBase != v.URL+tt.base || v.TokenURL == "" {
				t.Errorf("URLs: %+v", v)
			}
			if (v.AuthorizeURL != "") != tt.authorize || (v.RevokeURL != "") != tt.revoke || (v.Issuer != "") != tt.iss {
				t.Errorf("auth URLs: authorize %q revoke %q issuer %q", v.AuthorizeURL, v.RevokeURL, v.Issuer)
			}
			if tt.iss && v.Issuer != v.URL+"/" {
				t.Errorf("issuer %q, want %q", v.Issuer, v.URL+"/")
			}
			if r := call(t, "GET", v.APIBase+map[string]string{"hostex": "/properties", "hospitable": "/user", "hostaway": "/listings", "hoxtonai": "/sites"}[tt.name], nil, nil); r.status != tt.unauthStatus {
				t.Errorf("unauthenticated call: HTTP %d, want %d", r.status, tt.unauthStatus)
			}
		})
	}
}

var requestID = regexp.MustCompile(`"request_id":"[^"]*"`)

// TestDeterministic mounts Handler() in the test's own server and compares seeded data.
func TestDeterministic(t *testing.T) {
	clk := newClock()
	fetch := func(seed int64) string {
		v := NewHostex(Options{Now: clk.Now, Seed: seed})
		srv := httptest.NewServer(v.Handler())
		defer srv.Close()
		v.SetURL(srv.URL)
		if v.APIBase != srv.URL+"/v3" || v.AuthorizeURL != srv.URL+"/app/authorization" {
			t.Fatalf("SetURL: %+v", v)
		}
		r := call(t, "GET", v.APIBase+"/reservations?limit=100&start_check_in_date=2000-01-01", map[string]string{"Hostex-Access-Token": HostexReadOnlyToken}, nil)
		return requestID.ReplaceAllString(string(r.raw), "")
	}
	if a, b := fetch(0), fetch(0); a != b {
		t.Error("same seed and clock gave different data")
	}
	if a, b := fetch(0), fetch(defaultSeed); a != b {
		t.Error("seed 0 is not the default seed")
	}
	if a, b := fetch(1), fetch(2); a == b {
		t.Error("different seeds gave identical data")
	}
}

// TestSeededData checks that every vendor has bookings in the past, now and ahead.
func TestSeededData(t *testing.T) {
	now := newClock().Now()
	today := day(now)
	for _, tc := range []struct {
		name  string
		stays func() [][]stay
	}{
		{"hostex", func() [][]stay {
			h := &hostex{v: newVendor("hostex", "", Options{Now: func() time.Time { return now }})}
			h.seed(Options{})
			var out [][]stay
			for _, p := range h.props {
				out = append(out, p.stays)
			}
			return out
		}},
		{"hostaway", func() [][]stay {
			h := &hostaway{v: newVendor("hostaway", "", Options{Now: func() time.Time { return now }})}
			h.seed(Options{})
			var out [][]stay
			for _, l := range h.listings {
				out = append(out, l.stays)
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var past, current, upcoming, threads, reviews int
			for _, stays := range tc.stays() {
				for _, s := range stays {
					switch {
					case s.checkOut().Before(today):
						past++
					case s.checkIn.After(today):
						upcoming++
					default:
						current++
					}
					if len(s.messages) > 0 {
						threads++
					}
					if s.review != nil {
						reviews++
					}
					if !s.bookedAt.Before(now) || len(s.messages) > 0 && !s.messages[len(s.messages)-1].at.Before(now) {
						t.Errorf("seeded event in the future: booked %v", s.bookedAt)
					}
				}
			}
			if past == 0 || current == 0 || upcoming == 0 || threads < 5 || reviews < 5 {
				t.Errorf("past %d current %d upcoming %d threads %d reviews %d", past, current, upcoming, threads, reviews)
			}
		})
	}
}

// TestConcurrentUse hammers one fake from many goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	const n = 16
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {HostawayAccountID}, "client_secret": {HostawayAPIKey}, "scope": {"general"}}
			resp, err := http.PostForm(v.TokenURL, form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.Fail(Fault{Path: "/nothing", Status: 500})
			_ = v.Requests("")
			_ = v.SentMessages()
		}()
	}
	wg.Wait()
	if got := v.TokenRequests(); got != n {
		t.Errorf("TokenRequests = %d, want %d", got, n)
	}
}
