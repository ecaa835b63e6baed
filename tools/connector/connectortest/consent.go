package connectortest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"
)

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// Approve plays the host in a browser on a sandbox fake's consent page: it
// opens authURL, submits the form with "approve", and returns the URL the
// fake redirects to (its query holds code and, when one was sent, state).
// It fails the test unless the redirect carries a code.
func Approve(t testing.TB, authURL string) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize page: HTTP %d: %s", resp.StatusCode, page)
	}
	// The form posts where its action says, as a browser would.
	target := resp.Request.URL
	if m := formAction.FindSubmatch(page); m != nil {
		if u, err := target.Parse(html.UnescapeString(string(m[1]))); err == nil {
			target = u
		}
	}
	form := url.Values{"approve": {"approve"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	resp, err = c.PostForm(target.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("consent: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc
}
