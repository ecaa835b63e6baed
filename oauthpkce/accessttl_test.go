package oauthpkce

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestParseClientAccessTTLs: the --client-access-ttl syntax, one row per
// rule or mistake; every error names the rule and says how to fix it.
func TestParseClientAccessTTLs(t *testing.T) {
	const claude = "https://claude.ai/oauth/mcp-oauth-client-metadata"
	for _, tt := range []struct {
		name string
		in   string
		want []ClientAccessTTL
		err  string // part of the error
	}{
		{name: "none", in: ""},
		{name: "only commas and spaces", in: " , ,"},
		{name: "document URL", in: claude + "=24h", want: []ClientAccessTTL{{ClientID: claude, TTL: 24 * time.Hour}}},
		{name: "name pattern", in: "name:Claude*=12h", want: []ClientAccessTTL{{NamePattern: "Claude*", TTL: 12 * time.Hour}}},
		{name: "both, spaced", in: " " + claude + " = 168h , name: Cursor ?? = 90m ",
			want: []ClientAccessTTL{{ClientID: claude, TTL: 168 * time.Hour}, {NamePattern: "Cursor ??", TTL: 90 * time.Minute}}},
		{name: "= in a URL path", in: "https://app.example/a=b=2h", want: []ClientAccessTTL{{ClientID: "https://app.example/a=b", TTL: 2 * time.Hour}}},
		{name: "no lifetime", in: claude, err: "give a lifetime after ="},
		{name: "neither URL nor name:", in: "Claude=24h", err: "name a client by its metadata document URL"},
		{name: "http URL", in: "http://claude.ai/oauth/x=24h", err: "name a client by its metadata document URL"},
		{name: "URL with a query", in: "https://app.example/c?x=1=24h", err: "no userinfo, query or fragment"},
		{name: "URL with userinfo", in: "https://u@app.example/c=24h", err: "no userinfo, query or fragment"},
		{name: "URL without a path", in: "https://app.example/=24h", err: "has a path"},
		{name: "empty client", in: "=24h", err: "no client named"},
		{name: "empty pattern", in: "name:=24h", err: "needs a pattern"},
		{name: "pattern matching everyone", in: "name:*=24h", err: "use --access-ttl"},
		{name: "not a duration", in: "name:Claude=1d", err: "168h is a week"},
		{name: "too long", in: "name:Claude=169h", err: "between 1m and 168h"},
		{name: "too short", in: "name:Claude=30s", err: "between 1m and 168h"},
		{name: "URL twice", in: claude + "=24h," + claude + "=12h", err: "twice"},
		{name: "pattern twice, in another case", in: "name:claude*=24h,name:CLAUDE*=12h", err: "twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClientAccessTTLs(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestMatchName(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"Claude", "Claude", true},
		{"claude", "CLAUDE", true},
		{"Claude", "Claude Desktop", false},
		{"Claude*", "Claude Desktop", true},
		{"Claude*", "Claude", true},
		{"Claude*", "Not Claude", false},
		{"*Claude*", "Not Claude at all", true},
		{"Cursor ??", "Cursor v2", true},
		{"Cursor ??", "Cursor v10", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"Ça*", "ça va", true},
		{"*", "", true},
		{"a", "", false},
		{strings.Repeat("*a", 40) + "b", strings.Repeat("a", 200), false}, // no exponential backtracking
	} {
		if got := matchName(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchName(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestDescribeLifetime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute:                    "1 minute",
		90 * time.Minute:               "90 minutes",
		time.Hour:                      "1 hour",
		24 * time.Hour:                 "24 hours",
		36 * time.Hour:                 "36 hours",
		48 * time.Hour:                 "2 days",
		7 * 24 * time.Hour:             "7 days",
		time.Hour + 30*time.Second:     "1 hour",
		61 * time.Minute:               "61 minutes",
		24*time.Hour + time.Minute:     "1441 minutes",
		30 * 24 * time.Hour:            "30 days",
		12*time.Hour + time.Nanosecond: "12 hours",
	} {
		if got := DescribeLifetime(d); got != want {
			t.Errorf("DescribeLifetime(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestClientAccessTTLTokens (issue 10 item 11): the token endpoint gives a
// client the access-token lifetime of its rule, at the code exchange and at
// every refresh: by its metadata document URL (which wins over a name
// pattern listed first), by a pattern on its name, shorter than the
// default, or the default when no rule matches; and the token stops
// working when that lifetime ends.
func TestClientAccessTTLTokens(t *testing.T) {
	d := newDocServer(t, false)
	docID := d.URL + "/client.json"
	d.serve("/client.json", "max-age=3600", metadataDoc(docID, nil)) // named "Doc Client"
	docClient := store.Client{ID: docID, RedirectURIs: []string{"http://127.0.0.1:7777/callback"}, AuthMethod: "none"}
	f := newFixture(t, func(c *Config) {
		c.AllowLoopbackMetadata = true
		c.ClientAccessTTLs = []ClientAccessTTL{
			{NamePattern: "doc *", TTL: 2 * time.Hour},
			{NamePattern: "test*", TTL: 12 * time.Hour},
			{ClientID: docID, TTL: 24 * time.Hour},
			{NamePattern: "Other App", TTL: 30 * time.Minute},
		}
	})
	for _, tt := range []struct {
		name   string
		client store.Client
		want   time.Duration
	}{
		{"document URL", docClient, 24 * time.Hour},
		{"name pattern", publicClient, 12 * time.Hour},
		{"shorter than the default", otherClient, 30 * time.Minute},
		{"no rule: the default", basicClient, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.on(t)
			tr := f.grant(f.hostBrowser(), tt.client, "read")
			if got := tr.body["expires_in"]; got != float64(tt.want/time.Second) {
				t.Fatalf("code exchange: expires_in %v, want %v", got, tt.want.Seconds())
			}
			v := refreshForm(tt.client, tr.str("refresh_token"))
			user, secret := "", ""
			switch tt.client.AuthMethod {
			case "client_secret_basic":
				v.Del("client_id")
				user, secret = tt.client.ID, webSecret
			}
			rr := wantTokens(t, f.postForm(PathToken, v, user, secret))
			if got := rr.body["expires_in"]; got != float64(tt.want/time.Second) {
				t.Fatalf("refresh: expires_in %v, want %v", got, tt.want.Seconds())
			}
			at := rr.str("access_token")
			f.advance(tt.want - time.Second)
			if !f.verify(at) {
				t.Fatalf("the access token stopped working before its %v", tt.want)
			}
			f.advance(time.Second)
			if f.verify(at) {
				t.Fatalf("the access token still works after its %v", tt.want)
			}
		})
	}
}

// TestClientAccessTTLCappedByGrant: a per-client lifetime never takes an
// access token past its grant's absolute lifetime.
func TestClientAccessTTLCappedByGrant(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.GrantTTL = 36 * time.Hour
		c.ClientAccessTTLs = []ClientAccessTTL{{NamePattern: "Test App", TTL: MaxClientAccessTTL}}
	})
	tr := f.grant(f.hostBrowser(), publicClient, "read")
	if got := tr.body["expires_in"]; got != float64(36*60*60) {
		t.Fatalf("expires_in %v, want the grant's 36h", got)
	}
	f.advance(30 * time.Hour)
	rr := wantTokens(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))))
	if got := rr.body["expires_in"]; got != float64(6*60*60) {
		t.Fatalf("refresh 6h before the grant ends: expires_in %v, want 6h", got)
	}
	if got := f.s.AccessTTL(publicClient); got != 36*time.Hour {
		t.Fatalf("AccessTTL = %v, want the grant's 36h", got)
	}
}

// TestConsentShowsLongerAccess (issue 10 item 11): the consent page tells
// the host when the app's access lasts longer than other apps', and that
// revoking it stops it at once; it says nothing for an app on the default
// or a shorter lifetime.
func TestConsentShowsLongerAccess(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.ClientAccessTTLs = []ClientAccessTTL{
			{NamePattern: "Test*", TTL: 24 * time.Hour},
			{NamePattern: "Other*", TTL: 30 * time.Minute},
		}
	})
	b := f.hostBrowser()
	for _, tt := range []struct {
		client store.Client
		want   string
	}{
		{publicClient, "This app's access lasts <strong>24 hours</strong> between renewals"},
		{otherClient, ""},
		{twoRedirectClient, ""},
	} {
		r := f.authorize(b, f.authReq(tt.client, "read").v)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tt.client.Name, r.StatusCode)
		}
		shown := strings.Contains(r.body, `id="access-lifetime"`)
		if tt.want == "" {
			if shown {
				t.Errorf("%s: the consent page speaks of a longer access:\n%s", tt.client.Name, r.body)
			}
			continue
		}
		if !shown || !strings.Contains(r.body, tt.want) || !strings.Contains(r.body, "stops it at once") {
			t.Errorf("%s: the consent page does not say %q:\n%s", tt.client.Name, tt.want, r.body)
		}
	}
}
