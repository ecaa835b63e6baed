package oauthpkce

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestServeJSON: the adapter of the token, revocation and registration
// endpoints writes every failure as an OAuth JSON error with no-store, one
// row per kind of failure; an internal failure is logged, never shown.
func TestServeJSON(t *testing.T) {
	var logs strings.Builder
	s, _, _ := newTestServer(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	limited := errorf(http.StatusTooManyRequests, codeTemporarilyUnavailable, "later")
	limited.retryAfter = 1500 * time.Millisecond
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		body       string
		authHeader string // WWW-Authenticate
		retryAfter string
	}{
		{name: "success is the handler's", err: nil, status: 200, body: "ok"},
		{name: "OAuth error", err: badRequest(codeInvalidGrant, "the code is unknown or expired"), status: 400,
			body: `{"error":"invalid_grant","error_description":"the code is unknown or expired"}`},
		{name: "wrapped OAuth error", err: errors.Join(errors.New("context"), badRequest(codeInvalidRequest, "x")), status: 400,
			body: `{"error":"invalid_request","error_description":"x"}`},
		{name: "client that tried Basic", err: invalidClient(true), status: 401, authHeader: `Basic realm="hostgate"`,
			body: `{"error":"invalid_client","error_description":"client authentication failed"}`},
		{name: "client that did not try Basic", err: invalidClient(false), status: 401,
			body: `{"error":"invalid_client","error_description":"client authentication failed"}`},
		{name: "rate limited", err: limited, status: 429, retryAfter: "2",
			body: `{"error":"temporarily_unavailable","error_description":"later"}`},
		{name: "internal failure", err: errors.New("get token: database is locked by hgr_secret"), status: 500,
			body: `{"error":"server_error"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := s.serveJSON(func(w http.ResponseWriter, r *http.Request) error {
				if tc.err == nil {
					_, _ = w.Write([]byte("ok"))
				}
				return tc.err
			})
			w := httptest.NewRecorder()
			h(w, httptest.NewRequest(http.MethodPost, PathToken, nil))
			if w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.body {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, tc.status, tc.body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tc.authHeader {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.authHeader)
			}
			if got := w.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			if tc.err != nil && w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", w.Header().Get("Cache-Control"))
			}
		})
	}
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("the internal failure was not logged:\n%s", logs.String())
	}
}

// TestServePage: the adapter of the authorization and consent endpoints
// shows a page for everything but an error for a checked client, which
// goes back to its redirect URI with state and iss.
func TestServePage(t *testing.T) {
	s, _, ts := newTestServer(t, nil)
	checked := authRequest{State: "st-1", redirect: "http://127.0.0.1:5000/cb?keep=1"}
	for _, tc := range []struct {
		name     string
		err      error
		status   int
		location string
		body     string
	}{
		{name: "error for the client", err: toClient(checked, badRequest(codeAccessDenied, "no")), status: http.StatusSeeOther,
			location: "http://127.0.0.1:5000/cb?error=access_denied&error_description=no&iss=" + url.QueryEscape(ts.URL) + "&keep=1&state=st-1"},
		{name: "page error", err: &pageError{Status: http.StatusForbidden, Title: "You are signed out", Message: "Start again."},
			status: http.StatusForbidden, body: "You are signed out"},
		{name: "unparsable redirect shows a page", err: toClient(authRequest{redirect: "http://[::1"}, badRequest(codeAccessDenied, "no")),
			status: http.StatusBadRequest, body: "The redirect address cannot be parsed."},
		{name: "internal failure", err: errors.New("put approval: disk full"), status: http.StatusInternalServerError,
			body: "hostgate could not finish this step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.servePage(func(http.ResponseWriter, *http.Request) error { return tc.err })(w, httptest.NewRequest(http.MethodGet, PathAuthorize, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if got := w.Header().Get("Location"); got != tc.location {
				t.Fatalf("Location %q, want %q", got, tc.location)
			}
			if !strings.Contains(w.Body.String(), tc.body) || strings.Contains(w.Body.String(), "disk full") {
				t.Fatalf("body:\n%s", w.Body)
			}
			if tc.location == "" && !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}
