package oauthpkce

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// TestRegisterRateLimitBehindProxy (issue 10 item 1): behind a trusted
// proxy every request comes from the proxy's address; registrations count
// against the client the proxy names, not one bucket for everyone.
func TestRegisterRateLimitBehindProxy(t *testing.T) {
	clock := newTestClock()
	s, _, _ := newTestServer(t, func(c *Config) {
		c.Now = clock.Now
		c.RegistrationsPerMinute = 1 // burst 2
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	mux := http.NewServeMux()
	s.Mount(mux)
	body := `{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none"}`
	reg := func(peer, forwarded string) int {
		r := httptest.NewRequest(http.MethodPost, PathRegister, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = peer
		if forwarded != "" {
			r.Header.Set("X-Forwarded-For", forwarded)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	for i := range 2 {
		if got := reg("10.0.0.1:3000", "198.51.100.1"); got != http.StatusCreated {
			t.Fatalf("registration %d: %d", i+1, got)
		}
	}
	if got := reg("10.0.0.1:3000", "203.0.113.5, 198.51.100.1"); got != http.StatusTooManyRequests {
		t.Fatalf("third from the same client, spoofed left entry: %d, want 429", got)
	}
	if got := reg("10.0.0.1:3000", "198.51.100.2"); got != http.StatusCreated {
		t.Fatalf("another client through the same proxy: %d, want 201", got)
	}
	// Not a trusted peer: its header is ignored.
	for range 2 {
		reg("192.0.2.1:1", "")
	}
	if got := reg("192.0.2.1:1", "198.51.100.3"); got != http.StatusTooManyRequests {
		t.Fatalf("untrusted peer escaped with X-Forwarded-For: %d", got)
	}
}

// tokenReq posts a token request from peer through the mounted handlers.
func tokenReq(mux *http.ServeMux, peer, form string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, PathToken, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = peer
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

// TestTokenRateLimit (issue 10 item 4): one address cannot send unlimited
// code or refresh-token guesses, and one client's failed grants are capped
// whichever addresses they come from; the answer is 429 with Retry-After
// and an OAuth error body, and other addresses and clients are unaffected.
func TestTokenRateLimit(t *testing.T) {
	clock := newTestClock()
	s, _, _ := newTestServer(t, func(c *Config) { c.Now = clock.Now; c.RegistrationsPerMinute = 1000 })
	mux := http.NewServeMux()
	s.Mount(mux)
	newClient := func() string {
		r := httptest.NewRequest(http.MethodPost, PathRegister, strings.NewReader(`{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"]}`))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		var out struct {
			ClientID string `json:"client_id"`
		}
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &out) != nil {
			t.Fatalf("register: %d %s", w.Code, w.Body)
		}
		return out.ClientID
	}
	victim, other := newClient(), newClient()
	guess := func(client string, i int) string {
		return "grant_type=refresh_token&refresh_token=hgr_guess" + strconv.Itoa(i) + "&client_id=" + client
	}

	// One address, rotating clients: limited by address.
	const attacker = "198.51.100.7:1234"
	limited := -1
	for i := range 1000 {
		w := tokenReq(mux, attacker, guess(newClientID(i), i))
		if w.Code == http.StatusTooManyRequests {
			limited = i
			var e map[string]any
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e["error"] != codeTemporarilyUnavailable || w.Header().Get("Retry-After") == "" {
				t.Fatalf("429 without an OAuth error or Retry-After: %v %s", w.Header(), w.Body)
			}
			break
		}
	}
	if limited < 0 || limited > 200 {
		t.Fatalf("one address was limited after %d requests, want within 200", limited)
	}
	if w := tokenReq(mux, "203.0.113.1:1", guess(other, 0)); w.Code == http.StatusTooManyRequests {
		t.Fatal("another address is limited by the first one's bucket")
	}

	// One client, rotating addresses: its failures are limited.
	limited = -1
	for i := range 1000 {
		peer := "[2001:db8:" + strconv.FormatInt(int64(i), 16) + "::1]:443"
		if w := tokenReq(mux, peer, guess(victim, i)); w.Code == http.StatusTooManyRequests {
			limited = i
			break
		}
	}
	if limited < 0 || limited > 100 {
		t.Fatalf("one client's guesses were limited after %d, want within 100", limited)
	}
	if w := tokenReq(mux, "203.0.113.2:1", guess(other, 1)); w.Code == http.StatusTooManyRequests {
		t.Fatal("another client is limited by the first one's failures")
	}
}

func newClientID(i int) string { return "hgc_unknown_" + strconv.Itoa(i) }
