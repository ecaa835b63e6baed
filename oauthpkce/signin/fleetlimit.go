package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/oauthpkce/clientaddr"
	"github.com/hostgate/hostgate/store"
)

// Sign-in limits across replicas. The limiter (limiter.go) counts in this
// process, so N replicas behind a load balancer that spreads one
// attacker's requests would allow N times its limits. Where several
// processes share the database (PostgreSQL), each password attempt that
// the local limiter lets through is also counted in the database's shared
// rate counts (store.RateBudgets), for the whole fleet:
//
//   - per client address: fleetAddrN attempts in any fleetAddrPer, the
//     local bucket's long-run rate (a burst of 10, one every 6 s);
//   - per account and network (as accountKey): fleetAccountN attempts in
//     any fleetAccountPer, about what the local backoff lets through in an
//     hour of failures (ten free, then 2 s, 4 s, … up to 15 minutes).
//
// Keys are hashes: the database holds no address or username for this.
// The shared counts never lock anyone out for their own failure: if the
// database does not answer within fleetTimeout, the attempt is judged by
// the local limits alone (logged once until it answers again).
const (
	fleetAddrN      = signinBurst
	fleetAddrPer    = time.Duration(signinBurst) * signinEvery
	fleetAccountN   = 2 * accountFreeFailures
	fleetAccountPer = time.Hour
	fleetTimeout    = time.Second
)

// fleetLimits counts sign-in attempts with the other processes; a nil
// *fleetLimits counts nothing.
type fleetLimits struct {
	rates   store.RateBudgets
	log     *slog.Logger
	metrics *metrics.Metrics

	mu      sync.Mutex
	failing bool
}

// take counts an attempt on username from addr at now and returns 0, or
// how long until the fleet's limits allow one (counting nothing).
func (f *fleetLimits) take(ctx context.Context, username, addr string, now time.Time) time.Duration {
	if f == nil {
		return 0
	}
	spends := []store.RateSpend{
		{Key: "signin address " + hashKey(clientaddr.Key(addr)), N: fleetAddrN, Per: fleetAddrPer},
		{Key: "signin account " + hashKey(accountKey(username, addr)), N: fleetAccountN, Per: fleetAccountPer},
	}
	tctx, cancel := context.WithTimeout(ctx, fleetTimeout)
	defer cancel()
	wait, err := f.rates.TakeRate(tctx, now, spends)
	f.mu.Lock()
	was := f.failing
	f.failing = err != nil && ctx.Err() == nil
	f.mu.Unlock()
	switch {
	case err != nil && f.failing && !was:
		f.log.WarnContext(ctx, "sign-in limits: the shared counts failed; judging attempts by this process's limits until they answer", "err", err)
	case err == nil && was:
		f.log.InfoContext(ctx, "sign-in limits: the shared counts answer again")
	}
	if err != nil {
		if ctx.Err() == nil {
			f.metrics.SharedCountFailed(metrics.SharedSignIn)
		}
		return 0
	}
	return wait
}

// hashKey names a limiter key in the shared counts without revealing it.
func hashKey(k string) string {
	h := sha256.Sum256([]byte(k))
	return hex.EncodeToString(h[:16])
}
