package tools

import (
	"context"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// Under a property limit every list keeps only the items of the allowed
// properties. The filter runs per call, on what the read cache (per
// connection, shared by every app of the host) handed out, and never
// changes those shared lists: it builds new ones.

// maxPlaceLookups bounds the items read one by one, per account and call,
// to place items the account's reservations do not place (see
// placeItems). Items left unplaced past it are left out, and the result
// says so.
const maxPlaceLookups = 25

// placeLookupsAtOnce bounds those reads in flight at once per account.
const placeLookupsAtOnce = 4

// where ties an item to properties: the properties it names itself; else
// the reservations whose properties are its own; else the conversation it
// is (a Hostex conversation in a list names neither).
type where struct {
	props        []string
	reservations []string
	conversation string
}

// placeOf says where an item is. ok is false for an item of a type
// hostgate cannot place, which a property limit leaves out (a new list
// type must be added here to be shown at all).
func placeOf(item any) (w where, ok bool) {
	switch v := item.(type) {
	case connector.Property:
		return where{props: nonEmpty(v.ID)}, true
	case connector.Site:
		// A HoxtonAI venue is its own "property" for limits.
		return where{props: nonEmpty(v.ID)}, true
	case connector.Reservation:
		return where{props: nonEmpty(v.PropertyID)}, true
	case connector.Inquiry:
		return where{props: nonEmpty(v.PropertyID)}, true
	case connector.Conversation:
		if v.PropertyID == "" && v.ReservationID == "" {
			return where{conversation: v.ID}, true
		}
		return byPropertyOr(v.PropertyID, v.ReservationID), true
	case connector.Review:
		return byPropertyOr(v.PropertyID, v.ReservationID), true
	case connector.Task:
		return byPropertyOr(v.PropertyID, v.ReservationID), true
	case connector.Transaction:
		return where{reservations: nonEmpty(v.ReservationID)}, true
	case connector.Payout:
		// A payout is shown only if every stay it pays is at an allowed
		// property: its amount would tell of the others.
		return where{reservations: v.ReservationIDs}, true
	}
	return where{}, false
}

func byPropertyOr(prop, reservation string) where {
	if prop != "" {
		return where{props: []string{prop}}
	}
	return where{reservations: nonEmpty(reservation)}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// limitLists narrows each connection's list (lists[i] of conns[i]) to the
// caller's allowed properties. Without a property limit it returns lists
// as they are. A nil list (a connection that did not answer) stays nil.
func limitLists[T any](ctx context.Context, d *Deps, c *Caller, conns []store.Connection, lists [][]T) [][]T {
	if !c.Limits.LimitsProperties() {
		return lists
	}
	out := make([][]T, len(lists))
	for i, l := range lists {
		if l != nil {
			out[i] = keepAllowed(ctx, d, c, conns[i], l)
		}
	}
	return out
}

// keepAllowed returns a new list of the items of conn's list that are at
// properties the caller may see, in order; never nil.
func keepAllowed[T any](ctx context.Context, d *Deps, c *Caller, conn store.Connection, items []T) []T {
	var resIDs, convIDs []string
	for _, it := range items {
		if w, ok := placeOf(it); ok && len(w.props) == 0 {
			resIDs = append(resIDs, w.reservations...)
			if w.conversation != "" {
				convIDs = append(convIDs, w.conversation)
			}
		}
	}
	byRes, byConv := d.placeItems(ctx, conn, resIDs, convIDs)
	kept := make([]T, 0, len(items))
	unknown := false
	for _, it := range items {
		w, ok := placeOf(it)
		props := w.props
		if ok && len(props) == 0 {
			for _, r := range w.reservations {
				if p := byRes[r]; p != "" {
					props = append(props, p)
				} else {
					ok = false
				}
			}
			if w.conversation != "" {
				props = nonEmpty(byConv[w.conversation])
			}
		}
		if !ok || len(props) == 0 {
			unknown = true
			continue
		}
		allowed := true
		for _, p := range props {
			allowed = allowed && c.Limits.AllowsProperty(p)
		}
		if allowed {
			kept = append(kept, it)
		}
	}
	notesFrom(ctx).note(true, unknown)
	return kept
}

// placeWindow is the stretch of check-ins whose reservations place the
// items of an account that name only a reservation or a conversation:
// find_reservation's default search, so the two share one cached read.
const (
	placeWindowBefore = 180 // days before today
	placeWindowAfter  = 365 // days after today
)

// placeItems finds the properties of reservations and conversations (by
// vendor-qualified id) in conn: first from the account's reservations of
// placeWindow (one read, through the cache), then, for what that leaves,
// by reading each one, at most maxPlaceLookups of them. It returns what it
// placed.
func (d *Deps) placeItems(ctx context.Context, conn store.Connection, resIDs, convIDs []string) (byRes, byConv map[string]string) {
	byRes, byConv = map[string]string{}, map[string]string{}
	if len(resIDs)+len(convIDs) == 0 || conn.Status == store.StatusNeedsReauth || d.Lifecycle == nil {
		return byRes, byConv
	}
	now := d.now()
	q := connector.ReservationQuery{Range: connector.DateRange{
		From: now.AddDate(0, 0, -placeWindowBefore).Format(time.DateOnly),
		To:   now.AddDate(0, 0, placeWindowAfter).Format(time.DateOnly)}}
	if rs, _, err := reservationsRead(q, byCheckIn).run(ctx, d, conn, false); err == nil {
		for _, r := range rs {
			if r.PropertyID == "" {
				continue
			}
			byRes[r.ID] = r.PropertyID
			if r.ConversationID != "" {
				byConv[r.ConversationID] = r.PropertyID
			}
		}
	}
	type lookup struct {
		id   string
		conv bool
	}
	var todo []lookup
	seen := map[string]bool{}
	add := func(id string, conv bool, known map[string]string) {
		if id != "" && known[id] == "" && !seen[id] && len(todo) < maxPlaceLookups {
			seen[id] = true
			todo = append(todo, lookup{id, conv})
		}
	}
	for _, id := range resIDs {
		add(id, false, byRes)
	}
	for _, id := range convIDs {
		add(id, true, byConv)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, placeLookupsAtOnce)
	for _, l := range todo {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			var p string
			if l.conv {
				p = d.conversationAt(ctx, conn, l.id)
			} else {
				p = d.reservationAt(ctx, conn, l.id)
			}
			if p == "" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if l.conv {
				byConv[l.id] = p
			} else {
				byRes[l.id] = p
			}
		})
	}
	wg.Wait()
	return byRes, byConv
}
