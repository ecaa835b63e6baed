package connector_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
)

// testAPI is a vendor API for the one request path's own tests: the token
// in X-Token, a refused token is a 401, failures carry {"message": …}.
type testAPI struct{}

func (testAPI) Authorize(req *http.Request, token string) { req.Header.Set("X-Token", token) }

func (testAPI) Read(resp connector.Response, out any) connector.Reply {
	if resp.OK() {
		return connector.JSONReply(resp.Status, resp.Body, out)
	}
	msg, _, _ := strings.Cut(strings.TrimPrefix(string(resp.Body), `{"message":"`), `"`)
	return connector.StatusReply(resp.Status, msg)
}

// hookedAPI adds the optional hooks, counting their calls.
type hookedAPI struct {
	testAPI
	prepared, checked atomic.Int32
	prepareErr        error
	refusalErr        error
	backoff           time.Duration
}

func (a *hookedAPI) Prepare(context.Context, connector.Request, connector.Credential) error {
	a.prepared.Add(1)
	return a.prepareErr
}

func (a *hookedAPI) CheckRefusal(context.Context, *connector.Client, connector.Request, connector.Credential) error {
	a.checked.Add(1)
	return a.refusalErr
}

func (a *hookedAPI) RateBackoff() time.Duration { return a.backoff }

// vendorServer answers each request with the next scripted status and
// message (the last one repeats), and records the tokens it was sent.
type vendorServer struct {
	*httptest.Server
	mu     sync.Mutex
	tokens []string
}

// sent is the tokens the server was sent, in order.
func (vs *vendorServer) sent() []string {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return append([]string(nil), vs.tokens...)
}

func serve(t *testing.T, script ...string) *vendorServer {
	t.Helper()
	vs := &vendorServer{}
	n := 0
	vs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vs.mu.Lock()
		vs.tokens = append(vs.tokens, r.Header.Get("X-Token"))
		step := script[min(n, len(script)-1)]
		n++
		vs.mu.Unlock()
		var status int
		var msg string
		fmt.Sscanf(step, "%d %s", &status, &msg)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "9")
		}
		w.WriteHeader(status)
		if status == 200 {
			fmt.Fprint(w, `{"ok":true}`)
			return
		}
		fmt.Fprintf(w, `{"message":"%s"}`, strings.ReplaceAll(msg, "_", " "))
	}))
	t.Cleanup(vs.Close)
	return vs
}

func clientSpec(base string) *connector.Spec {
	return &connector.Spec{Name: "acme", BaseURL: base, HTTP: connector.NewHTTPClient(5 * time.Second), Now: time.Now,
		OAuth: &connector.OAuth{ClientID: "hostgate", ClientSecret: "app-secret-0123456789"}}
}

var listThings = connector.Request{Op: "list things", Method: http.MethodGet, Path: "/things"}

