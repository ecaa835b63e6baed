package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newOneClick(id string, expires time.Duration) store.OneClickCode {
	return store.OneClickCode{Hash: store.Hash(id), Vendor: "hospitable", Code: "code-of-" + id,
		CreatedAt: t0, ExpiresAt: at(expires)}
}

// testOneClickCodes: a record round-trips (its code only through Consume),
// is consumed once, and is swept once expired (strictly before now).
func testOneClickCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	want := newOneClick("oc1", 10*time.Minute)
	check(t, "CreateOneClickCode", s.CreateOneClickCode(ctx, want))
	wantErr(t, "CreateOneClickCode again", s.CreateOneClickCode(ctx, want), store.ErrExists)

	got, err := s.GetOneClickCode(ctx, want.Hash)
	check(t, "GetOneClickCode", err)
	noCode := want
	noCode.Code = ""
	same(t, "GetOneClickCode (without its code)", got, noCode)

	got, err = s.ConsumeOneClickCode(ctx, want.Hash)
	check(t, "ConsumeOneClickCode", err)
	same(t, "ConsumeOneClickCode", got, want)
	_, err = s.ConsumeOneClickCode(ctx, want.Hash)
	wantErr(t, "ConsumeOneClickCode again", err, store.ErrNotFound)
	_, err = s.GetOneClickCode(ctx, want.Hash)
	wantErr(t, "GetOneClickCode after consume", err, store.ErrNotFound)
	_, err = s.ConsumeOneClickCode(ctx, store.Hash("never"))
	wantErr(t, "ConsumeOneClickCode unknown", err, store.ErrNotFound)

	// Expiry: the sweep takes what expired before now and leaves a record
	// expiring exactly now and a live one.
	now := at(10 * time.Minute)
	old, edge, live := newOneClick("old", 5*time.Minute), newOneClick("edge", 10*time.Minute), newOneClick("live", 11*time.Minute)
	for _, c := range []store.OneClickCode{old, edge, live} {
		check(t, "CreateOneClickCode "+c.Code, s.CreateOneClickCode(ctx, c))
	}
	n, err := s.DeleteExpired(ctx, now)
	check(t, "DeleteExpired", err)
	if n != 1 {
		t.Errorf("DeleteExpired = %d rows, want 1", n)
	}
	_, err = s.GetOneClickCode(ctx, old.Hash)
	wantErr(t, "GetOneClickCode swept", err, store.ErrNotFound)
	for _, c := range []store.OneClickCode{edge, live} {
		got, err := s.ConsumeOneClickCode(ctx, c.Hash)
		check(t, "ConsumeOneClickCode after sweep "+c.Code, err)
		same(t, "ConsumeOneClickCode after sweep", got, c)
	}
}

// testConsumeOneClickCodeConcurrent: of many concurrent consumers of one
// record exactly one gets it (two confirmations of one page make one
// connection).
func testConsumeOneClickCodeConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newOneClick("oc", 10*time.Minute)
	check(t, "CreateOneClickCode", s.CreateOneClickCode(ctx, c))
	const n = 16
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, misses := 0, 0
	for range n {
		wg.Go(func() {
			<-start
			got, err := s.ConsumeOneClickCode(ctx, c.Hash)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && got.Code == c.Code:
				wins++
			case errors.Is(err, store.ErrNotFound):
				misses++
			default:
				t.Errorf("consume: %+v, %v", got, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 || misses != n-1 {
		t.Fatalf("%d won, %d missed; want exactly one winner", wins, misses)
	}
}
