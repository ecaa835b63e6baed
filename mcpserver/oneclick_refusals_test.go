package mcpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
)

// TestOneClickRefusals: the code is redeemed only by a CSRF-checked POST
// from the browser it reached, within ten minutes, once; Cancel drops it;
// a vendor without one-click still refuses a callback without state.
func TestOneClickRefusals(t *testing.T) {
	e, v := oneClickEnv(t)
	b, _ := e.hostBrowser(t)
	before := e.hostConns(t)
	// untouched checks that nothing reached the vendor's token endpoint
	// and no connection changed since mark.
	var exchanges int
	mark := func() { exchanges = v.TokenRequests() }
	untouched := func(t *testing.T) {
		t.Helper()
		if v.TokenRequests() != exchanges {
			t.Fatal("a refused one-click reached the vendor's token endpoint")
		}
		if !sameConns(before, e.hostConns(t)) {
			t.Fatal("a refused one-click changed the connections")
		}
	}
	connected := func(t *testing.T, p *browsertest.Page) {
		t.Helper()
		if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=connected" {
			t.Fatalf("confirm: %s (%d):\n%s", p.URL, p.Resp.StatusCode, p.Body)
		}
		if c := e.onlyConn(t, "hospitable"); c.AuthKind != store.AuthOAuth {
			t.Fatalf("hospitable connection = %+v", c)
		}
		before = e.hostConns(t)
	}

	t.Run("another browser of the same host", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		f := page.Form(t, pathOneClick)
		mark()
		other, _ := e.hostBrowser(t)
		refusedPage(t, "page in another browser", other.Get(pathOneClick), http.StatusBadRequest, noneWaiting)
		refusedPage(t, "post from another browser", other.Submit(f, url.Values{"action": {"connect"}}), http.StatusBadRequest, noneWaiting)
		// The other browser with a waiting request of its own still
		// cannot use this page's form: its token is for this browser.
		arrive(t, other, marketplace(t, v))
		mark()
		refusedPage(t, "post with another browser's request", other.Submit(f, url.Values{"action": {"connect"}}), http.StatusForbidden, formRefused)
		untouched(t)
		// Neither request was used up by the attempts.
		connected(t, b.Submit(f, url.Values{"action": {"connect"}}))
		p := other.Get(pathOneClick)
		if !strings.Contains(p.Body, oneClickAsk) {
			t.Fatalf("the other browser's own request is gone: %d", p.Resp.StatusCode)
		}
	})
	t.Run("without CSRF", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		f := page.Form(t, pathOneClick)
		mark()
		for _, csrf := range []string{"", "forged"} {
			p := b.Submit(f, url.Values{"action": {"connect"}, "csrf": {csrf}})
			refusedPage(t, "csrf "+csrf, p, http.StatusForbidden, formRefused)
		}
		untouched(t)
		connected(t, b.Submit(f, url.Values{"action": {"connect"}}))
	})
	t.Run("replayed", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		f := page.Form(t, pathOneClick)
		id := cookieOf(t, b, e.ts.URL)
		connected(t, b.Submit(f, url.Values{"action": {"connect"}}))
		mark()
		setCookie(t, b, e.ts.URL, id)
		refusedPage(t, "replay", b.Submit(f, url.Values{"action": {"connect"}}), http.StatusBadRequest, oneClickGone)
		untouched(t)
	})
	t.Run("replayed callback", func(t *testing.T) {
		// The vendor's code is single use: the same callback again is a
		// new question, and confirming it is refused by the vendor.
		cb := marketplace(t, v)
		connected(t, b.Submit(arrive(t, b, cb).Form(t, pathOneClick), url.Values{"action": {"connect"}}))
		p := b.Submit(arrive(t, b, cb).Form(t, pathOneClick), url.Values{"action": {"connect"}})
		refusedPage(t, "replayed callback", p, http.StatusBadGateway, "Hospitable did not complete the connection")
		if !sameConns(before, e.hostConns(t)) {
			t.Fatal("a code the vendor refused changed the connections")
		}
	})
	t.Run("after ten minutes", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		f := page.Form(t, pathOneClick)
		id := cookieOf(t, b, e.ts.URL)
		mark()
		e.clock.Advance(10 * time.Minute)
		refusedPage(t, "page after ten minutes", b.Get(pathOneClick), http.StatusBadRequest, oneClickGone)
		setCookie(t, b, e.ts.URL, id) // the page cleared it; a browser may still send it
		refusedPage(t, "confirm after ten minutes", b.Submit(f, url.Values{"action": {"connect"}}), http.StatusBadRequest, oneClickGone)
		untouched(t)
	})
	t.Run("just inside ten minutes", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		e.clock.Advance(9*time.Minute + 59*time.Second)
		connected(t, b.Submit(page.Form(t, pathOneClick), url.Values{"action": {"connect"}}))
	})
	t.Run("cancel", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		f := page.Form(t, pathOneClick)
		id := cookieOf(t, b, e.ts.URL)
		mark()
		p := b.Submit(f, url.Values{"action": {"cancel"}})
		if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != mcpserver.PathConnections {
			t.Fatalf("cancel: %s (%d)", p.URL, p.Resp.StatusCode)
		}
		setCookie(t, b, e.ts.URL, id)
		refusedPage(t, "confirm after cancel", b.Submit(f, url.Values{"action": {"connect"}}), http.StatusBadRequest, oneClickGone)
		untouched(t)
	})
	t.Run("two confirmations at once", func(t *testing.T) {
		page := arrive(t, b, marketplace(t, v))
		f := page.Form(t, pathOneClick)
		mark()
		const n = 8
		statuses := make(chan int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				<-start
				req, err := http.NewRequest(http.MethodPost, e.ts.URL+pathOneClick, strings.NewReader(url.Values{"csrf": f.Values["csrf"], "action": {"connect"}}.Encode()))
				if err != nil {
					statuses <- 0
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				resp, err := b.Client.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			})
		}
		close(start)
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 1 || count[http.StatusBadRequest] != n-1 {
			t.Fatalf("statuses %v, want one connection and %d refusals", count, n-1)
		}
		if got := v.TokenRequests() - exchanges; got != 1 {
			t.Fatalf("%d code exchanges, want 1", got)
		}
		before = e.hostConns(t)
	})
	t.Run("the ordinary flow at the vendor's callback", func(t *testing.T) {
		// With the Partner Portal's URL pointing at the vendor's callback,
		// the flow started from the connections page arrives there too,
		// with its state, and is finished at once.
		auth := e.startOAuth(t, b, b.Get(mcpserver.PathConnections), "hospitable")
		cb := e.approveAtVendorAnywhere(t, "hospitable", auth)
		if cb.Path != mcpserver.VendorCallbackPath("hospitable") || cb.Query().Get("state") == "" {
			t.Fatalf("callback = %s", cb)
		}
		connected(t, b.Get(cb.String()))
		// A state from another vendor's flow is refused there.
		hx := e.approveAtVendor(t, "hostex", e.startOAuth(t, b, b.Get(mcpserver.PathConnections), "hostex"), true)
		wrong := mustURL(t, e.ts.URL+mcpserver.VendorCallbackPath("hospitable")+"?"+hx.RawQuery)
		mark()
		refusedPage(t, "hostex state at hospitable's callback", b.Get(wrong.String()), http.StatusBadRequest, "Unknown vendor")
		untouched(t)
	})
	t.Run("a vendor without one-click", func(t *testing.T) {
		// Hostex: a callback without its state is refused as before, at
		// the plain callback and at Hostex's own; so is Hospitable's code
		// at the plain callback, which names no vendor.
		hx := e.approveAtVendor(t, "hostex", e.startOAuth(t, b, b.Get(mcpserver.PathConnections), "hostex"), true)
		code := hx.Query().Get("code")
		mark()
		hxExchanges := e.sandbox.Hostex.TokenRequests()
		for _, u := range []string{
			e.ts.URL + mcpserver.PathOAuthCallback + "?code=" + url.QueryEscape(code),
			e.ts.URL + mcpserver.VendorCallbackPath("hostex") + "?code=" + url.QueryEscape(code),
			e.ts.URL + mcpserver.PathOAuthCallback + "?code=" + url.QueryEscape(marketplace(t, v).Query().Get("code")),
		} {
			p := b.Get(u)
			refusedPage(t, u, p, http.StatusBadRequest, "This sign-in link expired or was already used")
			if p.URL.Path == pathOneClick {
				t.Fatalf("%s became a one-click question", u)
			}
		}
		if e.sandbox.Hostex.TokenRequests() != hxExchanges {
			t.Fatal("a callback without state reached Hostex")
		}
		untouched(t)
	})
}
