package mcpserver

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
)

// activityLog writes the hosts' activity log off the request path. A tool
// call costs tens of microseconds of CPU; a write transaction on the
// SQLite file costs an fsync, milliseconds. So a call only queues its
// event, and one goroutine writes what is queued, a batch per transaction,
// at most activityLinger after its first event: under load many calls share
// one commit, and no call waits for one.
//
// Nothing queued is dropped: add waits when the queue is full (the disk is
// behind), Flush returns once everything queued before it is written (the
// activity page flushes first, so a host sees their latest calls), and
// Close writes the rest before the store closes. An event that fails to
// write is logged and lost; the call it describes has already happened.
type activityLog struct {
	st  store.Activity
	log *slog.Logger

	mu     sync.RWMutex // held for reading while queueing, for writing by Close
	closed bool
	queue  chan store.AuditEvent
	// flushes carries Flush's requests: the writer closes the channel it
	// receives once everything queued before it is written.
	flushes chan chan struct{}
	done    chan struct{}
	linger  time.Duration // activityLinger; tests make it long
}

const (
	// activityQueue is how many events may wait for the writer.
	activityQueue = 4096
	// activityBatch is the most events one transaction writes.
	activityBatch = 256
	// activityLinger is how long the first event of a batch waits for
	// others before it is written. A commit (its fsync above all) costs
	// far more than a row, so under load one commit serves many calls. A
	// crash loses at most this much of the log; a graceful stop, nothing.
	activityLinger = 100 * time.Millisecond
	// activityWriteTimeout bounds one batch's write.
	activityWriteTimeout = 10 * time.Second
)

func newActivityLog(st store.Activity, log *slog.Logger) *activityLog {
	return startActivityLog(st, log, activityLinger)
}

func startActivityLog(st store.Activity, log *slog.Logger, linger time.Duration) *activityLog {
	a := &activityLog{st: st, log: log, queue: make(chan store.AuditEvent, activityQueue),
		flushes: make(chan chan struct{}), done: make(chan struct{}), linger: linger}
	go a.run()
	return a
}

// add queues e for writing. After Close it writes e at once.
func (a *activityLog) add(e store.AuditEvent) {
	a.mu.RLock()
	if !a.closed {
		a.queue <- e
		a.mu.RUnlock()
		return
	}
	a.mu.RUnlock()
	a.write([]store.AuditEvent{e})
}

// Flush returns once every event queued before it is written (or failed
// to be), or when ctx ends.
func (a *activityLog) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case a.flushes <- ack:
	case <-a.done:
		return nil // closed: everything was written
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes everything queued and stops the writer; events added later
// are written one by one. It returns when the queue is written or ctx ends.
func (a *activityLog) Close(ctx context.Context) error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.queue)
	}
	a.mu.Unlock()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *activityLog) run() {
	defer close(a.done)
	batch := make([]store.AuditEvent, 0, activityBatch)
	// linger runs while a batch waits for company; nil when none waits.
	var linger *time.Timer
	var lingered <-chan time.Time
	write := func() {
		a.write(batch)
		batch = batch[:0]
		if linger != nil {
			linger.Stop()
			linger, lingered = nil, nil
		}
	}
	for {
		select {
		case e, ok := <-a.queue:
			if !ok {
				write()
				return
			}
			batch = append(batch, e)
			switch {
			case len(batch) >= activityBatch:
				write()
			case linger == nil:
				linger = time.NewTimer(a.linger)
				lingered = linger.C
			}
		case <-lingered:
			write()
		case ack := <-a.flushes:
			// What is queued now includes everything queued before the
			// Flush; what arrives meanwhile waits for the next turn.
			for n := len(a.queue); n > 0; n-- {
				e, ok := <-a.queue
				if !ok {
					break
				}
				batch = append(batch, e)
				if len(batch) >= activityBatch {
					write()
				}
			}
			write()
			close(ack)
		}
	}
}

// write stores a batch, once; a failure is logged with how many events it
// cost, never with their content.
func (a *activityLog) write(batch []store.AuditEvent) {
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), activityWriteTimeout)
	defer cancel()
	if err := a.st.AddActivity(ctx, batch); err != nil {
		a.log.Error("activity log: events lost", "events", len(batch), "err", err)
	}
}
