package oauthpkce

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

const day = 24 * time.Hour

// TestDocumentClientGrowthBounded (issue 10 item 5): every distinct
// client_id URL sent to hostgate stores a client; those that never get a
// token are gone a day later, so what such requests pile up is bounded by
// one day of fetches, not by how long hostgate has run.
func TestDocumentClientGrowthBounded(t *testing.T) {
	clock := newTestClock()
	s, st, _ := newTestServer(t, func(c *Config) { c.AllowLoopbackMetadata = true; c.Now = clock.Now })
	mux := http.NewServeMux()
	s.Mount(mux)
	d := newDocServer(t, false)
	d.mux.HandleFunc("/n/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(metadataDoc(d.URL+r.URL.Path, nil)))
	})
	ctx := context.Background()
	id := func(i int) string { return d.URL + "/n/" + strconv.Itoa(i) }
	// From many addresses, so the per-address fetch limit does not stop them.
	const flood = 60
	for i := range flood {
		if got := tokenWithClient(t, mux, "198.51.100."+strconv.Itoa(i)+":1", id(i)); got != codeInvalidGrant {
			t.Fatalf("client %d: %q, want invalid_grant (client stored)", i, got)
		}
	}
	for i := range flood {
		if _, err := st.GetClient(ctx, id(i)); err != nil {
			t.Fatalf("client %d not stored: %v", i, err)
		}
	}
	if n, err := s.SweepDocumentClients(ctx); err != nil || n != 0 {
		t.Fatalf("sweep right away: %d, %v; want nothing deleted", n, err)
	}
	clock.Advance(documentClientUnused + time.Minute)
	if got := tokenWithClient(t, mux, "203.0.113.9:1", id(flood)); got != codeInvalidGrant {
		t.Fatalf("a new client: %q", got)
	}
	n, err := s.SweepDocumentClients(ctx)
	if err != nil || n != flood {
		t.Fatalf("sweep a day later: %d, %v; want %d deleted", n, err, flood)
	}
	for i := range flood {
		if _, err := st.GetClient(ctx, id(i)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("client %d survived the sweep: %v", i, err)
		}
	}
	if _, err := st.GetClient(ctx, id(flood)); err != nil {
		t.Fatalf("the client fetched within the day was deleted: %v", err)
	}
}

// docFixture is a fixture whose documents live on a loopback server, and
// the client its document describes.
func docFixture(t *testing.T, mod func(*Config)) (*fixture, store.Client) {
	t.Helper()
	f := newFixture(t, func(c *Config) {
		c.AllowLoopbackMetadata = true
		if mod != nil {
			mod(c)
		}
	})
	d := newDocServer(t, false)
	id := d.URL + "/client.json"
	d.serve("/client.json", "max-age=3600", metadataDoc(id, nil))
	return f, store.Client{ID: id, RedirectURIs: []string{"http://127.0.0.1:7777/callback"}, AuthMethod: "none"}
}

// TestAbandonedDocumentClientExpires (issue 10 item 5): a document client
// whose grants are all dead and that got no token for 30 days is deleted
// with its approval; when it comes back, its document is fetched again and
// the host is asked again.
func TestAbandonedDocumentClientExpires(t *testing.T) {
	f, c := docFixture(t, nil)
	ctx := context.Background()
	f.grant(f.hostBrowser(), c, "read")
	// The refresh token (30 days) keeps the grant, and so the client, alive.
	f.advance(29 * day)
	if n, err := f.s.SweepDocumentClients(ctx); err != nil || n != 0 {
		t.Fatalf("sweep at 29 days: %d, %v; want nothing deleted", n, err)
	}
	f.advance(2 * day)
	if n, err := f.s.SweepDocumentClients(ctx); err != nil || n != 1 {
		t.Fatalf("sweep at 31 days: %d, %v; want the client deleted", n, err)
	}
	if _, err := f.st.GetClient(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("abandoned client still stored: %v", err)
	}
	if _, err := f.st.GetApproval(ctx, f.host.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("its approval survived: %v", err)
	}
	// It comes back: the consent page again, then tokens as before.
	b := f.hostBrowser()
	if r := f.authorize(b, f.authReq(c, "read").v); r.StatusCode != http.StatusOK {
		t.Fatalf("returning client: status %d, want the consent page:\n%s", r.StatusCode, r.body)
	}
	f.grant(b, c, "read")
}

// TestDocumentClientWithLiveGrantKept (issue 10 item 5): however long a
// document client has been idle, a grant it can still use keeps it; once
// the host revokes the grant, the next sweep deletes it.
func TestDocumentClientWithLiveGrantKept(t *testing.T) {
	f, c := docFixture(t, func(c *Config) { c.RefreshTTL = 60 * day })
	ctx := context.Background()
	tr := f.grant(f.hostBrowser(), c, "read")
	f.advance(45 * day)
	if n, err := f.s.SweepDocumentClients(ctx); err != nil || n != 0 {
		t.Fatalf("sweep with a live grant: %d, %v; want nothing deleted", n, err)
	}
	if _, err := f.st.GetClient(ctx, c.ID); err != nil {
		t.Fatalf("client with a live grant deleted: %v", err)
	}
	if err := f.s.RevokeClient(ctx, f.host.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.SweepDocumentClients(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after the host revoked it: %d, %v; want the client deleted", n, err)
	}
	wantError(t, f.token(refreshForm(c, tr.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
}
