package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// testExclusive: a lock is held by one holder at a time, per name, and
// free again once released; releasing twice is harmless.
func testExclusive(t *testing.T, s store.Store) {
	ctx := context.Background()
	release, ok, err := s.TryExclusive(ctx, "sweep")
	if err != nil || !ok {
		t.Fatalf("first TryExclusive = %v, %v; want it taken", ok, err)
	}
	if r, ok, err := s.TryExclusive(ctx, "sweep"); err != nil || ok {
		if ok {
			r()
		}
		t.Fatalf("second TryExclusive while held = %v, %v; want refused", ok, err)
	}
	other, ok, err := s.TryExclusive(ctx, "refresh")
	if err != nil || !ok {
		t.Fatalf("TryExclusive of another name = %v, %v; want it taken", ok, err)
	}
	other()
	release()
	release()
	again, ok, err := s.TryExclusive(ctx, "sweep")
	if err != nil || !ok {
		t.Fatalf("TryExclusive after the release = %v, %v; want it taken", ok, err)
	}
	again()
}

// testSubscribe: a subscription starts, any change it delivers is one of
// the topics, and its channel closes when its context ends.
func testSubscribe(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, _ := seedGrant(t, s, "g1", "u1", "c1", time.Now())
	if err := s.RevokeGrant(context.Background(), g.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case c, open := <-ch:
			if !open {
				return
			}
			switch c.Topic {
			case store.TopicGrants, store.TopicConnections, store.TopicReset:
			default:
				t.Fatalf("change of unknown topic %q", c.Topic)
			}
		case <-deadline.C:
			t.Fatal("the subscription's channel did not close when its context ended")
		}
	}
}