func TestDoRenewsARefusedTokenOnceAndRetries(t *testing.T) {
	old := connector.Credential{AccessToken: "old-token-0123456789", RefreshToken: "refresh-0123456789"}
	fresh := connector.Credential{AccessToken: "new-token-0123456789"}
	renew := func(context.Context, connector.Credential) (connector.Credential, error) { return fresh, nil }
	for _, tc := range []struct {
		name      string
		script    []string
		src       *connectortest.Source
		want      error // nil: success
		notWant   error
		tokens    []string
		rejection int
	}{
		{"accepted", []string{"200"}, &connectortest.Source{Cred: old}, nil, nil, []string{old.AccessToken}, 0},
		{"refused, renewed, accepted", []string{"401", "200"}, &connectortest.Source{Cred: old, Renew: renew}, nil, nil,
			[]string{old.AccessToken, fresh.AccessToken}, 1},
		{"refused twice: the refusal", []string{"401 expired"}, &connectortest.Source{Cred: old, Renew: renew}, connector.ErrUnauthorized, nil,
			[]string{old.AccessToken, fresh.AccessToken}, 1},
		{"a source that cannot renew: the refusal", []string{"401"}, &connectortest.Source{Cred: old, RejectErr: connector.ErrUnauthorized},
			connector.ErrUnauthorized, nil, []string{old.AccessToken}, 1},
		{"the source's verdict", []string{"401"}, &connectortest.Source{Cred: old, RejectErr: fmt.Errorf("acme: %w", connector.ErrNeedsReauth)},
			connector.ErrNeedsReauth, nil, []string{old.AccessToken}, 1},
		{"a failed renewal is not the host's", []string{"401"}, &connectortest.Source{Cred: old, RejectErr: connector.ErrUnavailable},
			connector.ErrUnavailable, connector.ErrNeedsReauth, []string{old.AccessToken}, 1},
		{"not a refusal: no renewal", []string{"403"}, &connectortest.Source{Cred: old, Renew: renew}, connector.ErrForbidden, nil,
			[]string{old.AccessToken}, 0},
		{"rate limited without a retrier: no retry", []string{"429", "200"}, &connectortest.Source{Cred: old}, connector.ErrRateLimited, nil,
			[]string{old.AccessToken}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := serve(t, tc.script...)
			c := connector.NewClient(clientSpec(vs.URL), tc.src, testAPI{})
			var out struct{ OK bool }
			err := c.Do(context.Background(), listThings, &out)
			switch {
			case tc.want == nil && (err != nil || !out.OK):
				t.Fatalf("Do = %v, decoded %+v", err, out)
			case tc.want != nil && !errors.Is(err, tc.want), tc.notWant != nil && errors.Is(err, tc.notWant):
				t.Fatalf("Do = %v, want %v", err, tc.want)
			}
			if strings.Join(vs.sent(), " ") != strings.Join(tc.tokens, " ") || tc.src.Rejections() != tc.rejection {
				t.Errorf("tokens sent %v, %d rejections; want %v, %d", vs.sent(), tc.src.Rejections(), tc.tokens, tc.rejection)
			}
			connectortest.NoSecret(t, err, old.AccessToken, old.RefreshToken, fresh.AccessToken)
		})
	}
}

