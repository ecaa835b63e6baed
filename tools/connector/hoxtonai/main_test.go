package hoxtonai

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestMain(m *testing.M) {
	pollInterval = time.Millisecond
	os.Exit(m.Run())
}

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
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixedNow is the tests' fixed "now": the seeded counts end the day before.
var fixedNow = time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC)

// env is one test's fake HoxtonAI and a Spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *clock
}

func start(t *testing.T, now time.Time) *env {
	t.Helper()
	clk := &clock{t: now}
	v := sandbox.NewHoxtonAI(sandbox.Options{Now: clk.Now})
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	s := NewSpec()
	s.BaseURL, s.Now = v.APIBase, clk.Now
	s.OAuth.AuthURL, s.OAuth.TokenURL, s.OAuth.RevokeURL = v.AuthorizeURL, v.TokenURL, v.RevokeURL
	s.OAuth.ClientID, s.OAuth.ClientSecret = sandbox.HoxtonAIClientID, sandbox.HoxtonAIClientSecret
	return &env{v: v, spec: s, clk: clk}
}

const redirectURI = "http://127.0.0.1:5555/connect/hoxtonai/callback"

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// authorize plays the host in the browser: it opens the authorize URL the
// way hostgate's connect flow builds it from the Spec, approves, and
// returns the code and the PKCE verifier.
func (e *env) authorize(t *testing.T) (code, verifier string) {
	t.Helper()
	verifier = strings.Repeat("v3rifier-", 6)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {e.spec.OAuth.ClientID}, "redirect_uri": {redirectURI},
		"scope": {strings.Join(e.spec.OAuth.Scopes, " ")}, "state": {"st4te"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	for k, v := range e.spec.OAuth.AuthParams {
		q.Set(k, v)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(e.spec.OAuth.AuthURL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("authorize page: HTTP %d %s", resp.StatusCode, page)
	}
	form := url.Values{"approve": {"approve"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	resp, err = hc.PostForm(e.spec.OAuth.AuthURL, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st4te" {
		t.Fatalf("consent redirect: HTTP %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), verifier
}

// login runs the whole OAuth connect: authorize, then Exchange.
func (e *env) login(t *testing.T) connector.Credential {
	t.Helper()
	code, verifier := e.authorize(t)
	c, err := e.spec.Exchange(context.Background(), e.spec, code, verifier, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// machine connects a machine-to-machine client through the form.
func (e *env) machine(t *testing.T) connector.Credential {
	t.Helper()
	c, err := e.spec.FromFields(context.Background(), e.spec, store.AuthClientCredentials,
		map[string]string{FieldClientID: sandbox.HoxtonAIM2MClientID, FieldClientSecret: sandbox.HoxtonAIM2MClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// conn returns a Connector over a signed-in credential and a counting
// source that renews with the Spec's Refresh.
func (e *env) conn(t *testing.T) (*Connector, *countingSource) {
	t.Helper()
	src := &countingSource{cred: e.login(t), renew: func(ctx context.Context, c connector.Credential) (connector.Credential, error) {
		return e.spec.Refresh(ctx, e.spec, c)
	}}
	return e.spec.New(e.spec, src).(*Connector), src
}

// raw calls the fake directly, bypassing the client.
func (e *env) raw(t *testing.T, cred connector.Credential, method, path string, body any) any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.v.APIBase+path, rd)
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out any
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("raw %s %s: HTTP %d %s", method, path, resp.StatusCode, b)
	}
	return out
}

// countingSource is a TokenSource double that counts Rejected calls and
// renews through the given function (nil: it cannot renew).
type countingSource struct {
	mu       sync.Mutex
	cred     connector.Credential
	renew    func(context.Context, connector.Credential) (connector.Credential, error)
	rejected int
}

func (s *countingSource) Token(context.Context) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cred, nil
}

func (s *countingSource) Rejected(ctx context.Context, token string) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected++
	if s.renew == nil {
		return connector.Credential{}, connector.ErrUnauthorized
	}
	fresh, err := s.renew(ctx, s.cred)
	if err != nil {
		return connector.Credential{}, err
	}
	s.cred = fresh
	return fresh, nil
}

func (s *countingSource) rejections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// noSecret fails if an error's text holds any of the secrets.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append(secrets, sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret) {
		// Short strings (a blank form value) match any text by chance.
		if len(strings.TrimSpace(s)) >= 8 && strings.Contains(err.Error(), s) {
			t.Fatalf("error text holds a secret: %q", err.Error())
		}
	}
}
