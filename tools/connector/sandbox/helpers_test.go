package sandbox

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is an injected clock that only moves when a test advances it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startVendor starts one fake on a loopback listener with a frozen clock.
func startVendor(t *testing.T, newFn func(Options) *Vendor) (*Vendor, *testClock) {
	t.Helper()
	clk := newClock()
	v := newFn(Options{Now: clk.Now})
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v, clk
}

// result is a decoded HTTP response.
type result struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// call sends a request; a map or struct body is JSON, a url.Values body is a form.
func call(t *testing.T, method, u string, headers map[string]string, body any) result {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &res.body) // lists and empty bodies stay nil
	return res
}

func noRedirect() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// approve opens an authorize URL, submits the consent form and returns the redirect target.
// With deny it submits the form without the approve button.
func approve(t *testing.T, authorizeURL string, deny bool) *url.URL {
	t.Helper()
	c := noRedirect()
	resp, err := c.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize page: HTTP %d: %s", resp.StatusCode, page)
	}
	if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options = %q, want DENY", got)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	if !deny {
		if !strings.Contains(string(page), `name="approve"`) {
			t.Fatal("consent page has no approve button")
		}
		form.Set("approve", "approve")
	}
	resp, err = c.PostForm(resp.Request.URL.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent POST: HTTP %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// str digs a string out of decoded JSON by path ("data.access_token").
func dig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, path string) string {
	s, _ := dig(v, path).(string)
	return s
}

func list(v any, path string) []any {
	l, _ := dig(v, path).([]any)
	return l
}

func num(v any, path string) int {
	f, _ := dig(v, path).(float64)
	return int(f)
}
