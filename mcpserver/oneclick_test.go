package mcpserver_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// The one-click tests: Hospitable's marketplace sends the host to the
// redirect URL registered in its Partner Portal, here hostgate's
// Hospitable callback, with a code and no state. hostgate keeps the code
// sealed for the browser it reached and redeems it only once the host,
// signed in, confirms on hostgate's own page, from that same browser.

const (
	pathOneClick   = "/connections/oauth/oneclick"
	oneClickCookie = "hostgate-oneclick" // plain http: no __Secure- prefix
	oneClickAsk    = "Connect the Hospitable account you came from to " + hostName + "?"
	oneClickGone   = "This connection request expired or was already used"
	noneWaiting    = "No connection is waiting in this browser"
	formRefused    = "This form expired or came from another site"
)

// oneClickEnv is a sandboxed hostgate whose Hospitable app has its own
// callback registered in the (fake) Partner Portal.
func oneClickEnv(t *testing.T) (*env, *sandbox.Vendor) {
	t.Helper()
	e := newEnv(t, envOptions{sandbox: true})
	v := e.fake(t, "hospitable")
	v.SetRedirectURI(e.ts.URL + mcpserver.VendorCallbackPath("hospitable"))
	return e, v
}

// marketplace plays the host clicking "connect" in Hospitable's
// marketplace: an authorization with neither state nor redirect URI,
// approved at the fake, whose redirect back to hostgate is returned
// unfollowed.
func marketplace(t *testing.T, v *sandbox.Vendor) *url.URL {
	t.Helper()
	auth := mustURL(t, v.AuthorizeURL+"?"+url.Values{"client_id": {v.ClientID}, "response_type": {"code"}}.Encode())
	vb := browsertest.New(t, v.URL)
	p := vb.Submit(vb.Get(auth.String()).Form(t, auth.Path), url.Values{"approve": {"approve"}})
	cb := mustURL(t, p.Resp.Header.Get("Location"))
	if p.Resp.StatusCode != http.StatusFound || cb.Path != mcpserver.VendorCallbackPath("hospitable") ||
		cb.Query().Has("state") || cb.Query().Get("code") == "" {
		t.Fatalf("marketplace redirect: %d %s", p.Resp.StatusCode, cb)
	}
	return cb
}

// arrive opens the one-click callback in a signed-in browser and returns
// the confirmation page it lands on.
func arrive(t *testing.T, b *browsertest.Browser, cb *url.URL) *browsertest.Page {
	t.Helper()
	p := b.Get(cb.String())
	if p.Resp.StatusCode != http.StatusOK || p.URL.Path != pathOneClick || !strings.Contains(p.Body, oneClickAsk) {
		t.Fatalf("one-click arrival: %s (%d):\n%s", p.URL, p.Resp.StatusCode, p.Body)
	}
	return p
}

// cookieOf is the browser's one-click cookie value, "" if none.
func cookieOf(t *testing.T, b *browsertest.Browser, base string) string {
	t.Helper()
	for _, c := range b.Client.Jar.Cookies(mustURL(t, base+pathOneClick)) {
		if c.Name == oneClickCookie {
			return c.Value
		}
	}
	return ""
}

// setCookie puts a one-click cookie value in b, as if b had it all along.
func setCookie(t *testing.T, b *browsertest.Browser, base, value string) {
	t.Helper()
	b.Client.Jar.SetCookies(mustURL(t, base+pathOneClick), []*http.Cookie{{Name: oneClickCookie, Value: value, Path: "/connections/oauth"}})
}

// refusedPage checks a page is the refusal expected.
func refusedPage(t *testing.T, what string, p *browsertest.Page, status int, text string) {
	t.Helper()
	if p.Resp.StatusCode != status || !strings.Contains(p.Body, text) {
		t.Fatalf("%s: %d, want %d with %q:\n%s", what, p.Resp.StatusCode, status, text, p.Body)
	}
	assertPageHeaders(t, what, p.Resp.Header)
}

