package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// BenchRotateRefresh measures refresh-token rotations per second on a
// backend: clients apps at once, each on its own grant, each presenting the
// refresh token its previous rotation issued, as apps refreshing do. It
// reports rotations/s. st must be a new, empty store.
func BenchRotateRefresh(b *testing.B, st store.Store, clients int) {
	ctx := b.Context()
	seedUser(b, st, "u1")
	type app struct{ client, refresh string }
	apps := make([]*app, clients)
	for i := range apps {
		c := fmt.Sprintf("c%d", i)
		seedClient(b, st, c)
		_, _, r := seedGrant(b, st, "g"+c, "u1", c, time.Now())
		apps[i] = &app{client: c, refresh: r.Hash}
	}
	var next, seq atomic.Int64
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, a := range apps {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				n := seq.Add(1)
				now := time.Now()
				access := tok(store.Hash(fmt.Sprintf("a%d", n)), store.KindAccess, now, time.Hour)
				refresh := tok(store.Hash(fmt.Sprintf("r%d", n)), store.KindRefresh, now, 30*24*time.Hour)
				if _, err := st.RotateRefresh(ctx, store.Rotation{OldHash: a.refresh, ClientID: a.client, Now: now,
					Grace: time.Minute, Access: access, Refresh: refresh}); err != nil {
					failed.Store(err.Error())
					return
				}
				a.refresh = refresh.Hash
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a rotation failed: %v", f)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "rotations/s")
}
