package connector_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// secretQuery stands for a token in a URL (Hostaway's revoke call): no
// error text may repeat it.
const secretQuery = "token=tok_secret_do_not_leak"

func sendSpec(timeout time.Duration) *connector.Spec {
	return &connector.Spec{Name: "acme", HTTP: connector.NewHTTPClient(timeout), Now: time.Now}
}

func get(t *testing.T, ctx context.Context, u string) *http.Request {
	t.Helper()
	req, err := connector.NewRequest(ctx, http.MethodGet, u+"/x?"+secretQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSendReturnsAnyStatusWithTheCommonHeaders(t *testing.T) {
	for _, status := range []int{200, 204, 302, 401, 404, 429, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("User-Agent") != connector.UserAgent || r.Header.Get("Accept") != "application/json" {
					t.Errorf("headers %v", r.Header)
				}
				w.Header().Set("Retry-After", "7")
				w.Header().Set("Location", "https://elsewhere.example/")
				w.WriteHeader(status)
				if status != 204 {
					_, _ = io.WriteString(w, `{"ok":true}`)
				}
			}))
			defer srv.Close()
			resp, err := connector.Send(context.Background(), sendSpec(5*time.Second), "acme", "list things", get(t, context.Background(), srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			wantBody := `{"ok":true}`
			if status == 204 {
				wantBody = ""
			}
			if resp.Status != status || string(resp.Body) != wantBody || resp.Header.Get("Retry-After") != "7" {
				t.Fatalf("response %+v", resp)
			}
		})
	}
}

// TestSendFailures: an exchange without a usable answer is ErrUnavailable
// (or the caller's own context error), and no error text repeats the URL.
func TestSendFailures(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	// reached carries the path of each request a handler holds, so that a
	// case cancels on its own request and never on one an earlier case left.
	reached := make(chan string, 16)
	mux := http.NewServeMux()
	// hang answers nothing until the test ends.
	mux.HandleFunc("/hang/", func(w http.ResponseWriter, r *http.Request) {
		reached <- r.URL.Path
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// stall sends the headers and part of the body, then nothing more.
	mux.HandleFunc("/stall/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"partial":`)
		w.(http.Flusher).Flush()
		reached <- r.URL.Path
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// short promises 100 bytes and ends the connection after 11.
	mux.HandleFunc("/short/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"partial":`)
	})
	// huge is one byte over the cap.
	mux.HandleFunc("/huge/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(make([]byte, connector.MaxBody+1))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens at its address any more

	// cancelWhenReached cancels once the server holds the request for base.
	cancelWhenReached := func(base string) func(context.Context) (context.Context, func()) {
		return func(ctx context.Context) (context.Context, func()) {
			ctx, cancel := context.WithCancel(ctx)
			go func() {
				for {
					select {
					case p := <-reached:
						if srv.URL+p == base+"/x" {
							cancel()
							return
						}
					case <-ctx.Done():
						return
					}
				}
			}()
			return ctx, cancel
		}
	}
	for _, tc := range []struct {
		name    string
		base    string
		timeout time.Duration
		ctx     func(context.Context) (context.Context, func())
		want    error
		status  int
		code    string
	}{
		{"connection refused", closed.URL, 5 * time.Second, nil, connector.ErrUnavailable, 0, "connection failed"},
		{"client timeout", srv.URL + "/hang", 100 * time.Millisecond, nil, connector.ErrUnavailable, 0, "timeout"},
		{"body cut short", srv.URL + "/short", 5 * time.Second, nil, connector.ErrUnavailable, 200, "unreadable response"},
		{"body over the cap", srv.URL + "/huge", 30 * time.Second, nil, connector.ErrUnavailable, 200, "unreadable response"},
		{"body times out", srv.URL + "/stall", 300 * time.Millisecond, nil, connector.ErrUnavailable, 200, "timeout"},
		{"cancelled before the answer", srv.URL + "/hang/1", 5 * time.Second, cancelWhenReached(srv.URL + "/hang/1"), context.Canceled, 0, ""},
		{"cancelled during the body", srv.URL + "/stall/1", 5 * time.Second, cancelWhenReached(srv.URL + "/stall/1"), context.Canceled, 0, ""},
		{"already cancelled", srv.URL + "/hang", 5 * time.Second, func(ctx context.Context) (context.Context, func()) {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return ctx, cancel
		}, context.Canceled, 0, ""},
		{"caller's deadline", srv.URL + "/hang", 5 * time.Second, func(ctx context.Context) (context.Context, func()) {
			return context.WithTimeout(ctx, 100*time.Millisecond)
		}, context.DeadlineExceeded, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.Background(), func() {}
			if tc.ctx != nil {
				ctx, cancel = tc.ctx(ctx)
			}
			defer cancel()
			_, err := connector.Send(ctx, sendSpec(tc.timeout), "acme", "list things", get(t, ctx, tc.base))
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			text := err.Error()
			if !strings.HasPrefix(text, "acme: list things: ") {
				t.Errorf("error %q does not name the vendor and operation", text)
			}
			u, _ := url.Parse(tc.base)
			if strings.Contains(text, secretQuery) || strings.Contains(text, u.Host) || strings.Contains(text, "/x") {
				t.Errorf("error %q repeats the URL", text)
			}
			if tc.code == "" {
				return
			}
			var ae *connector.APIError
			if !errors.As(err, &ae) || ae.Vendor != "acme" || ae.Op != "list things" || ae.Status != tc.status || ae.Code != tc.code {
				t.Fatalf("error %#v, want status %d, code %q", ae, tc.status, tc.code)
			}
		})
	}
}

func TestNewRequest(t *testing.T) {
	ctx := context.Background()
	req, err := connector.NewRequest(ctx, http.MethodGet, "https://api.example/v1/things", nil)
	if err != nil || req.Body != nil || req.ContentLength != 0 || req.Header.Get("Content-Type") != "" {
		t.Fatalf("no body: %+v, %v", req, err)
	}
	req, err = connector.NewRequest(ctx, http.MethodPost, "https://api.example/v1/things", []byte(`{"a":1}`))
	if err != nil || req.ContentLength != 7 || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("JSON body: %+v, %v", req, err)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != `{"a":1}` {
		t.Fatalf("body %q", b)
	}
	if req, err := connector.NewRequest(ctx, http.MethodPost, "https://api.example/v1/things", []byte{}); err != nil || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("empty, non-nil body: %+v, %v", req, err)
	}
	if _, err := connector.NewRequest(ctx, http.MethodGet, "http://a b/\x7f", nil); err == nil {
		t.Fatal("a bad URL built a request")
	}
}

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		base, path string
		q          url.Values
		want       string
	}{
		{"https://api.example/v3", "/properties", nil, "https://api.example/v3/properties"},
		{"https://api.example/v3/", "/properties", url.Values{}, "https://api.example/v3/properties"},
		{"https://api.example/v3//", "/properties", url.Values{"limit": {"100"}, "offset": {"0"}}, "https://api.example/v3/properties?limit=100&offset=0"},
		{"https://api.example", "/a b", url.Values{"q": {"x&y"}}, "https://api.example/a b?q=x%26y"},
	} {
		if got := connector.Endpoint(tc.base, tc.path, tc.q); got != tc.want {
			t.Errorf("Endpoint(%q, %q, %v) = %q, want %q", tc.base, tc.path, tc.q, got, tc.want)
		}
	}
}
