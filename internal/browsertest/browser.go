// Package browsertest plays a host's browser in tests: an HTTP client with a
// cookie jar that reads the real HTML forms hostgate serves and submits them
// as a browser would, stopping at any redirect that leaves the server (to an
// MCP client's redirect URI).
package browsertest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// TB is the part of testing.TB a Browser uses, so that programs (the
// conformance driver) can drive pages too.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// Browser is a cookie-keeping HTTP client confined to one origin.
type Browser struct {
	t      TB
	Client *http.Client
	origin *url.URL
}

// New returns a browser for the server at origin. Redirects within the
// origin are followed; one elsewhere ends the request with its 3xx response.
func New(t TB, origin string) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{t: t, origin: o}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != o.Scheme || req.URL.Host != o.Host {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return fmt.Errorf("too many redirects")
		}
		return nil
	}}
	return b
}

// Page is a fetched response with its body read.
type Page struct {
	Resp *http.Response
	Body string
	URL  *url.URL // where the page was finally served from
}

// Get fetches u (absolute, or a path on the origin).
func (b *Browser) Get(u string) *Page {
	b.t.Helper()
	return b.do(http.MethodGet, b.resolve(u), nil)
}

func (b *Browser) resolve(u string) string {
	ref, err := url.Parse(u)
	if err != nil {
		b.t.Fatalf("bad URL %q: %v", u, err)
	}
	return b.origin.ResolveReference(ref).String()
}

func (b *Browser) do(method, u string, form url.Values) *Page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// What a browser sends on a form post under Referrer-Policy: no-referrer.
		req.Header.Set("Origin", "null")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &Page{Resp: resp, Body: string(data), URL: resp.Request.URL}
}

// Form is an HTML form as the page has it.
type Form struct {
	Action string
	Method string
	Values url.Values // hidden, text and checked inputs, as a browser would send them
	// Buttons are the named submit buttons: name → values.
	Buttons url.Values
}

// Form returns the page's form whose action ends with action; it fails the
// test if there is none.
func (p *Page) Form(t TB, action string) *Form {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	var found *Form
	var walk func(n *html.Node, f *Form)
	walk = func(n *html.Node, f *Form) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				nf := &Form{Action: attr(n, "action"), Method: strings.ToUpper(attr(n, "method")), Values: url.Values{}, Buttons: url.Values{}}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, nf)
				}
				if found == nil && strings.HasSuffix(nf.Action, action) {
					found = nf
				}
				return
			case "input":
				if f != nil && attr(n, "name") != "" && !hasAttr(n, "disabled") {
					switch strings.ToLower(attr(n, "type")) {
					case "checkbox", "radio":
						if hasAttr(n, "checked") {
							f.Values.Add(attr(n, "name"), attrOr(n, "value", "on"))
						}
					case "submit":
						f.Buttons.Add(attr(n, "name"), attr(n, "value"))
					default:
						f.Values.Add(attr(n, "name"), attr(n, "value"))
					}
				}
			case "button":
				if f != nil && attr(n, "name") != "" && strings.ToLower(attrOr(n, "type", "submit")) == "submit" {
					f.Buttons.Add(attr(n, "name"), attr(n, "value"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
	}
	walk(doc, nil)
	if found == nil {
		t.Fatalf("no form with action %q on %s (status %d):\n%s", action, p.URL, p.Resp.StatusCode, p.Body)
	}
	return found
}

// Submit posts the form with its values plus the extra ones (a clicked
// button's name and value, typed fields). Extra values replace form values.
func (b *Browser) Submit(f *Form, extra url.Values) *Page {
	b.t.Helper()
	v := url.Values{}
	for k, vs := range f.Values {
		v[k] = append([]string(nil), vs...)
	}
	for k, vs := range extra {
		v[k] = vs
	}
	method := f.Method
	if method == "" {
		method = http.MethodGet
	}
	return b.do(method, b.resolve(f.Action), v)
}

// Post posts raw form values to u.
func (b *Browser) Post(u string, v url.Values) *Page {
	b.t.Helper()
	return b.do(http.MethodPost, b.resolve(u), v)
}

func attr(n *html.Node, key string) string { return attrOr(n, key, "") }

func attrOr(n *html.Node, key, def string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return def
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
