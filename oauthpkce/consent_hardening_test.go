package oauthpkce

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestConsentLabelsOnlyRealLoopback: "an app on this computer" is said of
// a redirect to 127.0.0.1, [::1] or localhost only, never of a host name
// that merely starts with 127.0.0.1.
func TestConsentLabelsOnlyRealLoopback(t *testing.T) {
	const label = "an app on this computer"
	f := newFixture(t, nil)
	tests := []struct {
		redirect string
		loopback bool
	}{
		{"http://127.0.0.1:51234/callback", true},
		{"http://[::1]:51234/callback", true},
		{"http://localhost:51234/callback", true},
		{"https://127.0.0.1.attacker.example/cb", false},
		{"https://localhost.attacker.example/cb", false},
		{"https://127.attacker.example/cb", false},
		{"https://app.example/cb", false},
	}
	for i, tt := range tests {
		t.Run(tt.redirect, func(t *testing.T) {
			f := f.on(t)
			c := store.Client{ID: "client-label-" + string(rune('a'+i)), Name: "Label App", RedirectURIs: []string{tt.redirect},
				GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}, AuthMethod: "none", CreatedAt: f.clock.Now()}
			if err := f.st.CreateClient(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			r := f.authorize(f.hostBrowser(), f.authReq(c, "").v)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d:\n%s", r.StatusCode, r.body)
			}
			if got := strings.Contains(r.body, label); got != tt.loopback {
				t.Fatalf("labelled %q: %v, want %v:\n%s", label, got, tt.loopback, r.body)
			}
		})
	}
}

// TestConsentShowsMetadataDocumentHost: a client known by its client-ID
// metadata document chose its own name too, so the page warns that the
// name cannot be verified and shows the document's host prominently.
func TestConsentShowsMetadataDocumentHost(t *testing.T) {
	f := newFixture(t, nil)
	const docURL = "https://docs.example.org/oauth/client.json"
	c := store.Client{ID: docURL, MetadataURL: docURL, MetadataExpiresAt: f.clock.Now().Add(time.Hour),
		Name: "Totally Official App", RedirectURIs: []string{"https://app.example.net/cb"},
		GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}, AuthMethod: "none", CreatedAt: f.clock.Now()}
	if err := f.st.PutClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	r := f.authorize(f.hostBrowser(), f.authReq(c, "").v)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d:\n%s", r.StatusCode, r.body)
	}
	for _, want := range []string{"cannot verify this app", "<strong>docs.example.org</strong>"} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("consent page does not show %q:\n%s", want, r.body)
		}
	}
}

// TestConsentIsSingleUse: one consent page gives at most one code. The
// same form submitted again, or twice at once, issues one code; every other
// submission gets our error page and no redirect.
func TestConsentIsSingleUse(t *testing.T) {
	const usedMsg = "already answered"
	t.Run("submitted again", func(t *testing.T) {
		f := newFixture(t, nil)
		b := f.hostBrowser()
		a := f.authReq(publicClient, "")
		form := f.consentForm(b, a.v)
		f.codeFrom(f.submit(b, form, url.Values{"action": {"approve"}}), loopbackRedirect, a.v.Get("state"))
		for _, action := range []string{"approve", "deny"} {
			r := f.submit(b, form, url.Values{"action": {action}})
			if r.StatusCode != http.StatusConflict || r.Header.Get("Location") != "" || !strings.Contains(r.body, usedMsg) {
				t.Fatalf("%s again: status %d, Location %q:\n%s", action, r.StatusCode, r.Header.Get("Location"), r.body)
			}
		}
	})
	t.Run("denied, then approved", func(t *testing.T) {
		f := newFixture(t, nil)
		b := f.hostBrowser()
		a := f.authReq(publicClient, "")
		form := f.consentForm(b, a.v)
		if r := f.submit(b, form, url.Values{"action": {"deny"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("deny: status %d", r.StatusCode)
		}
		if r := f.submit(b, form, url.Values{"action": {"approve"}}); r.StatusCode != http.StatusConflict || r.Header.Get("Location") != "" {
			t.Fatalf("approve after deny: status %d, Location %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
	t.Run("twice at once", func(t *testing.T) {
		f := newFixture(t, nil)
		b := f.hostBrowser()
		a := f.authReq(publicClient, "")
		form := f.consentForm(b, a.v)
		const n = 8
		var wg sync.WaitGroup
		codes := make(chan string, n)
		statuses := make(chan int, n)
		for range n {
			wg.Go(func() {
				r := f.submit(b, form, url.Values{"action": {"approve"}})
				statuses <- r.StatusCode
				if loc := r.Header.Get("Location"); loc != "" {
					if u, err := url.Parse(loc); err == nil && u.Query().Get("code") != "" {
						codes <- u.Query().Get("code")
					}
				}
			})
		}
		wg.Wait()
		close(codes)
		close(statuses)
		if len(codes) != 1 {
			t.Fatalf("%d codes from one consent page, want 1", len(codes))
		}
		conflicts := 0
		for s := range statuses {
			if s == http.StatusConflict {
				conflicts++
			}
		}
		if conflicts != n-1 {
			t.Fatalf("%d conflict pages, want %d", conflicts, n-1)
		}
	})
	t.Run("each page is its own transaction", func(t *testing.T) {
		f := newFixture(t, nil)
		b := f.hostBrowser()
		a := f.authReq(publicClient, "")
		first := f.consentForm(b, a.v)
		second := f.consentForm(b, with(a.v, url.Values{"prompt": {"consent"}}))
		f.codeFrom(f.submit(b, first, url.Values{"action": {"approve"}}), loopbackRedirect, a.v.Get("state"))
		f.codeFrom(f.submit(b, second, url.Values{"action": {"approve"}}), loopbackRedirect, a.v.Get("state"))
	})
	t.Run("a transaction of another request is refused", func(t *testing.T) {
		f := newFixture(t, nil)
		b := f.hostBrowser()
		one := f.consentForm(b, f.authReq(publicClient, "").v)
		two := f.consentForm(b, f.authReq(publicClient, "").v)
		v := with(two.Values, url.Values{"consent_tx": one.Values["consent_tx"], "action": {"approve"}})
		if r := f.send(b, http.MethodPost, PathConsent, v, nil); r.StatusCode == http.StatusSeeOther {
			t.Fatalf("another page's transaction was accepted: Location %q", r.Header.Get("Location"))
		}
	})
}
