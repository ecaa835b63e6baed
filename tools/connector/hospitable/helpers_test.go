package hospitable

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

var ctx = context.Background()

// clock is an injected clock that moves only when a test advances it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one started Hospitable fake with a spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvAt(t, time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC))
}

func newEnvAt(t *testing.T, now time.Time) *env {
	t.Helper()
	clk := &clock{t: now}
	v := sandbox.NewHospitable(sandbox.Options{Now: clk.Now})
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return &env{v: v, spec: pointAt(NewSpec(), v, clk), clk: clk}
}

func pointAt(s *connector.Spec, v *sandbox.Vendor, clk *clock) *connector.Spec {
	s.BaseURL = v.APIBase
	s.OAuth.AuthURL, s.OAuth.TokenURL = v.AuthorizeURL, v.TokenURL
	s.OAuth.ClientID, s.OAuth.ClientSecret = sandbox.HospitableClientID, sandbox.HospitableClientSecret
	s.Now = clk.Now
	return s
}

func (e *env) day(offset int) string { return e.clk.Now().AddDate(0, 0, offset).Format(dateLayout) }

// source is a TokenSource double: it hands out one credential and, when
// told the vendor refused it, renews it through the spec's Refresh (or
// returns it unchanged, or fails, as the test sets up).
type source struct {
	mu         sync.Mutex
	spec       *connector.Spec
	cred       connector.Credential
	rejected   int
	rejectErr  error
	useRefresh bool
}

func (s *source) Token(context.Context) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cred, nil
}

func (s *source) Rejected(ctx context.Context, token string) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected++
	if s.rejectErr != nil {
		return connector.Credential{}, s.rejectErr
	}
	if s.useRefresh {
		fresh, err := s.spec.Refresh(ctx, s.spec, s.cred)
		if err != nil {
			return connector.Credential{}, err
		}
		s.cred = fresh
	}
	return s.cred, nil
}

func (s *source) rejections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// pat returns a connector over a personal token and its source.
func (e *env) pat(token string) (*conn, *source) {
	src := &source{spec: e.spec, cred: connector.Credential{AccessToken: token}}
	return e.spec.New(e.spec, src).(*conn), src
}

// raw calls the fake directly, for cross-checking the client's mapping.
func (e *env) raw(t *testing.T, path string, q url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.v.APIBase+path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+sandbox.HospitablePAT)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("raw %s: HTTP %d, %v", path, resp.StatusCode, err)
	}
	return body
}

// rawAll pages through a raw list.
func (e *env) rawAll(t *testing.T, path string, q url.Values, perPage int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for n := 1; ; n++ {
		qq := url.Values{"page": {strconv.Itoa(n)}, "per_page": {strconv.Itoa(perPage)}}
		for k, v := range q {
			qq[k] = v
		}
		body := e.raw(t, path, qq)
		for _, it := range body["data"].([]any) {
			out = append(out, it.(map[string]any))
		}
		if body["links"].(map[string]any)["next"] == nil {
			return out
		}
	}
}

// allProperties is the properties[] of every seeded property.
func (e *env) allProperties(t *testing.T) url.Values {
	var ids []string
	for _, p := range e.rawAll(t, "/properties", nil, 100) {
		ids = append(ids, p["id"].(string))
	}
	return url.Values{"properties[]": ids, "include": {reservationIncludes}}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// authorize runs the fake's consent page as a host's browser would and
// returns the code from the redirect.
func authorize(t *testing.T, authURL string) string {
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
	form := url.Values{"approve": {"approve"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	resp, err = c.PostForm(resp.Request.URL.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("consent: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

const redirectURI = "http://127.0.0.1:9/callback"

// oauth connects through the fake's OAuth flow.
func (e *env) oauth(t *testing.T) connector.Credential {
	t.Helper()
	q := url.Values{"client_id": {e.spec.OAuth.ClientID}, "response_type": {"code"}, "redirect_uri": {redirectURI}, "state": {"st"}}
	cred, err := e.spec.Exchange(ctx, e.spec, authorize(t, e.spec.OAuth.AuthURL+"?"+q.Encode()), "", redirectURI)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return cred
}

var allSecrets = []string{sandbox.HospitablePAT, sandbox.HospitableReadOnlyPAT, sandbox.HospitableClientSecret}

// wantErr checks an error's sentinel and that its text holds no secret.
func wantErr(t *testing.T, err, sentinel error, secrets ...string) *connector.APIError {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	noSecret(t, err, secrets...)
	var ae *connector.APIError
	errors.As(err, &ae)
	return ae
}

func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append(secrets, allSecrets...) {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error text %q contains a secret", err)
		}
	}
}
