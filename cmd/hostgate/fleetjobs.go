package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
)

// fleetJob is a background job that one replica of the fleet runs at a
// time (the sweeps, the vendor-token refresher): without it, every replica
// sharing the database would run each round.
//
// The replica that runs a round keeps the job's lock (store.Fleet's
// TryExclusive) until its next round, so the others, whose rounds come at
// other moments, find it taken and skip theirs. At its next round it lets
// go and takes the lock again: it keeps the job while it lives, and if it
// stops, or its lock ended with its database connection, the next replica
// whose round comes takes over. On SQLite (one process) the lock is always
// this process's.
type fleetJob struct {
	name string
	st   store.Fleet
	log  *slog.Logger

	mu   sync.Mutex
	held func() // releases the lock kept since the last round run; nil if none
}

func newFleetJob(name string, st store.Fleet, log *slog.Logger) *fleetJob {
	return &fleetJob{name: name, st: st, log: log}
}

// round runs fn if this process gets the job's lock, and reports whether
// it ran.
func (j *fleetJob) round(ctx context.Context, fn func(context.Context)) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.held != nil {
		j.held()
		j.held = nil
	}
	release, ok, err := j.st.TryExclusive(ctx, j.name)
	if err != nil {
		if ctx.Err() == nil {
			j.log.Error("background job: cannot tell whether another replica runs it; skipping this round", "job", j.name, "err", err)
		}
		return false
	}
	if !ok {
		j.log.Debug("background job: another replica runs it", "job", j.name)
		return false
	}
	j.held = release
	fn(ctx)
	return true
}

// stop lets go of the lock, so that another replica takes the job over
// at its next round.
func (j *fleetJob) stop() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.held != nil {
		j.held()
		j.held = nil
	}
}

// every runs j's rounds now and every interval until ctx ends, then lets
// go of its lock.
func (j *fleetJob) every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	defer j.stop()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		j.round(ctx, fn)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
