package store

import (
	"context"
	"time"
)

// The activity log is the audit_events table grown into a host's record of
// what happened on their behalf: sign-ins, apps approved and revoked,
// tokens issued, vendor accounts connected and lost, and every tool call an
// app made, with what it wrote. It is append-only: nothing updates an
// event; only the retention sweep deletes, by age. It never holds a secret
// (no token, code, password, cookie or vendor credential): what a write
// sent is the host's business text, kept so the host can see it.

// Kinds of events beyond the security events (AuditEvent.Kind).
const (
	// EventToolCall is one tools/call an app made.
	EventToolCall = "tool.call"
	// EventWriteApproved and EventWriteDiscarded are the host's decision on
	// a draft, on its approval page.
	EventWriteApproved  = "write.approved"
	EventWriteDiscarded = "write.discarded"
)

// Outcomes of a tool call or a write (AuditEvent.Outcome).
const (
	OutcomeOK    = "ok"    // the tool answered
	OutcomeError = "error" // the tool answered with an error (a vendor failure, a bad argument)
	// OutcomeRefused: hostgate refused the call (the app lacks the scope;
	// a confirmation not valid here).
	OutcomeRefused = "refused"
	// The outcomes of writes. Sent is used only once the vendor accepted
	// the write.
	OutcomeAsked     = "asked"     // the host was asked in the chat; nothing done yet
	OutcomeDrafted   = "drafted"   // saved as a draft for the host to approve; nothing done yet
	OutcomeSent      = "sent"      // the vendor accepted it
	OutcomeFailed    = "failed"    // the vendor refused it, or it failed
	OutcomeDeclined  = "declined"  // the host said no in the chat
	OutcomeDiscarded = "discarded" // the host discarded the draft
	OutcomeRepeated  = "repeated"  // a repeat of a write already made; not made again
)

// EventAccount names a vendor account an event touched, as it was named
// then: the connection may since have been renamed or disconnected.
type EventAccount struct {
	ID     string `json:"id"`
	Vendor string `json:"vendor"`
	Label  string `json:"label,omitempty"`
	// Team is the id of the team that owns the account; empty for a
	// host's own. The event is then listed for that team too.
	Team string `json:"team,omitempty"`
}

// EventFact is one labelled fact of an event, in plain words: for a write
// the account, property, guest, dates and prices it showed the host.
type EventFact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// EventCursor is the position of an event in the log's order (newest
// first: At, then ID, descending).
type EventCursor struct {
	At time.Time
	ID int64
}

// ActivityFilter selects a host's events. Zero fields select everything.
type ActivityFilter struct {
	// Kinds, when set, keeps events of any of these kinds.
	Kinds    []string
	ClientID string
	Tool     string
	Outcome  string
	// Since (inclusive) and Until (exclusive) bound the event's time.
	Since, Until time.Time
	// Before, when set, keeps only events after it in the log's order:
	// the next page after an event.
	Before *EventCursor
	// Limit is the most events returned; below 1 returns none.
	Limit int
}

// Activity is the hosts' activity log. Every read is scoped to one user.
type Activity interface {
	// AddActivity appends events, in one transaction: all or none. Each
	// event's At must be set. IDs are ignored: the store numbers events in
	// the order given.
	AddActivity(ctx context.Context, events []AuditEvent) error
	// ListActivity returns the user's events that pass f, newest first (by
	// At, then by ID), at most f.Limit.
	ListActivity(ctx context.Context, userID string, f ActivityFilter) ([]AuditEvent, error)
	// ListTeamActivity returns the events that touched the team's
	// accounts (EventAccount.Team), whoever's they are, newest first, at
	// most f.Limit. The caller decides who may see them (the team's
	// owners).
	ListTeamActivity(ctx context.Context, teamID string, f ActivityFilter) ([]AuditEvent, error)
	// DeleteActivityBefore deletes every user's events older than before
	// (strictly) and returns how many: the retention sweep. It deletes in
	// batches, so it never holds the database for long.
	DeleteActivityBefore(ctx context.Context, before time.Time) (int64, error)
}
