package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/store"
)

const (
	// sharedTimeout bounds one trip to the shared counts: a vendor request
	// waits no longer for a database that does not answer.
	sharedTimeout = time.Second
	// sharedPause is how long after a failure of the shared counts the
	// budget counts in this process only, without asking again.
	sharedPause = 10 * time.Second
)

// sharedBudget is a Budget's link to the counts every process on the
// database shares.
type sharedBudget struct {
	counts  store.RateBudgets
	log     *slog.Logger
	timeout time.Duration // sharedTimeout; tests lengthen it

	mu sync.Mutex
	// failedAt is the time of the last failure while the counts are
	// failing, zero while they answer.
	failedAt time.Time
}

// Share makes the budget count its per-account limits in counts, with
// every other process whose budget shares them, as well as in this
// process: replicas serving one account together send no more than its
// limits. The limits counted by address stay this process's own.
//
// The shared counts never fail a request: when they fail (or take longer
// than a second), the request is counted in this process only, the
// failure is logged at warn once until they answer again, and for ten
// seconds the budget counts in this process only, without asking.
// Share is called before the budget's first use; on a nil budget, or one
// without per-account limits, it does nothing. A nil log is
// slog.Default().
func (b *Budget) Share(counts store.RateBudgets, log *slog.Logger) {
	if b == nil || !b.perAccount || counts == nil {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	b.shared = &sharedBudget{counts: counts, log: log, timeout: sharedTimeout}
}

// Shared reports whether the budget counts its per-account limits with
// other processes (Share).
func (b *Budget) Shared() bool { return b != nil && b.shared != nil }

// limitNames names each limit in the shared counts by what the vendor
// counts (its window, and its method and path), not by its N: replicas of
// two hostgate versions that disagree on a limit still count one account's
// requests together. Two limits of one name get their index as well.
func limitNames(limits []Limit) []string {
	names := make([]string, len(limits))
	seen := map[string]bool{}
	for i, l := range limits {
		n := l.Per.String()
		if l.Method != "" || l.Path != "" {
			n += " " + l.Method + " " + l.Path
		}
		if seen[n] {
			n += " #" + strconv.Itoa(i)
		}
		seen[n] = true
		names[i] = n
	}
	return names
}

// spends are the shared counts request r of acct spends: the vendor's
// per-account limits it falls under, keyed by vendor, limit and a hash of
// the account key (itself a hash where the account is a token).
func (b *Budget) spends(vendor string, r Request, acct string) []store.RateSpend {
	h := sha256.Sum256([]byte(acct))
	account := hex.EncodeToString(h[:16])
	var out []store.RateSpend
	for i, l := range b.limits {
		if l.ByAddress || l.N <= 0 || !l.applies(r) {
			continue
		}
		out = append(out, store.RateSpend{Key: vendor + " " + b.names[i] + " " + account, N: l.N, Per: l.Per})
	}
	return out
}

// take takes room for one request in the shared counts at now: 0 when
// there was room, or when the counts could not be asked (the request is
// then counted in this process only), else how long until there is room.
func (sb *sharedBudget) take(ctx context.Context, vendor string, spends []store.RateSpend, now time.Time, m *metrics.Metrics) time.Duration {
	if len(spends) == 0 || sb.paused(now) {
		return 0
	}
	tctx, cancel := context.WithTimeout(ctx, sb.timeout)
	defer cancel()
	wait, err := sb.counts.TakeRate(tctx, now, spends)
	switch {
	case err == nil:
		sb.answered(vendor)
		return wait
	case ctx.Err() != nil:
		// The caller gave up: its request is not sent, and the counts
		// did not fail.
		return 0
	}
	m.SharedCountFailed(metrics.SharedVendorBudget)
	sb.failed(vendor, now, err)
	return 0
}

// paused reports whether the counts failed less than sharedPause before
// now.
func (sb *sharedBudget) paused(now time.Time) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return !sb.failedAt.IsZero() && now.Sub(sb.failedAt) < sharedPause
}

func (sb *sharedBudget) failed(vendor string, now time.Time, err error) {
	sb.mu.Lock()
	first := sb.failedAt.IsZero()
	sb.failedAt = now
	sb.mu.Unlock()
	if first {
		sb.log.Warn("rate budget: the shared counts failed; counting this process's requests only until they answer",
			"vendor", vendor, "err", err)
	}
}

func (sb *sharedBudget) answered(vendor string) {
	sb.mu.Lock()
	was := !sb.failedAt.IsZero()
	sb.failedAt = time.Time{}
	sb.mu.Unlock()
	if was {
		sb.log.Info("rate budget: the shared counts answer again", "vendor", vendor)
	}
}
