package tools

import (
	"context"
	"slices"
	"sync"

	"github.com/hostgate/hostgate/store"
)

// Record is what one tool call did, for the host's activity log: the
// vendor accounts it read or acted through and, for a write, how it ended
// and what it was, in the words the host was shown. mcpserver puts a new
// one in the context of every call (WithRecord) and reads it once the call
// returns; the tool fills it in as it goes. It is safe for concurrent use:
// a call reads several accounts at once.
//
// It never holds a secret: accounts are named by id, vendor and label, and
// a write by its preview, which is what the host reads before approving.
type Record struct {
	mu       sync.Mutex
	accounts []store.EventAccount
	outcome  string
	write    *Preview
	ref      string
}

type recordKey struct{}

// WithRecord returns a context whose tool calls fill in r.
func WithRecord(ctx context.Context, r *Record) context.Context {
	return context.WithValue(ctx, recordKey{}, r)
}

// recordFrom returns the call's record, or nil outside a recorded call;
// every method of a nil *Record does nothing.
func recordFrom(ctx context.Context) *Record {
	r, _ := ctx.Value(recordKey{}).(*Record)
	return r
}

// touch notes that the call read or acted through conn.
func (r *Record) touch(conn store.Connection) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.ContainsFunc(r.accounts, func(a store.EventAccount) bool { return a.ID == conn.ID }) {
		r.accounts = append(r.accounts, store.EventAccount{ID: conn.ID, Vendor: conn.Vendor, Label: conn.Label, Team: conn.TeamID})
	}
}

// refuse notes that hostgate refused the call.
func (r *Record) refuse() { r.wrote(store.OutcomeRefused, nil, "") }

// wrote notes how a write ended (a store.Outcome* value), what it was and
// its draft's id.
func (r *Record) wrote(outcome string, pv *Preview, ref string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcome, r.write, r.ref = outcome, pv, ref
}

// Fill writes what the call noted into its activity event: the accounts,
// and the outcome if the tool set one (otherwise the caller decides it from
// the result). For a write, the preview's action becomes the event's
// detail, its lines the facts and its text the text.
func (r *Record) Fill(e *store.AuditEvent) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e.Accounts = slices.Clone(r.accounts)
	if r.outcome != "" {
		e.Outcome = r.outcome
	}
	if r.write != nil {
		e.Detail, e.Text, e.Ref = r.write.Action, r.write.Text, r.ref
		e.Facts = make([]store.EventFact, len(r.write.Lines))
		for i, l := range r.write.Lines {
			e.Facts[i] = store.EventFact{Label: l.Label, Value: l.Value}
		}
	}
}
