package hostex

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// env is one started Hostex fake with a spec pointed at it.
type env struct{ connectortest.Env }

// newEnv starts the fake on a clock stopped at connectortest.FixedNow.
func newEnv(t *testing.T) *env { t.Helper(); return newEnvAt(t, connectortest.FixedNow) }

// newEnvAt starts the fake on a clock stopped at now, with the fake's
// partner client.
func newEnvAt(t *testing.T, now time.Time) *env {
	t.Helper()
	return &env{connectortest.NewEnv(t, sandbox.NewHostex, NewSpec(), now, sandbox.HostexClientID, sandbox.HostexClientSecret)}
}

func (e *env) today() string { return e.Day(0) }

// pat returns a connector over a personal token and its source.
func (e *env) pat(token string) (*conn, *connectortest.Source) {
	return connectortest.Conn[*conn](e.Spec, connector.Credential{AccessToken: token})
}

// raw calls the fake directly, for cross-checking the client's mapping,
// and returns the envelope's data.
func (e *env) raw(t *testing.T, path string, q url.Values) map[string]any {
	t.Helper()
	_, body := connectortest.Raw(t, http.MethodGet, e.V.APIBase+path+"?"+q.Encode(),
		http.Header{"Hostex-Access-Token": {sandbox.HostexWritableToken}}, nil)
	env, _ := body.(map[string]any)
	if env["error_code"] != 0.0 {
		t.Fatalf("raw %s: %v", path, env)
	}
	return env["data"].(map[string]any)
}

// rawAll pages through a raw list.
func (e *env) rawAll(t *testing.T, path, key string, q url.Values) []map[string]any {
	t.Helper()
	var out []map[string]any
	for offset := 0; ; offset += 100 {
		qq := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {"100"}}
		for k, v := range q {
			qq[k] = v
		}
		items, _ := e.raw(t, path, qq)[key].([]any)
		for _, it := range items {
			out = append(out, it.(map[string]any))
		}
		if len(items) < 100 {
			return out
		}
	}
}

const redirectURI = "http://127.0.0.1:9/callback"

// oauth connects through the fake's OAuth flow.
func (e *env) oauth(t *testing.T) connector.Credential {
	t.Helper()
	return e.Connect(t, redirectURI)
}

var allSecrets = []string{sandbox.HostexWritableToken, sandbox.HostexReadOnlyToken, sandbox.HostexLapsedToken, sandbox.HostexClientSecret}

// wantErr checks an error's sentinel and that its text holds no secret,
// the fake's included; noSecret checks the text only.
var wantErr, noSecret = connectortest.Checks(allSecrets...)

// sent is one request as the client sent it.
type sent struct {
	Method, Path string
	Header       http.Header // the token headers only
	Body         []byte
}

// reqLog records every request a client sends, on its way to the fake.
type reqLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []sent
}

func (l *reqLog) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	l.mu.Lock()
	l.seen = append(l.seen, sent{Method: req.Method, Path: req.URL.Path, Body: body, Header: http.Header{
		"Hostex-Access-Token": req.Header.Values("Hostex-Access-Token"),
		"Authorization":       req.Header.Values("Authorization"),
	}})
	l.mu.Unlock()
	return l.next.RoundTrip(req)
}

func (l *reqLog) reset() { l.mu.Lock(); l.seen = nil; l.mu.Unlock() }

func (l *reqLog) all() []sent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]sent(nil), l.seen...)
}

// logged returns a copy of the spec whose requests are recorded.
func (e *env) logged() (*connector.Spec, *reqLog) {
	log := &reqLog{next: http.DefaultTransport}
	s := *e.Spec
	s.HTTP = &http.Client{Transport: log, Timeout: 10 * time.Second}
	return &s, log
}
