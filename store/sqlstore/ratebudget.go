package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// window is the slots a rate count sums: the current one and the
// store.RateSlots before it.
const window = store.RateSlots + 1

// TakeRate implements [store.RateBudgets]. On PostgreSQL it is one call of
// the function rate_take (migration 0018), which locks the keys, reads and
// counts in one round trip; on SQLite the same in one write transaction,
// which the single writer makes atomic.
func (s *Store) TakeRate(ctx context.Context, now time.Time, spends []store.RateSpend) (time.Duration, error) {
	if len(spends) == 0 {
		return 0, nil
	}
	names := make([]string, len(spends))
	ns := make([]int32, len(spends))
	lens := make([]int64, len(spends))
	seen := make(map[string]bool, len(spends))
	for i, sp := range spends {
		switch {
		case sp.N < 1 || sp.N > 1<<30:
			return 0, fmt.Errorf("sqlstore: take rate: %q allows %d requests, want 1 to 2^30", sp.Key, sp.N)
		case sp.Per < store.RateSlots:
			return 0, fmt.Errorf("sqlstore: take rate: %q has a window of %s, too short to count in slots", sp.Key, sp.Per)
		case sp.Key == "" || seen[sp.Key]:
			return 0, fmt.Errorf("sqlstore: take rate: empty or repeated key %q", sp.Key)
		}
		seen[sp.Key] = true
		names[i], ns[i], lens[i] = sp.Key, int32(sp.N), int64(sp.Per)/store.RateSlots
	}
	at := now.UnixNano()
	if s.d.name == "postgres" {
		var wait int64
		err := s.w.QueryRowContext(ctx, `SELECT rate_take(?, ?, ?, ?)`, names, ns, lens, at).Scan(&wait)
		if err != nil {
			return 0, wrap("take rate", err)
		}
		return time.Duration(wait), nil
	}
	var wait time.Duration
	err := s.write(ctx, func(tx *txn) error {
		wait = 0 // a transaction run again decides afresh
		for i := range spends {
			w, err := rateWait(ctx, tx, names[i], int64(ns[i]), lens[i], at)
			if err != nil {
				return err
			}
			wait = max(wait, w)
		}
		if wait > 0 {
			return nil
		}
		for i := range spends {
			slot := at / lens[i]
			if _, err := tx.ExecContext(ctx, `INSERT INTO rate_counts (name, slot, hits, ends_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (name, slot) DO UPDATE SET hits = hits + 1`, names[i], slot, (slot+window)*lens[i]); err != nil {
				return wrap("take rate", err)
			}
		}
		return nil
	})
	return wait, err
}

// rateWait is rate_take's reading of one limit, for SQLite: 0 when the
// window ending at the slot of at has room for one more request under n,
// else how long until it has.
func rateWait(ctx context.Context, tx *txn, name string, n, slotLen, at int64) (time.Duration, error) {
	s := at / slotLen
	rows, err := tx.QueryContext(ctx, `SELECT slot, hits FROM rate_counts WHERE name = ? AND slot > ? ORDER BY slot`,
		name, s-window)
	if err != nil {
		return 0, wrap("take rate", err)
	}
	defer rows.Close()
	type count struct{ slot, hits int64 }
	var counts []count
	var used int64
	for rows.Next() {
		var c count
		if err := rows.Scan(&c.slot, &c.hits); err != nil {
			return 0, wrap("take rate", err)
		}
		counts = append(counts, c)
		used += c.hits // slots ahead of at (a clock ahead) count too
	}
	if err := rows.Err(); err != nil {
		return 0, wrap("take rate", err)
	}
	if used < n {
		return 0, nil
	}
	// Slots leave the window oldest first: slot k at the start of k+window.
	for _, c := range counts {
		if c.slot > s {
			break
		}
		if used -= c.hits; used < n {
			return time.Duration((c.slot+window)*slotLen - at), nil
		}
	}
	return time.Duration(store.RateSlots * slotLen), nil
}

// SweepRates implements [store.RateBudgets].
func (s *Store) SweepRates(ctx context.Context, now time.Time) (int64, error) {
	return s.exec(ctx, "sweep rates", `DELETE FROM rate_counts WHERE ends_at <= ?`, tn(now))
}
