package connector_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// sealElsewhere stores a connection in the fixture's database through a
// second handle whose keyring the lifecycle's store does not hold: what a
// key retired too early, or a database moved under another key, leaves
// behind.
func sealElsewhere(t *testing.T, path string, c store.Connection) {
	t.Helper()
	ring, _ := store.NewKeyring("stranger", map[string][]byte{"stranger": []byte(strings.Repeat("s", 32))})
	other, err := sqlstore.Open(context.Background(), path, ring)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.CreateConnection(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// TestUnopenableConnectionNeedsReauth: a connection whose sealed credential
// does not open fails neither the host's list nor the background refresher.
// That one connection is marked needs_reauth, stored so, with an error that
// tells the host to reconnect it; the other connections carry on, and the
// host can still disconnect or reconnect it.
func TestUnopenableConnectionNeedsReauth(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	lost := store.Connection{ID: "c2", UserID: "u", Vendor: "hostex", AccountID: "b", Label: "lost", AuthKind: store.AuthOAuth,
		Secret: []byte(`{"access_token":"at-lost","refresh_token":"rt-lost"}`), AccessExpiresAt: now.Add(time.Minute),
		Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}
	sealElsewhere(t, f.store.Path(), lost)

	// Both expire within the window; the unopenable one first.
	f.clock.Advance(7*24*time.Hour - 10*time.Minute)
	if n := f.lc.RefreshExpiring(ctx, 15*time.Minute, 4); n != 1 {
		t.Fatalf("RefreshExpiring renewed %d connections, want the one that opens", n)
	}

	conns, err := f.store.ListConnections(ctx, "u")
	if err != nil {
		t.Fatalf("ListConnections with an unopenable row: %v", err)
	}
	if len(conns) != 2 {
		t.Fatalf("ListConnections = %d connections, want 2", len(conns))
	}
	for _, c := range conns {
		switch c.ID {
		case f.conn.ID:
			if c.Status != store.StatusOK || len(c.Secret) == 0 {
				t.Errorf("the connection that opens: status %s, %d secret bytes", c.Status, len(c.Secret))
			}
		case lost.ID:
			if c.Status != store.StatusNeedsReauth || len(c.Secret) != 0 {
				t.Errorf("the unopenable connection: status %s, %d secret bytes; want needs_reauth and none", c.Status, len(c.Secret))
			}
			if !strings.Contains(c.LastError, "decrypt") || !strings.Contains(c.LastError, "reconnect") {
				t.Errorf("the unopenable connection's last error %q does not say to reconnect it", c.LastError)
			}
			if strings.Contains(c.LastError, "lost") {
				t.Errorf("last error %q quotes the secret", c.LastError)
			}
		}
	}
	// The mark is stored: the refresher does not meet the row again.
	expiring, err := f.store.ListExpiringConnections(ctx, f.clock.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range expiring {
		if c.ID == lost.ID {
			t.Errorf("the marked connection is still listed as expiring: %+v", c)
		}
	}

	// Using it says the host must reconnect it; nothing is sent anywhere.
	c2, err := f.store.GetConnection(ctx, lost.ID)
	if err != nil {
		t.Fatalf("GetConnection of the unopenable row: %v", err)
	}
	if _, err := f.lc.Refresh(ctx, c2); !errors.Is(err, connector.ErrNeedsReauth) {
		t.Errorf("Refresh: %v, want ErrNeedsReauth", err)
	}
	if _, err := f.lc.Source(c2).Token(ctx); !errors.Is(err, connector.ErrNeedsReauth) {
		t.Errorf("Token: %v, want ErrNeedsReauth", err)
	}

	// The host reconnects it with a pasted token: it works again.
	fixed, err := f.lc.Connect(ctx, connector.Connect{UserID: "u", Vendor: "hostex", Kind: store.AuthToken,
		Values: map[string]string{"access_token": sandbox.HostexWritableToken}, Reconnect: lost.ID})
	if err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	if fixed.ID != lost.ID {
		t.Fatalf("reconnect made connection %s, want %s repaired in place", fixed.ID, lost.ID)
	}
	got, err := f.store.GetConnection(ctx, lost.ID)
	if err != nil || got.Status != store.StatusOK || len(got.Secret) == 0 || got.LastError != "" {
		t.Fatalf("after reconnect: %+v, %v", got, err)
	}
}

// TestDisconnectUnopenable: a connection whose credential does not open can
// still be disconnected (nothing to revoke at the vendor).
func TestDisconnectUnopenable(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	sealElsewhere(t, f.store.Path(), store.Connection{ID: "c2", UserID: "u", Vendor: "hostex", AccountID: "b",
		AuthKind: store.AuthToken, Secret: []byte(`{"access_token":"x"}`), Status: store.StatusOK, CreatedAt: now})
	c, err := f.store.GetConnection(ctx, "c2")
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if _, err := f.lc.Disconnect(ctx, c); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	if _, err := f.store.GetConnection(ctx, "c2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after Disconnect: %v, want ErrNotFound", err)
	}
}
