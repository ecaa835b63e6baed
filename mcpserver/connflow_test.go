package mcpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"golang.org/x/net/html"
)

// The helpers of the connection-page tests: a host's browser on hostgate,
// another on a fake vendor's authorize page, and a little HTML reading.

// signIn opens path in b, which must land on the sign-in page, signs the
// host in on the real form and returns the page it was sent back to.
func (e *env) signIn(t *testing.T, b *browsertest.Browser, path string) *browsertest.Page {
	t.Helper()
	p := b.Get(path)
	if p.URL.Path != "/signin" || p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s without a session landed on %s (%d)", path, p.URL, p.Resp.StatusCode)
	}
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {hostPassword}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != path {
		t.Fatalf("after sign-in: %s (%d), want %s", p.URL, p.Resp.StatusCode, path)
	}
	return p
}

// hostBrowser returns a new browser with the host signed in, on the
// connections page.
func (e *env) hostBrowser(t *testing.T) (*browsertest.Browser, *browsertest.Page) {
	t.Helper()
	b := browsertest.New(t, e.ts.URL)
	return b, e.signIn(t, b, mcpserver.PathConnections)
}

// fake returns the sandbox vendor of a vendor name.
func (e *env) fake(t *testing.T, vendor string) *sandbox.Vendor {
	t.Helper()
	for _, v := range e.sandbox.Vendors() {
		if v.Name == vendor {
			return v
		}
	}
	t.Fatalf("no sandbox vendor %q", vendor)
	return nil
}

// startOAuth submits the connections page's "Sign in with <vendor>" form
// and returns where hostgate sent the browser: the fake's authorize URL.
func (e *env) startOAuth(t *testing.T, b *browsertest.Browser, page *browsertest.Page, vendor string) *url.URL {
	t.Helper()
	f := page.Form(t, "/connections/oauth/start")
	// Every vendor's form has the same action; the first one's CSRF and
	// return are the page's, so only the vendor differs.
	p := b.Submit(f, url.Values{"vendor": {vendor}})
	if p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("oauth start for %s: %d: %s", vendor, p.Resp.StatusCode, p.Body)
	}
	if p.Resp.Header.Get("Cache-Control") != "no-store" || p.Resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("oauth start headers: %v", p.Resp.Header)
	}
	loc := mustURL(t, p.Resp.Header.Get("Location"))
	v := e.fake(t, vendor)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != v.AuthorizeURL {
		t.Fatalf("oauth start for %s went to %s, want the fake's authorize page %s", vendor, got, v.AuthorizeURL)
	}
	return loc
}

// approveAtVendor plays the host on the fake's own authorize page: it
// opens authURL, clicks the button (approve or not) and returns the
// redirect back to hostgate's callback, without following it.
func (e *env) approveAtVendor(t *testing.T, vendor string, authURL *url.URL, approve bool) *url.URL {
	t.Helper()
	v := e.fake(t, vendor)
	vb := browsertest.New(t, v.URL)
	p := vb.Get(authURL.String())
	if p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("%s authorize page: %d: %s", vendor, p.Resp.StatusCode, p.Body)
	}
	f := p.Form(t, authURL.Path)
	if f.Values.Get("request_id") == "" || f.Buttons.Get("approve") != "approve" {
		t.Fatalf("%s authorize form = %+v", vendor, f)
	}
	extra := url.Values{}
	if approve {
		extra.Set("approve", "approve")
	}
	p = vb.Submit(f, extra)
	if p.Resp.StatusCode != http.StatusFound {
		t.Fatalf("%s approve: %d: %s", vendor, p.Resp.StatusCode, p.Body)
	}
	cb := mustURL(t, p.Resp.Header.Get("Location"))
	// A vendor with one-click has the callback that names it registered.
	want := e.ts.URL + mcpserver.PathOAuthCallback
	if vendor == "hospitable" {
		want = e.ts.URL + mcpserver.VendorCallbackPath(vendor)
	}
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != want {
		t.Fatalf("%s sent the browser to %s, want hostgate's callback", vendor, got)
	}
	return cb
}