func TestDoHooks(t *testing.T) {
	cred := connector.Credential{AccessToken: "token-0123456789"}
	t.Run("Prepare runs before every attempt and can stop the call", func(t *testing.T) {
		vs := serve(t, "401", "200")
		api := &hookedAPI{}
		c := connector.NewClient(clientSpec(vs.URL), &connectortest.Source{Cred: cred}, api)
		if err := c.Do(context.Background(), listThings, nil); err != nil || api.prepared.Load() != 2 {
			t.Fatalf("Do = %v after %d Prepare calls, want 2", err, api.prepared.Load())
		}
		stop := errors.New("refused before calling")
		api.prepareErr = stop
		if err := c.Do(context.Background(), listThings, nil); !errors.Is(err, stop) || len(vs.sent()) != 2 {
			t.Fatalf("Do = %v after %d requests; want the hook's error, unsent", err, len(vs.sent()))
		}
	})
	t.Run("CheckRefusal looks before the source hears of it", func(t *testing.T) {
		vs := serve(t, "401")
		answer := connector.Invalid("acme", "list things", "read-only token")
		api := &hookedAPI{refusalErr: answer}
		src := &connectortest.Source{Cred: cred}
		c := connector.NewClient(clientSpec(vs.URL), src, api)
		if err := c.Do(context.Background(), listThings, nil); err != answer || api.checked.Load() != 1 || src.Rejections() != 0 {
			t.Fatalf("Do = %v, %d checks, %d rejections; want the checker's answer alone", err, api.checked.Load(), src.Rejections())
		}
	})
	t.Run("a RateRetrier retries a 429 once after its pause", func(t *testing.T) {
		vs := serve(t, "429", "429", "200")
		c := connector.NewClient(clientSpec(vs.URL), &connectortest.Source{Cred: cred}, &hookedAPI{backoff: time.Millisecond})
		err := c.Do(context.Background(), listThings, nil)
		var ae *connector.APIError
		if !errors.As(err, &ae) || !errors.Is(err, connector.ErrRateLimited) || ae.RetryAfter != 9*time.Second || len(vs.sent()) != 2 {
			t.Fatalf("Do = %v after %d requests; want the second 429 with its hint", err, len(vs.sent()))
		}
	})
	t.Run("the pause honours the caller", func(t *testing.T) {
		vs := serve(t, "429", "200")
		c := connector.NewClient(clientSpec(vs.URL), &connectortest.Source{Cred: cred}, &hookedAPI{backoff: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if err := c.Do(ctx, listThings, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Do = %v, want the caller's deadline", err)
		}
	})
	t.Run("without a token source nothing is authorized or renewed", func(t *testing.T) {
		vs := serve(t, "401")
		c := connector.NewClient(clientSpec(vs.URL), nil, &hookedAPI{})
		if err := c.Do(context.Background(), listThings, nil); !errors.Is(err, connector.ErrUnauthorized) || len(vs.sent()) != 1 || vs.sent()[0] != "" {
			t.Fatalf("Do = %v, tokens %q", err, vs.sent())
		}
	})
}

// TestDoRedactsEverySecretItKnows: the credential's tokens and client
// secret, hostgate's OAuth client secret and the request's own secrets are
// cut from the vendor's words by one rule.
func TestDoRedactsEverySecretItKnows(t *testing.T) {
	cred := connector.Credential{AccessToken: "access-0123456789", RefreshToken: "refresh-0123456789", ClientSecret: "apikey-0123456789"}
	code := "code-0123456789"
	echo := strings.Join([]string{cred.AccessToken, cred.RefreshToken, cred.ClientSecret, "app-secret-0123456789", code}, "_")
	vs := serve(t, "400 "+echo)
	c := connector.NewClient(clientSpec(vs.URL), connector.StaticSource(cred), testAPI{})
	r := listThings
	r.Secrets = []string{code}
	err := c.Do(context.Background(), r, nil)
	ae := connectortest.WantErr(t, err, connector.ErrBadRequest, strings.Split(echo, "_")...)
	if ae == nil || ae.Code != strings.Repeat("[redacted] ", 4)+"[redacted]" || ae.Status != 400 || ae.Vendor != "acme" || ae.Op != "list things" {
		t.Errorf("APIError = %+v", ae)
	}
}

func TestDoRetryAfterOnlyForACallerThatMayRetry(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   time.Duration
	}{{429, 9 * time.Second}, {503, 9 * time.Second}, {404, 0}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "9")
			w.WriteHeader(tc.status)
		}))
		c := connector.NewClient(clientSpec(srv.URL), nil, testAPI{})
		var ae *connector.APIError
		if err := c.Do(context.Background(), listThings, nil); !errors.As(err, &ae) || ae.RetryAfter != tc.want {
			t.Errorf("status %d: %v, want RetryAfter %s", tc.status, err, tc.want)
		}
		srv.Close()
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		secrets    []string
		want       string
	}{
		{"every occurrence", "abcdefgh and abcdefgh", []string{"abcdefgh"}, "[redacted] and [redacted]"},
		{"shorter than MinSecret is no secret", "the key x is bad", []string{"x", "", "key"}, "the key x is bad"},
		{"cut before shortening", strings.Repeat("a", 115) + "secret-0123456789", []string{"secret-0123456789"},
			strings.Repeat("a", 115) + "[reda…"},
		{"one line", "bad\ntoken", nil, "bad token"},
	} {
		if got := connector.Redact(tc.text, tc.secrets...); got != tc.want {
			t.Errorf("%s: Redact = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRenewalError(t *testing.T) {
	for _, tc := range []struct {
		err    error
		reauth bool
	}{
		{connector.NewError("acme", "refresh token", 401, connector.ErrUnauthorized, "invalid_grant"), true},
		{connector.NewError("acme", "refresh token", 403, connector.ErrForbidden, "unauthorized_client"), true},
		{connector.NewError("acme", "refresh token", 400, connector.ErrBadRequest, "invalid_request"), true},
		{connector.NewError("acme", "refresh token", 429, connector.ErrRateLimited, ""), false},
		{connector.NewError("acme", "refresh token", 503, connector.ErrUnavailable, ""), false},
		{connector.NewError("acme", "refresh token", 408, connector.ForStatus(408), ""), false},
		{connector.NewError("acme", "refresh token", 420, connector.ErrAccount, ""), false},
		{fmt.Errorf("acme: refresh token: %w", context.Canceled), false},
	} {
		err := connector.RenewalError(tc.err)
		if errors.Is(err, connector.ErrNeedsReauth) != tc.reauth || !errors.Is(err, tc.err) {
			t.Errorf("RenewalError(%v) = %v; needs reauth: want %v", tc.err, err, tc.reauth)
		}
	}
	if connector.RenewalError(nil) != nil {
		t.Error("RenewalError(nil) is not nil")
	}
}
