package oauthpkce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// docServer serves client-ID metadata documents and counts requests per path.
type docServer struct {
	*httptest.Server
	mux  *http.ServeMux
	mu   sync.Mutex
	hits map[string]int
}

func newDocServer(t *testing.T, tls bool) *docServer {
	d := &docServer{mux: http.NewServeMux(), hits: map[string]int{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.hits[r.URL.Path]++
		d.mu.Unlock()
		d.mux.ServeHTTP(w, r)
	})
	if tls {
		d.Server = httptest.NewTLSServer(h)
	} else {
		d.Server = httptest.NewServer(h)
	}
	t.Cleanup(d.Close)
	return d
}

func (d *docServer) count(path string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits[path]
}

// serve answers path with body and the given Cache-Control.
func (d *docServer) serve(path, cacheControl, body string) {
	d.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	})
}

// metadataDoc is a valid document for id, changed by mod.
func metadataDoc(id string, mod func(m map[string]any)) string {
	m := map[string]any{
		"client_id":                  id,
		"client_name":                "Doc Client",
		"redirect_uris":              []string{"http://127.0.0.1:7777/callback", "https://doc.example/cb"},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"token_endpoint_auth_method": "none",
	}
	if mod != nil {
		mod(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestLookupClientMetadataDocument(t *testing.T) {
	clock := newTestClock()
	s, st, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true; c.Now = clock.Now })
	d := newDocServer(t, false)
	ctx := context.Background()

	id := d.URL + "/client.json"
	d.serve("/client.json", "public, max-age=3600", metadataDoc(id, nil))
	c, err := s.lookupClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != id || c.MetadataURL != id || c.Name != "Doc Client" || c.AuthMethod != "none" || len(c.RedirectURIs) != 2 ||
		!c.MetadataExpiresAt.Equal(clock.Now().Add(time.Hour)) {
		t.Fatalf("client %+v", c)
	}
	stored, err := st.GetClient(ctx, id)
	if err != nil || stored.MetadataURL != id || !stored.MetadataExpiresAt.Equal(c.MetadataExpiresAt) {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	tests := []struct {
		name, path, cacheControl string
		body                     func(id string) string
		status                   int
		descHas                  string
	}{
		{"client_id differs from the URL", "/mismatch", "", func(id string) string { return metadataDoc(id+"x", nil) }, 0, "client_id"},
		{"client_id of another document", "/other", "", func(string) string { return metadataDoc(d.URL+"/client.json", nil) }, 0, "client_id"},
		{"larger than 5 KB", "/large", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { m["software_id"] = strings.Repeat("x", maxMetadataDocument) })
		}, 0, "larger"},
		{"bad JSON", "/badjson", "", func(string) string { return `{"client_id": ` }, 0, "JSON"},
		{"JSON but not an object", "/array", "", func(string) string { return `["x"]` }, 0, "JSON"},
		{"missing redirect_uris", "/noredirect", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { delete(m, "redirect_uris") })
		}, 0, "redirect_uris"},
		{"missing client_name", "/noname", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { delete(m, "client_name") })
		}, 0, "client_name"},
		{"javascript redirect URI", "/jsredirect", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { m["redirect_uris"] = []string{"javascript:alert(1)"} })
		}, 0, "javascript"},
		{"confidential auth method", "/basic", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { m["token_endpoint_auth_method"] = "client_secret_basic" })
		}, 0, "none"},
		{"private_key_jwt", "/jwt", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { m["token_endpoint_auth_method"] = "private_key_jwt" })
		}, 0, "none"},
		{"client_secret in the document", "/secret", "", func(id string) string {
			return metadataDoc(id, func(m map[string]any) { m["client_secret"] = "s3cret" })
		}, 0, "client_secret"},
		{"not found", "/missing", "", nil, http.StatusNotFound, "404"},
		{"server error", "/broken", "", nil, http.StatusInternalServerError, "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := d.URL + tt.path
			if tt.body != nil {
				d.serve(tt.path, tt.cacheControl, tt.body(id))
			} else {
				d.mux.HandleFunc(tt.path, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.status) })
			}
			_, err := s.lookupClient(ctx, id)
			if !errors.Is(err, errClientMetadata) {
				t.Fatalf("err = %v, want errClientMetadata", err)
			}
			if !strings.Contains(err.Error(), tt.descHas) || !strings.HasPrefix(err.Error(), `"`+id+`"`) {
				t.Fatalf("error %q should name the URL and mention %q", err, tt.descHas)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatal("the error repeats document content")
			}
			if _, err := st.GetClient(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a bad document was stored: %v", err)
			}
		})
	}

	t.Run("redirect not followed", func(t *testing.T) {
		id := d.URL + "/redirect"
		d.mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/client.json", http.StatusFound)
		})
		before := d.count("/client.json")
		_, err := s.lookupClient(ctx, id)
		if !errors.Is(err, errClientMetadata) || !strings.Contains(err.Error(), "redirect") {
			t.Fatalf("err = %v", err)
		}
		if d.count("/client.json") != before {
			t.Fatal("the redirect was followed")
		}
	})

	t.Run("larger than 5 KB without Content-Length", func(t *testing.T) {
		id := d.URL + "/chunked"
		d.mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"client_id":"` + id + `","x":"`))
			w.(http.Flusher).Flush() // chunked: the size is unknown up front
			w.Write([]byte(strings.Repeat("x", maxMetadataDocument)))
		})
		if _, err := s.lookupClient(ctx, id); !errors.Is(err, errClientMetadata) || !strings.Contains(err.Error(), "larger") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestLookupClientIDForms(t *testing.T) {
	s, st, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true })
	ctx := context.Background()
	if err := st.CreateClient(ctx, store.Client{ID: "dcr-client", Name: "DCR", RedirectURIs: []string{"https://a.example/cb"},
		AuthMethod: "none", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.lookupClient(ctx, "dcr-client"); err != nil || c.Name != "DCR" {
		t.Fatalf("registered client: %+v, %v", c, err)
	}
	tests := []struct {
		name, id string
		want     error
	}{
		{"unknown registered id", "no-such-client", store.ErrNotFound},
		{"empty id", "", store.ErrNotFound},
		{"over-long id", strings.Repeat("a", maxClientIDLen+1), store.ErrNotFound},
		{"http on a public host", "http://client.example/doc.json", errClientMetadata},
		{"no path", "https://client.example", errClientMetadata},
		{"root path", "https://client.example/", errClientMetadata},
		{"userinfo", "https://u@client.example/doc.json", errClientMetadata},
		{"fragment", "https://client.example/doc.json#x", errClientMetadata},
		{"query", "https://client.example/doc.json?v=1", errClientMetadata},
		{"dot segment", "https://client.example/a/../doc.json", errClientMetadata},
		{"single dot segment", "https://client.example/./doc.json", errClientMetadata},
		{"other scheme", "ftp://client.example/doc.json", errClientMetadata},
		{"urn", "urn:example:client", errClientMetadata},
		{"too long", "https://client.example/" + strings.Repeat("a", maxClientIDURL), errClientMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.lookupClient(ctx, tt.id); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestLookupClientCache(t *testing.T) {
	clock := newTestClock()
	s, st, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true; c.Now = clock.Now })
	d := newDocServer(t, false)
	ctx := context.Background()
	id := d.URL + "/cached.json"
	d.serve("/cached.json", "max-age=600", metadataDoc(id, nil))

	lookup := func(wantHits int) store.Client {
		t.Helper()
		c, err := s.lookupClient(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.count("/cached.json"); got != wantHits {
			t.Fatalf("%d fetches, want %d", got, wantHits)
		}
		return c
	}
	first := lookup(1)
	lookup(1) // fresh: from the store
	if err := st.TouchClient(ctx, id, clock.Now()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10*time.Minute - time.Second)
	lookup(1)
	clock.Advance(time.Second) // max-age reached
	again := lookup(2)
	if !again.CreatedAt.Equal(first.CreatedAt) || again.LastUsedAt.IsZero() {
		t.Fatalf("refresh lost created/last-used times: %+v", again)
	}
	if !again.MetadataExpiresAt.Equal(clock.Now().Add(10 * time.Minute)) {
		t.Fatalf("expiry %v", again.MetadataExpiresAt)
	}
	lookup(2)
}

func TestCacheTTL(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   time.Duration
	}{
		{"no header: minimum", nil, metadataMinTTL},
		{"max-age", []string{"max-age=3600"}, time.Hour},
		{"with other directives", []string{"public, max-age=1800, must-revalidate"}, 30 * time.Minute},
		{"quoted and uppercase", []string{`MAX-AGE="900"`}, 15 * time.Minute},
		{"below the minimum", []string{"max-age=10"}, metadataMinTTL},
		{"zero", []string{"max-age=0"}, metadataMinTTL},
		{"above the maximum", []string{"max-age=9999999999999"}, metadataMaxTTL},
		{"no-store", []string{"no-store, max-age=3600"}, metadataMinTTL},
		{"no-cache in a second header", []string{"max-age=3600", "no-cache"}, metadataMinTTL},
		{"malformed", []string{"max-age=soon"}, metadataMinTTL},
		{"negative", []string{"max-age=-5"}, metadataMinTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Cache-Control": tt.values}
			if got := cacheTTL(h); got != tt.want {
				t.Fatalf("cacheTTL(%q) = %v, want %v", tt.values, got, tt.want)
			}
		})
	}
}

// Concurrent lookups of one URL make one request.
func TestLookupClientDeduplicatesFetches(t *testing.T) {
	s, _, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true })
	d := newDocServer(t, false)
	id := d.URL + "/slow.json"
	release := make(chan struct{})
	d.mux.HandleFunc("/slow.json", func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write([]byte(metadataDoc(id, nil)))
	})
	const n = 8
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range n {
		wg.Go(func() {
			if c, err := s.lookupClient(context.Background(), id); err == nil && c.ID == id {
				ok.Add(1)
			}
		})
	}
	waitFor(t, func() bool {
		s.metadata.mu.Lock()
		defer s.metadata.mu.Unlock()
		call := s.metadata.calls[id]
		return call != nil && call.waiters == n-1
	})
	close(release)
	wg.Wait()
	if ok.Load() != n || d.count("/slow.json") != 1 {
		t.Fatalf("%d of %d lookups succeeded with %d fetches, want all with 1", ok.Load(), n, d.count("/slow.json"))
	}
}

// A waiting lookup gives up when its own context ends.
func TestLookupClientHonoursCancellation(t *testing.T) {
	s, _, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true })
	d := newDocServer(t, false)
	id := d.URL + "/hang.json"
	release := make(chan struct{})
	defer close(release)
	d.mux.HandleFunc("/hang.json", func(w http.ResponseWriter, r *http.Request) { <-release })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := s.lookupClient(ctx, id); errc <- err }()
	waitFor(t, func() bool { return d.count("/hang.json") == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// waitFor yields until cond holds, failing the test after a generous bound.
// It synchronizes on observable state, not on elapsed time.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		runtime.Gosched()
	}
}
