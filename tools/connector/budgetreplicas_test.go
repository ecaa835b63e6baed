package connector_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/hostex"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// hostexBudgetWorld is the sandbox Hostex, with its rate limits on, on a
// stopped clock the test moves.
type hostexBudgetWorld struct {
	clock *connectortest.Clock
	hx    *sandbox.Vendor
}

func newHostexBudgetWorld(t *testing.T) *hostexBudgetWorld {
	t.Helper()
	w := &hostexBudgetWorld{clock: connectortest.NewClock(time.Now().UTC())}
	sb, err := sandbox.Start(sandbox.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	w.hx = sb.Hostex
	w.hx.SetRateLimiting(true)
	return w
}

// replica is one hostgate process's Hostex: its own Spec and Budget on the
// world's clock, sharing its per-account limits in counts when set.
func (w *hostexBudgetWorld) replica(t *testing.T, counts *testdb.DB, budget bool) *connector.Spec {
	t.Helper()
	s := connectortest.PointAt(hostex.NewSpec(), w.hx, w.clock.Now)
	if !budget {
		s.Budget = nil
		return s
	}
	// The clock only moves when the test moves it: a refused request
	// fails at once rather than waiting on the wall clock for nothing.
	s.Budget.Now, s.Budget.MaxWait = w.clock.Now, time.Nanosecond
	if counts != nil {
		s.Budget.Share(counts.Open(t, ring()), quiet)
		if !s.Budget.Shared() {
			t.Fatal("Hostex's budget did not take the shared counts")
		}
		// Hundreds of takes at once on one account queue for its lock
		// (on SQLite, for the one writer): past the production bound of
		// a second, on a busy machine, the budget would count locally.
		connector.SetSharedTimeout(s.Budget, time.Minute)
	}
	return s
}

// checkBurst makes n checks at once (one GET /properties each) with
// token, check i through replica i mod len(specs), and returns how many
// the vendor answered and how many hostgate's budget refused before
// sending. The vendor's own refusals are in its RateLimited.
func checkBurst(t *testing.T, specs []*connector.Spec, token string, n int) (sent, refused int) {
	t.Helper()
	errs := make([]error, n)
	begin := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		s := specs[i%len(specs)]
		c := s.New(s, connector.StaticSource{AccessToken: token})
		wg.Go(func() {
			<-begin
			_, errs[i] = c.Check(context.Background())
		})
	}
	close(begin)
	wg.Wait()
	for i, err := range errs {
		var ae *connector.APIError
		switch {
		case err == nil:
			sent++
		case errors.As(err, &ae) && errors.Is(err, connector.ErrRateLimited) && ae.Status == 0:
			refused++ // the budget's own refusal: nothing was sent
		case errors.Is(err, connector.ErrRateLimited):
			// The vendor's: counted by the sandbox.
		default:
			t.Fatalf("check %d: %v", i, err)
		}
	}
	return sent, refused
}

// TestSandboxHostexCountsPerToken: the fake Hostex this file's other test
// relies on counts as Hostex publishes: 600 requests a minute per token on
// a path [C], the 601st refused, another token unaffected, and room again
// once the minute has passed.
func TestSandboxHostexCountsPerToken(t *testing.T) {
	w := newHostexBudgetWorld(t)
	s := w.replica(t, nil, false)
	c := s.New(s, connector.StaticSource{AccessToken: sandbox.HostexReadOnlyToken})
	ctx := context.Background()
	for i := range 600 {
		if _, err := c.Check(ctx); err != nil {
			t.Fatalf("request %d of 600: %v", i+1, err)
		}
	}
	if _, err := c.Check(ctx); !errors.Is(err, connector.ErrRateLimited) || w.hx.RateLimited() != 1 {
		t.Fatalf("the 601st request in the minute: %v (%d refused), want the vendor's rate limit", err, w.hx.RateLimited())
	}
	other := s.New(s, connector.StaticSource{AccessToken: sandbox.HostexWritableToken})
	if _, err := other.Check(ctx); err != nil {
		t.Fatalf("another token, while the first is spent: %v", err)
	}
	w.clock.Advance(time.Minute)
	if _, err := c.Check(ctx); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
}

// TestReplicasShareAccountBudget: three replicas, each its own Budget,
// sharing the per-account counts through one database, spend one Hostex
// token's 600 requests a minute: bursts from all three, then a steady
// flood over three minutes, never get a 429 from the vendor, and no
// minute holds more than 600 sent. The same three without the shared
// counts send 630 at once and meet the vendor's limit: the test can fail.
func TestReplicasShareAccountBudget(t *testing.T) {
	db := testdb.New(t)

	t.Run("apart, each replica its own budget", func(t *testing.T) {
		w := newHostexBudgetWorld(t)
		specs := []*connector.Spec{w.replica(t, nil, true), w.replica(t, nil, true), w.replica(t, nil, true)}
		sent, _ := checkBurst(t, specs, sandbox.HostexReadOnlyToken, 630)
		if w.hx.RateLimited() == 0 {
			t.Fatalf("three unshared budgets sent %d in a minute without a 429; the vendor's limit is not being tested", sent)
		}
	})

	w := newHostexBudgetWorld(t)
	specs := []*connector.Spec{w.replica(t, &db, true), w.replica(t, &db, true), w.replica(t, &db, true)}
	start := w.clock.Now()
	var log []struct {
		at time.Time
		n  int
	}
	record := func(sent int) {
		log = append(log, struct {
			at time.Time
			n  int
		}{w.clock.Now(), sent})
	}

	sent, refused := checkBurst(t, specs, sandbox.HostexReadOnlyToken, 900)
	if sent != 600 || refused != 300 {
		t.Fatalf("a burst of 900 over three replicas: %d sent, %d refused; want 600 and 300", sent, refused)
	}
	record(sent)
	// Another token is another account: its own 600.
	if sent, _ := checkBurst(t, specs, sandbox.HostexWritableToken, 30); sent != 30 {
		t.Fatalf("another token while the first is spent: %d of 30 sent", sent)
	}
	w.clock.Advance(30 * time.Second)
	if sent, _ := checkBurst(t, specs, sandbox.HostexReadOnlyToken, 30); sent != 0 {
		t.Fatalf("half a minute after 600: %d sent", sent)
	}
	// Then a flood to the third minute: 60 checks every 5 s, more than
	// the limit allows.
	for w.clock.Now().Sub(start) < 3*time.Minute {
		w.clock.Advance(5 * time.Second)
		sent, _ := checkBurst(t, specs, sandbox.HostexReadOnlyToken, 60)
		record(sent)
	}
	if n := w.hx.RateLimited(); n != 0 {
		t.Fatalf("the vendor refused %d requests for its rate limit", n)
	}
	total := 0
	for i := range log {
		total += log[i].n
		inMinute := 0
		for j := i; j < len(log) && log[j].at.Sub(log[i].at) < time.Minute; j++ {
			inMinute += log[j].n
		}
		if inMinute > 600 {
			t.Fatalf("%d sent in the minute from %s", inMinute, log[i].at.Sub(start))
		}
	}
	// Three minutes allow 1,800; the count's margin of a slot may cost a
	// tenth.
	if total < 1620 {
		t.Errorf("%d sent in three minutes, want at least 1,620", total)
	}
}
