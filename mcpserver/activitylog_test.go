package mcpserver

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// batchStore is a store.Activity that keeps each batch it is given. Each
// write says it began on entered (buffered) and waits for gate: one value
// lets one write through, closing it lets every write through.
type batchStore struct {
	store.Activity
	mu      sync.Mutex
	batches [][]store.AuditEvent
	gate    chan struct{}
	entered chan struct{}
}

func (s *batchStore) AddActivity(_ context.Context, events []store.AuditEvent) error {
	s.entered <- struct{}{}
	<-s.gate
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, append([]store.AuditEvent(nil), events...))
	return nil
}

func (s *batchStore) written() (n int, batches int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.batches {
		n += len(b)
	}
	return n, len(s.batches)
}

func event(i int) store.AuditEvent {
	return store.AuditEvent{At: time.Unix(int64(i), 0), UserID: "u", Kind: store.EventToolCall, Tool: strconv.Itoa(i)}
}

// TestActivityLogBatches: events that arrive while a write is under way
// share the next transaction; Flush returns once everything queued before
// it is written; Close writes the rest, and an event added after Close is
// written at once. Order is kept throughout. (The linger is an hour: only
// Flush and Close write here.)
func TestActivityLogBatches(t *testing.T) {
	st := &batchStore{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
	a := startActivityLog(st, slog.New(slog.DiscardHandler), time.Hour)
	flush := func() chan error {
		done := make(chan error, 1)
		go func() { done <- a.Flush(context.Background()) }()
		return done
	}
	a.add(event(0))
	first := flush()
	<-st.entered // the writer holds event 0 and waits on the "disk"
	for i := 1; i <= 10; i++ {
		a.add(event(i))
	}
	second := flush()
	st.gate <- struct{}{} // batch {0} is written
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-st.entered // the next write begins: events 1..10 together
	select {
	case <-second:
		t.Fatal("Flush returned before the events queued before it were written")
	default:
	}
	close(st.gate) // from now on writes go straight through
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if n, batches := st.written(); n != 11 || batches != 2 || len(st.batches[1]) != 10 {
		t.Fatalf("after Flush: %d events in %d batches, want 11 in 2 (1, then 10)", n, batches)
	}

	for i := 11; i < 11+activityBatch+5; i++ {
		a.add(event(i))
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.add(event(1000)) // after Close: written at once
	if err := a.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after Close: %v", err)
	}
	want := 11 + activityBatch + 5 + 1
	n, _ := st.written()
	if n != want {
		t.Fatalf("%d events written, want %d", n, want)
	}
	var order []string
	for _, b := range st.batches {
		if len(b) > activityBatch {
			t.Fatalf("a batch of %d events, more than %d", len(b), activityBatch)
		}
		for _, e := range b {
			order = append(order, e.Tool)
		}
	}
	for i, tool := range order {
		want := strconv.Itoa(i)
		if i == len(order)-1 {
			want = "1000"
		}
		if tool != want {
			t.Fatalf("event %d written is %s, want %s: order lost", i, tool, want)
		}
	}
}

// TestActivityLogFlushHonoursContext: a Flush whose context ends while
// the disk is stuck returns the context's error instead of hanging.
func TestActivityLogFlushHonoursContext(t *testing.T) {
	st := &batchStore{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
	a := startActivityLog(st, slog.New(slog.DiscardHandler), time.Hour)
	a.add(event(0))
	go a.Flush(context.Background()) // starts the write, which sticks
	<-st.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Flush(ctx); err == nil {
		t.Fatal("Flush with an ended context succeeded while the write is stuck")
	}
	close(st.gate)
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
