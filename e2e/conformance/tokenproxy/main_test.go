package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// upstream fakes hostgate's /mcp and /token for the proxy.
type upstream struct {
	t  *testing.T
	ts *httptest.Server

	mu       sync.Mutex
	seen     []*http.Request // /mcp requests, with bodies in bodies
	bodies   []string
	rejected map[string]bool // access tokens /mcp answers 401 invalid_token
	issued   int
	refresh  string // the refresh token /token accepts
	forms    []url.Values

	release chan struct{} // the SSE stream's second event waits for it
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{t: t, rejected: map[string]bool{}, refresh: "rt-0", release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", u.token)
	mux.HandleFunc("/mcp", u.mcp)
	u.ts = httptest.NewServer(mux)
	t.Cleanup(u.ts.Close)
	return u
}

func (u *upstream) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	u.mu.Lock()
	defer u.mu.Unlock()
	u.forms = append(u.forms, r.PostForm)
	if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != u.refresh {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"invalid_grant"}`)
		return
	}
	u.issued++
	u.refresh = fmt.Sprintf("rt-%d", u.issued)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600,"refresh_token":%q}`, u.issued, u.refresh)
}

func (u *upstream) mcp(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.seen = append(u.seen, r)
	u.bodies = append(u.bodies, string(body))
	rejected := u.rejected[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	u.mu.Unlock()
	if rejected {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", resource_metadata="x"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message\ndata: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-u.release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "event: message\ndata: second\n\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (u *upstream) last() (*http.Request, string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.seen) == 0 {
		u.t.Fatal("upstream saw no request")
	}
	return u.seen[len(u.seen)-1], u.bodies[len(u.bodies)-1]
}

func (u *upstream) form(i int) url.Values {
	u.mu.Lock()
	defer u.mu.Unlock()
	if i >= len(u.forms) {
		u.t.Fatalf("no refresh #%d", i+1)
	}
	return u.forms[i]
}

func (u *upstream) refreshes() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.forms)
}

// start serves a proxy in front of u whose access token expires at expiry.
func start(t *testing.T, u *upstream, expiry time.Time) *httptest.Server {
	target, _ := url.Parse(u.ts.URL + "/mcp")
	p := &proxy{target: target}
	p.start(&tokens{tokenURL: u.ts.URL + "/token", clientID: "client-1", resource: target.String(),
		hc: u.ts.Client(), access: "at-0", refresh: "rt-0", expiry: expiry})
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	return ts
}

func post(t *testing.T, url, body string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const ping = `{"jsonrpc":"2.0","id":1,"method":"ping"}`

// The client's Host and Origin reach hostgate as sent, so that its
// DNS-rebinding checks judge them; the bearer token replaces whatever
// Authorization the client sent.
func TestForwardsHostOriginAndAddsBearer(t *testing.T) {
	u := newUpstream(t)
	ts := start(t, u, time.Now().Add(time.Hour))
	resp := post(t, ts.URL+"/mcp", ping, map[string]string{
		"Host": "evil.example.com", "Origin": "http://evil.example.com", "Authorization": "Bearer from-the-client",
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r, body := u.last()
	if r.Host != "evil.example.com" || r.Header.Get("Origin") != "http://evil.example.com" {
		t.Errorf("upstream saw Host %q Origin %q", r.Host, r.Header.Get("Origin"))
	}
	if got := r.Header.Get("Authorization"); got != "Bearer at-0" {
		t.Errorf("upstream saw Authorization %q", got)
	}
	if r.URL.Path != "/mcp" || body != ping {
		t.Errorf("upstream saw %s %q", r.URL.Path, body)
	}
}

// Server-sent events pass through as they come: the first event arrives
// while hostgate still holds the stream open.
func TestStreamsSSEUnbuffered(t *testing.T) {
	u := newUpstream(t)
	ts := start(t, u, time.Now().Add(time.Hour))
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/mcp", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	want := func(s string) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stream ended before %q", s)
				}
				if l == s {
					return
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %q within 5s: the proxy buffers the stream", s)
			}
		}
	}
	want("data: first")
	close(u.release)
	want("data: second")
}

