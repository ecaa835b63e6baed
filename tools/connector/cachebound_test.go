package connector

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestCacheByteBound: past its byte budget the least recently used entry
// goes first, and a value larger than a share of the budget is not kept.
func TestCacheByteBound(t *testing.T) {
	big := func(n int) func(context.Context) ([]string, error) {
		return func(context.Context) ([]string, error) { return []string{string(make([]byte, n))}, nil }
	}
	one := sizeOf([]string{string(make([]byte, 1000))}) + entryOverhead
	budget := 10*one + one/2
	c := NewCache(budget, nil)
	key := func(i int) CacheKey { return CacheKey{Conn: "c1", Kind: KindProperties, Args: fmt.Sprint(i)} }
	for i := range 10 {
		Cached(context.Background(), c, key(i), false, big(1000))
	}
	if n, b := c.Stats(); n != 10 || b != 10*one {
		t.Fatalf("%d entries, %d bytes; want 10 of %d", n, b, one)
	}
	Cached(context.Background(), c, key(0), false, big(1000)) // 0 is now the most recent
	Cached(context.Background(), c, key(10), false, big(1000))
	if n, b := c.Stats(); n != 10 || b > budget {
		t.Fatalf("%d entries, %d bytes over a budget of %d", n, b, budget)
	}
	var f counted
	if v, _ := read(t, c, key(1), false, &f); v[0] != "1" {
		t.Fatal("the least recently used entry was kept")
	}
	if _, _, err := Cached(context.Background(), c, key(0), false, func(context.Context) ([]string, error) {
		t.Error("a recently used entry was evicted")
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	// A value over an eighth of the budget is not kept.
	Cached(context.Background(), c, key(99), false, big(int(2*one)))
	if v, _ := read(t, c, key(99), false, &f); v[0] != "2" {
		t.Fatalf("a value over a share of the budget was kept: %v", v[0][:min(len(v[0]), 8)])
	}
	off := NewCache(0, nil)
	read(t, off, key(0), false, &f)
	if n, _ := off.Stats(); n != 0 {
		t.Fatalf("a cache of 0 bytes keeps %d entries", n)
	}
}

func TestSizeOf(t *testing.T) {
	lat := 1.5
	props := []Property{{ID: "hostex:1", Vendor: "hostex", Name: "Loft", Latitude: &lat, Channels: []string{"airbnb"}}}
	small, large := sizeOf(props), sizeOf(append(props, props[0], props[0]))
	if small < int64(len("hostex:1Loft")) || large <= 2*small {
		t.Fatalf("sizes %d and %d do not grow with the value", small, large)
	}
	if n := sizeOf([]Message{{Body: string(make([]byte, 4000)), SentAt: time.Now()}}); n < 4000 || n > 5000 {
		t.Fatalf("a 4,000-byte message is estimated at %d", n)
	}
}

// TestCacheConcurrentUse runs reads, fresh reads, invalidations and drops
// of a few keys at once, for the race detector.
func TestCacheConcurrentUse(t *testing.T) {
	c := NewCache(4096, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 200 {
				key := CacheKey{Conn: fmt.Sprint("c", j%3), Kind: KindMessages, Subject: fmt.Sprint(j % 5)}
				switch (i + j) % 7 {
				case 0:
					c.Invalidate(key.Conn, KindMessages, key.Subject)
				case 1:
					c.Drop(key.Conn)
				default:
					v, _, err := Cached(context.Background(), c, key, j%4 == 0, func(context.Context) ([]string, error) {
						return []string{key.Conn, key.Subject}, nil
					})
					if err != nil || v[0] != key.Conn || v[1] != key.Subject {
						t.Errorf("%+v read %v, %v", key, v, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if _, b := c.Stats(); b > 4096 {
		t.Fatalf("%d bytes kept over a budget of 4096", b)
	}
}
