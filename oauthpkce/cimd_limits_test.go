package oauthpkce

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// tokenWithClient posts a refresh with a bogus token for client id from
// peer and returns the OAuth error code: invalid_grant means the client was
// found, invalid_client that it was not.
func tokenWithClient(t *testing.T, mux *http.ServeMux, peer, id string) string {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"hgr_bogus"}, "client_id": {id}}
	r := httptest.NewRequest(http.MethodPost, PathToken, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = peer
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	code, _ := out["error"].(string)
	return code
}

// TestMetadataLastGoodCopy (issue 10 item 5): when a known client's
// document cannot be refetched (its host blocks us, is down), the last
// good copy keeps serving; a document withdrawn (404) is not served.
func TestMetadataLastGoodCopy(t *testing.T) {
	clock := newTestClock()
	s, _, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true; c.Now = clock.Now })
	mux := http.NewServeMux()
	s.Mount(mux)
	d := newDocServer(t, false)
	var status atomic.Int64
	status.Store(http.StatusOK)
	id := d.URL + "/client.json"
	d.mux.HandleFunc("/client.json", func(w http.ResponseWriter, r *http.Request) {
		if c := int(status.Load()); c != http.StatusOK {
			w.WriteHeader(c)
			return
		}
		w.Header().Set("Cache-Control", "max-age=600")
		w.Write([]byte(metadataDoc(id, nil)))
	})
	if got := tokenWithClient(t, mux, "192.0.2.1:1", id); got != codeInvalidGrant {
		t.Fatalf("first use: %q, want invalid_grant (client found)", got)
	}
	for _, c := range []int{http.StatusForbidden, http.StatusServiceUnavailable} {
		status.Store(int64(c))
		clock.Advance(11 * time.Minute) // past max-age
		if got := tokenWithClient(t, mux, "192.0.2.1:1", id); got != codeInvalidGrant {
			t.Fatalf("refetch answered %d: %q, want the last good copy (invalid_grant)", c, got)
		}
	}
	hits := d.count("/client.json")
	if got := tokenWithClient(t, mux, "192.0.2.1:1", id); got != codeInvalidGrant || d.count("/client.json") != hits {
		t.Fatalf("right after a failed refetch: %q, %d fetches (want no new one)", got, d.count("/client.json")-hits)
	}
	status.Store(http.StatusNotFound)
	clock.Advance(11 * time.Minute)
	if got := tokenWithClient(t, mux, "192.0.2.1:1", id); got != codeInvalidClient {
		t.Fatalf("withdrawn document: %q, want invalid_client", got)
	}
}

// TestMetadataFetchLimitPerAddress (issue 10 item 5): one address cannot
// make hostgate fetch an unbounded number of documents.
func TestMetadataFetchLimitPerAddress(t *testing.T) {
	clock := newTestClock()
	s, _, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true; c.Now = clock.Now })
	mux := http.NewServeMux()
	s.Mount(mux)
	d := newDocServer(t, false)
	d.mux.HandleFunc("/n/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(metadataDoc(d.URL+r.URL.Path, nil)))
	})
	fetches := func() int {
		d.mu.Lock()
		defer d.mu.Unlock()
		n := 0
		for _, c := range d.hits {
			n += c
		}
		return n
	}
	for i := range 100 {
		tokenWithClient(t, mux, "198.51.100.7:1", d.URL+"/n/"+strconv.Itoa(i))
	}
	if n := fetches(); n > 2*metadataFetchesPerMinute {
		t.Fatalf("one address caused %d fetches", n)
	}
	before := fetches()
	if got := tokenWithClient(t, mux, "203.0.113.1:1", d.URL+"/n/other"); got != codeInvalidGrant || fetches() != before+1 {
		t.Fatalf("another address: %q", got)
	}
}