// connectOAuth connects a vendor by its OAuth flow from the connections
// page and returns the callback URL used and the page the host ended on.
func (e *env) connectOAuth(t *testing.T, b *browsertest.Browser, page *browsertest.Page, vendor string) (*url.URL, *browsertest.Page) {
	t.Helper()
	cb := e.approveAtVendor(t, vendor, e.startOAuth(t, b, page, vendor), true)
	return cb, b.Get(cb.String())
}

// hostConns returns the host's connections as stored.
func (e *env) hostConns(t *testing.T) []store.Connection {
	t.Helper()
	cs, err := e.store.ListConnections(context.Background(), e.host.ID)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// vendorConns returns the host's connections of one vendor.
func (e *env) vendorConns(t *testing.T, vendor string) []store.Connection {
	t.Helper()
	var out []store.Connection
	for _, c := range e.hostConns(t) {
		if c.Vendor == vendor {
			out = append(out, c)
		}
	}
	return out
}

// onlyConn returns the host's single connection of a vendor.
func (e *env) onlyConn(t *testing.T, vendor string) store.Connection {
	t.Helper()
	cs := e.vendorConns(t, vendor)
	if len(cs) != 1 {
		t.Fatalf("%d %s connections, want 1: %+v", len(cs), vendor, cs)
	}
	return cs[0]
}

// credOf reads a connection's credential as stored (the store opens the seal).
func (e *env) credOf(t *testing.T, id string) connector.Credential {
	t.Helper()
	c, err := e.store.GetConnection(context.Background(), id)
	if err != nil {
		t.Fatalf("get connection %s: %v", id, err)
	}
	cred, err := connector.DecodeCredential(c.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// tokenClient is an mcp-go client that presents an access token obtained
// elsewhere.
func (e *env) tokenClient(t *testing.T, accessToken string) *client.Client {
	t.Helper()
	c, err := client.NewStreamableHttpClient(e.ts.URL+"/mcp",
		transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + accessToken}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Initialize(ctx, initRequest("2025-11-25")); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return c
}

var mcpLogLine = regexp.MustCompile(`msg=http .*method=(\w+) path=/mcp status=(\d+)`)

// mcpStatuses returns "METHOD STATUS" of every /mcp request hostgate logged
// after the first skip bytes of the log.
func (e *env) mcpStatuses(skip int) []string {
	var out []string
	for _, m := range mcpLogLine.FindAllStringSubmatch(e.logs.String()[skip:], -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

// HTML reading.

func parseHTML(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// byID returns the element with the id, or nil.
func byID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode && attrOf(n, "id") == id {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := byID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// elementText is the text of the element with the id, spaces collapsed;
// the test fails if there is none.
func elementText(t *testing.T, body, id string) string {
	t.Helper()
	n := byID(parseHTML(t, body), id)
	if n == nil {
		t.Fatalf("no element with id %q in:\n%s", id, body)
	}
	return textOf(n)
}

func textOf(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
			sb.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(sb.String()), " ")
}

// link is an anchor: its href and text.
type link struct{ Href, Text string }

// links returns the anchors under n.
func links(n *html.Node) []link {
	var out []link
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			out = append(out, link{Href: attrOf(n, "href"), Text: textOf(n)})
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// linkNamed returns the href of the anchor with the text; the test fails
// if there is none.
func linkNamed(t *testing.T, body, text string) string {
	t.Helper()
	for _, l := range links(parseHTML(t, body)) {
		if l.Text == text {
			return l.Href
		}
	}
	t.Fatalf("no link %q in:\n%s", text, body)
	return ""
}

// formActions returns the action of each form under n.
func formActions(n *html.Node) []string {
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" {
			out = append(out, attrOf(n, "action"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// assertPageHeaders checks the security headers every hostgate page carries.
func assertPageHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	assertPageHeadersFormTo(t, what, h)
}

// assertPageHeadersFormTo is assertPageHeaders for a page whose forms may
// also lead (by a redirect) to the given origins.
func assertPageHeadersFormTo(t *testing.T, what string, h http.Header, formTargets ...string) {
	t.Helper()
	want := map[string]string{
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action " + strings.Join(append([]string{"'self'"}, formTargets...), " ") + "; frame-ancestors 'none'; base-uri 'none'",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}