// A token about to expire is refreshed first, with the resource indicator;
// the rotated refresh token is kept for the next refresh.
func TestRefreshesBeforeExpiry(t *testing.T) {
	u := newUpstream(t)
	target, _ := url.Parse(u.ts.URL + "/mcp")
	var offset atomic.Int64 // the fake clock's advance, in seconds
	now := time.Now()
	clock := func() time.Time { return now.Add(time.Duration(offset.Load()) * time.Second) }
	p := &proxy{target: target}
	src := &tokens{tokenURL: u.ts.URL + "/token", clientID: "client-1", resource: target.String(),
		hc: u.ts.Client(), access: "at-0", refresh: "rt-0", expiry: now.Add(20 * time.Second), now: clock}
	p.start(src)
	ts := httptest.NewServer(p)
	defer ts.Close()

	post(t, ts.URL+"/mcp", ping, nil)
	if r, _ := u.last(); r.Header.Get("Authorization") != "Bearer at-1" {
		t.Fatalf("upstream saw %q, want the refreshed token", r.Header.Get("Authorization"))
	}
	f := u.form(0)
	if f.Get("client_id") != "client-1" || f.Get("resource") != target.String() {
		t.Errorf("refresh form %v", f)
	}
	post(t, ts.URL+"/mcp", ping, nil)
	if n := u.refreshes(); n != 1 {
		t.Fatalf("%d refreshes for a fresh token", n)
	}
	offset.Store(3580)
	post(t, ts.URL+"/mcp", ping, nil)
	if r, _ := u.last(); r.Header.Get("Authorization") != "Bearer at-2" || u.form(1).Get("refresh_token") != "rt-1" {
		t.Fatalf("second refresh: upstream saw %q, form %v", r.Header.Get("Authorization"), u.form(1))
	}
}

// A token hostgate rejects is refreshed once, and the request replayed with
// its body; concurrent requests share one refresh.
func TestRefreshesAndRetriesAfterInvalidToken(t *testing.T) {
	u := newUpstream(t)
	u.rejected["at-0"] = true
	ts := start(t, u, time.Now().Add(time.Hour))
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ping"}`, i)
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/mcp", strings.NewReader(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(got) == body {
				ok.Add(1)
			} else {
				t.Errorf("status %d body %q", resp.StatusCode, got)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 10 || u.refreshes() != 1 {
		t.Fatalf("%d of 10 succeeded with %d refreshes, want 10 with 1", ok.Load(), u.refreshes())
	}
}

// Only /mcp is proxied; /healthz says whether the flow has completed, and
// /refresh renews the token at once.
func TestPathsAndReadiness(t *testing.T) {
	u := newUpstream(t)
	target, _ := url.Parse(u.ts.URL + "/mcp")
	p := &proxy{target: target}
	ts := httptest.NewServer(p)
	defer ts.Close()
	status := func(method, path string) int {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := status("GET", "/healthz"); s != 503 {
		t.Errorf("healthz before the flow: %d", s)
	}
	if s := status("POST", "/mcp"); s != 503 {
		t.Errorf("/mcp before the flow: %d", s)
	}
	if s := status("POST", "/refresh"); s != 503 {
		t.Errorf("/refresh before the flow: %d", s)
	}
	p.start(&tokens{tokenURL: u.ts.URL + "/token", hc: u.ts.Client(), access: "at-0", refresh: "rt-0", expiry: time.Now().Add(time.Hour)})
	if s := status("GET", "/healthz"); s != 200 {
		t.Errorf("healthz after the flow: %d", s)
	}
	if s := status("POST", "/refresh"); s != 200 || u.refreshes() != 1 {
		t.Errorf("/refresh: %d after %d refreshes", s, u.refreshes())
	}
	if s := status("POST", "/mcp"); s != 200 {
		t.Errorf("/mcp after the flow: %d", s)
	}
	if r, _ := u.last(); r.Header.Get("Authorization") != "Bearer at-1" {
		t.Errorf("after /refresh upstream saw %q", r.Header.Get("Authorization"))
	}
	if s := status("POST", "/token"); s != 404 {
		t.Errorf("/token through the proxy: %d", s)
	}
}

func TestAuthParam(t *testing.T) {
	c := `Bearer error="invalid_token", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp", scope="read write"`
	if got := authParam(c, "resource_metadata"); got != "http://h/.well-known/oauth-protected-resource/mcp" {
		t.Errorf("resource_metadata %q", got)
	}
	if got := authParam(c, "scope"); got != "read write" {
		t.Errorf("scope %q", got)
	}
	if got := authParam(`Bearer xscope="a"`, "scope"); got != "" {
		t.Errorf("matched inside another name: %q", got)
	}
}