// TestOneClickConnect: a host who is not signed in arrives with the code,
// signs in, sees the question on hostgate's page, confirms, and the
// Hospitable account is connected for them, once. Nothing reaches the
// vendor before the confirmation; the code is in no URL hostgate builds, no
// page, no log line and not on disk in the clear; a replay is refused.
func TestOneClickConnect(t *testing.T) {
	e, v := oneClickEnv(t)
	before := e.onlyConn(t, "hospitable") // the sandbox's personal token
	cb := marketplace(t, v)
	code := cb.Query().Get("code")
	exchanges := v.TokenRequests()

	b := browsertest.New(t, e.ts.URL)
	p := b.Get(cb.String())
	if p.URL.Path != "/signin" || p.URL.Query().Get("return") != pathOneClick {
		t.Fatalf("signed-out arrival landed on %s (%d)", p.URL, p.Resp.StatusCode)
	}
	if strings.Contains(p.URL.String(), code) || strings.Contains(p.Body, code) {
		t.Fatal("the code reached the sign-in page")
	}
	files := e.db.Contents(t)
	if !bytes.Contains(files, []byte("hospitable")) {
		t.Fatal("the database files do not hold the vendor either: the test reads the wrong bytes")
	}
	if bytes.Contains(files, []byte(code)) {
		t.Fatal("the waiting code is on disk in the clear")
	}

	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {hostPassword}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.Path != pathOneClick || !strings.Contains(p.Body, oneClickAsk) {
		t.Fatalf("after sign-in: %s (%d):\n%s", p.URL, p.Resp.StatusCode, p.Body)
	}
	assertPageHeaders(t, "confirmation page", p.Resp.Header)
	if strings.Contains(p.Body, code) {
		t.Fatal("the confirmation page shows the code")
	}
	if v.TokenRequests() != exchanges {
		t.Fatal("the code was redeemed before the host confirmed")
	}
	f := p.Form(t, pathOneClick)
	if f.Buttons.Get("action") != "connect" || len(f.Buttons["action"]) != 2 {
		t.Fatalf("confirmation form = %+v", f)
	}
	id := cookieOf(t, b, e.ts.URL)

	p = b.Submit(f, url.Values{"action": {"connect"}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=connected" || !strings.Contains(p.Body, "Connected.") {
		t.Fatalf("confirm: %s (%d):\n%s", p.URL, p.Resp.StatusCode, p.Body)
	}
	if n := v.TokenRequests() - exchanges; n != 1 {
		t.Fatalf("%d token requests for one confirmation, want 1", n)
	}
	conn := e.onlyConn(t, "hospitable")
	if conn.ID != before.ID || conn.AuthKind != store.AuthOAuth || conn.Version <= before.Version || conn.UserID != e.host.ID || conn.Status != store.StatusOK {
		t.Fatalf("connection = %+v, before %+v", conn, before)
	}
	if cred := e.credOf(t, conn.ID); !strings.HasPrefix(cred.AccessToken, "hsp_oat_") || !strings.HasPrefix(cred.RefreshToken, "hsp_ort_") {
		t.Fatalf("credential: access %.8q… refresh %.8q…", cred.AccessToken, cred.RefreshToken)
	}
	if row := elementText(t, p.Body, "conn-"+conn.ID); !strings.Contains(row, conn.Label) || !strings.Contains(row, "connected") {
		t.Fatalf("connections row = %q, want the account %q connected", row, conn.Label)
	}
	if cookieOf(t, b, e.ts.URL) != "" {
		t.Error("the one-click cookie outlived the confirmation")
	}

	// Replays: the page again (the cookie is gone), and the very request
	// with the cookie put back (the record is gone). Neither reaches the
	// vendor or changes a connection.
	snapshot := e.hostConns(t)
	exchanges = v.TokenRequests()
	refusedPage(t, "replay without the cookie", b.Submit(f, url.Values{"action": {"connect"}}), http.StatusBadRequest, noneWaiting)
	setCookie(t, b, e.ts.URL, id)
	refusedPage(t, "replay with the cookie", b.Submit(f, url.Values{"action": {"connect"}}), http.StatusBadRequest, oneClickGone)
	if v.TokenRequests() != exchanges || !sameConns(snapshot, e.hostConns(t)) {
		t.Fatal("a replay reached the vendor or changed a connection")
	}
	if logs := e.logs.String(); strings.Contains(logs, code) || strings.Contains(logs, id) {
		t.Fatal("the code or the cookie value was logged")
	}
}

// TestOneClickArrival: the callback's answer to a one-click arrival is a
// redirect to the question, with the cookie that binds it to this browser:
// HttpOnly, SameSite=Lax, scoped to the callback and the page, ten
// minutes; refusals at the vendor and empty codes keep nothing; one
// address cannot pile up waiting codes.
func TestOneClickArrival(t *testing.T) {
	e, _ := oneClickEnv(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(q url.Values) *http.Response {
		t.Helper()
		resp, err := client.Get(e.ts.URL + mcpserver.VendorCallbackPath("hospitable") + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := get(url.Values{"code": {"some-code"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != pathOneClick || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("arrival: %d %v", resp.StatusCode, resp.Header)
	}
	cs := resp.Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies = %v", cs)
	}
	c := cs[0]
	if c.Name != oneClickCookie || len(c.Value) < 43 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode ||
		c.Path != "/connections/oauth" || c.MaxAge != 600 || c.Secure {
		t.Fatalf("cookie = %+v", c)
	}
	for name, q := range map[string]url.Values{
		"declined":   {"error": {"access_denied"}},
		"no code":    {"code": {""}},
		"giant code": {"code": {strings.Repeat("x", 5000)}},
	} {
		if resp := get(q); resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 {
			t.Errorf("%s: %d, cookies %v", name, resp.StatusCode, resp.Cookies())
		}
	}
	// Ten a minute from one address; the next minute starts over.
	for i := 1; i < 10; i++ {
		if resp := get(url.Values{"code": {"c"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("arrival %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp := get(url.Values{"code": {"c"}}); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("11th arrival in a minute: %d", resp.StatusCode)
	}
	e.clock.Advance(time.Minute)
	if resp := get(url.Values{"code": {"c"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("arrival a minute later: %d", resp.StatusCode)
	}
}

// approveAtVendorAnywhere is approveAtVendor for a vendor whose registered
// redirect is not the plain callback.
func (e *env) approveAtVendorAnywhere(t *testing.T, vendor string, authURL *url.URL) *url.URL {
	t.Helper()
	vb := browsertest.New(t, e.fake(t, vendor).URL)
	p := vb.Submit(vb.Get(authURL.String()).Form(t, authURL.Path), url.Values{"approve": {"approve"}})
	if p.Resp.StatusCode != http.StatusFound {
		t.Fatalf("%s approve: %d: %s", vendor, p.Resp.StatusCode, p.Body)
	}
	return mustURL(t, p.Resp.Header.Get("Location"))
}
