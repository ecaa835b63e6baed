package mcpserver

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
)

// The activity page's filters: plain GET parameters, each checked, shared
// by the page and its export; and the paging position.

// activityGroup is a choice of the page's "what" filter: a set of kinds.
type activityGroup struct {
	Value, Label string
	kinds        []string
}

var activityGroups = []activityGroup{
	{"tools", "Tool calls", []string{store.EventToolCall}},
	{"drafts", "Drafts you approved or discarded", []string{store.EventWriteApproved, store.EventWriteDiscarded}},
	{"apps", "Apps approved, tokens issued, access revoked", []string{"consent.approved", "consent.denied", "token.issued",
		eventGrantRevoked, eventPolicyChanged, "code.replayed", "refresh.reused"}},
	{"accounts", "Vendor accounts connected, lost, disconnected", []string{eventConnection + "connected",
		eventConnection + "reconnected", eventConnection + "disconnected", eventConnection + "needs_reauth"}},
	{"signins", "Sign-ins", []string{"signin"}},
}

// outcomeLabels say each outcome in the host's words, in the order the
// outcome filter offers them.
var outcomeLabels = []struct{ Value, Label string }{
	{store.OutcomeOK, "Answered"},
	{store.OutcomeError, "Error"},
	{store.OutcomeRefused, "Refused by hostgate"},
	{store.OutcomeAsked, "Asked you in the chat"},
	{store.OutcomeDrafted, "Saved as a draft"},
	{store.OutcomeSent, "Sent"},
	{store.OutcomeFailed, "Failed"},
	{store.OutcomeDeclined, "You declined"},
	{store.OutcomeDiscarded, "You discarded it"},
	{store.OutcomeRepeated, "Repeat; not done again"},
}

func outcomeLabel(o string) string {
	for _, l := range outcomeLabels {
		if l.Value == o {
			return l.Label
		}
	}
	return o
}

// maxFilterValue bounds a filter value (a client id may be a URL).
const maxFilterValue = 2048

// activityQuery is a parsed filter: what the store is asked, and the
// values to put back in the form and the links.
type activityQuery struct {
	filter store.ActivityFilter
	// Group, App, Tool, Outcome, From and To are the form's values.
	Group, App, Tool, Outcome, From, To string
	// Team, when set, asks for a team's activity (for its owners) rather
	// than the host's own.
	Team string
}

// values are the query's filters as URL parameters, without the cursor.
func (q activityQuery) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"what": q.Group, "app": q.App, "tool": q.Tool, "outcome": q.Outcome, "from": q.From, "to": q.To, "team": q.Team} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// parseActivityQuery reads the filters of the page and the export. Every
// value is checked: a bad one is an error that says what to send instead.
func (s *Server) parseActivityQuery(q url.Values) (activityQuery, error) {
	var a activityQuery
	for _, k := range []string{"what", "app", "tool", "outcome", "from", "to", "before", "team"} {
		if len(q[k]) > 1 {
			return a, fmt.Errorf("give %s once", k)
		}
		if len(q.Get(k)) > maxFilterValue {
			return a, fmt.Errorf("%s is too long", k)
		}
	}
	a.Group, a.App, a.Tool, a.Outcome, a.Team = q.Get("what"), q.Get("app"), q.Get("tool"), q.Get("outcome"), q.Get("team")
	if a.Group != "" {
		i := slices.IndexFunc(activityGroups, func(g activityGroup) bool { return g.Value == a.Group })
		if i < 0 {
			return a, fmt.Errorf("what must be one of: %s", strings.Join(groupValues(), ", "))
		}
		a.filter.Kinds = activityGroups[i].kinds
	}
	if a.Tool != "" {
		if _, ok := s.toolScopes[a.Tool]; !ok {
			return a, fmt.Errorf("tool %q is not one of hostgate's tools", a.Tool)
		}
	}
	if a.Outcome != "" && !slices.ContainsFunc(outcomeLabels, func(l struct{ Value, Label string }) bool { return l.Value == a.Outcome }) {
		return a, errors.New("outcome must be one of the offered outcomes")
	}
	a.filter.ClientID, a.filter.Tool, a.filter.Outcome = a.App, a.Tool, a.Outcome
	// Dates are whole UTC days: from the start of From to the end of To.
	var err error
	if a.From = q.Get("from"); a.From != "" {
		if a.filter.Since, err = time.Parse(time.DateOnly, a.From); err != nil {
			return a, fmt.Errorf("from must be a date like 2026-12-01, not %q", a.From)
		}
	}
	if a.To = q.Get("to"); a.To != "" {
		to, err := time.Parse(time.DateOnly, a.To)
		if err != nil {
			return a, fmt.Errorf("to must be a date like 2026-12-31, not %q", a.To)
		}
		a.filter.Until = to.AddDate(0, 0, 1)
	}
	if !a.filter.Until.IsZero() && !a.filter.Until.After(a.filter.Since) {
		return a, errors.New("to must be on or after from")
	}
	if b := q.Get("before"); b != "" {
		c, ok := parseCursor(b)
		if !ok {
			return a, errors.New("the paging position is malformed; start again from the newest")
		}
		a.filter.Before = &c
	}
	return a, nil
}

func groupValues() []string {
	out := make([]string, len(activityGroups))
	for i, g := range activityGroups {
		out[i] = g.Value
	}
	return out
}

// cursorOf is an event's paging position as a URL value: its time in unix
// nanoseconds and its id. It needs no sealing: every query is scoped to the
// host, so a forged position shows nothing that is not theirs.
func cursorOf(e store.AuditEvent) string {
	return strconv.FormatInt(e.At.UnixNano(), 10) + "." + strconv.FormatInt(e.ID, 10)
}

func parseCursor(s string) (store.EventCursor, bool) {
	at, id, ok := strings.Cut(s, ".")
	ns, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n < 0 {
		return store.EventCursor{}, false
	}
	return store.EventCursor{At: time.Unix(0, ns).UTC(), ID: n}, true
}
