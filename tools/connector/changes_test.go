package connector_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

type ctxKey struct{}

// TestOnChange: the listener hears of a connect, a reconnect, a credential
// the vendor refuses (once, however often it is refused again) and a
// disconnect, each with the context of the request that made it and
// never with the credential.
func TestOnChange(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var got []connector.Change
	var from []any
	w.lc.OnChange(func(ctx context.Context, c connector.Change) {
		mu.Lock()
		defer mu.Unlock()
		got, from = append(got, c), append(from, ctx.Value(ctxKey{}))
	})
	conn := w.connect(t, ways[0]) // a Hostex personal token
	w.connect(t, ways[0])         // the same account again: a reconnect
	v := w.fake(t, "hostex")
	v.Fail(sandbox.Fault{Status: 401, Times: -1})
	ctx := context.WithValue(context.Background(), ctxKey{}, "check")
	for range 2 {
		if _, err := w.lc.Refresh(ctx, w.get(t, conn.ID)); !errors.Is(err, connector.ErrNeedsReauth) {
			t.Fatalf("Refresh: %v, want ErrNeedsReauth", err)
		}
	}
	v.ClearFaults()
	if _, err := w.lc.Disconnect(context.WithValue(context.Background(), ctxKey{}, "disconnect"), w.get(t, conn.ID)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind string
		from any
	}{
		{connector.ChangeConnected, nil},
		{connector.ChangeReconnected, nil},
		{connector.ChangeNeedsReauth, "check"},
		{connector.ChangeDisconnected, "disconnect"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes %+v, want %d", got, len(want))
	}
	for i, c := range got {
		if c.Kind != want[i].kind || from[i] != want[i].from || c.Conn.ID != conn.ID || c.Conn.Vendor != "hostex" || c.Conn.Secret != nil {
			t.Errorf("change %d = %+v (context %v), want %s from %v without the secret", i, c, from[i], want[i].kind, want[i].from)
		}
	}
	if got[2].Reason != "the vendor refused the saved token" || got[2].Conn.LastError != got[2].Reason {
		t.Errorf("needs_reauth reason %q", got[2].Reason)
	}
	if !got[3].Revoked {
		t.Error("the disconnect does not say the vendor revoked the token")
	}
}
