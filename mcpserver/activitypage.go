package mcpserver

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/store"
)

// The activity page: one page per host showing, newest first, what each
// app did on their behalf and what happened to their account, with filters
// (plain GET parameters, so a filtered view is a link) and "older" paging.
// Every query is scoped to the signed-in host; a filter naming another
// host's app or event finds nothing.

//go:embed templates/activity.html
var activityFS embed.FS

var activityTemplate = web.Parse(activityFS, "templates/activity.html")

// Paths of the activity page and its export.
const (
	PathActivity       = "/activity"
	pathActivityExport = "/activity/export"
)

// activityPage is how many events a page shows.
const activityPage = 50

func (s *Server) mountActivity(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathActivity, s.handleActivity)
	mux.HandleFunc("GET "+pathActivityExport, s.handleActivityExport)
}

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
}

// values are the query's filters as URL parameters, without the cursor.
func (q activityQuery) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"what": q.Group, "app": q.App, "tool": q.Tool, "outcome": q.Outcome, "from": q.From, "to": q.To} {
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
	for _, k := range []string{"what", "app", "tool", "outcome", "from", "to", "before"} {
		if len(q[k]) > 1 {
			return a, fmt.Errorf("give %s once", k)
		}
		if len(q.Get(k)) > maxFilterValue {
			return a, fmt.Errorf("%s is too long", k)
		}
	}
	a.Group, a.App, a.Tool, a.Outcome = q.Get("what"), q.Get("app"), q.Get("tool"), q.Get("outcome")
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

type activityData struct {
	Username    string
	SignOutCSRF string
	Query       activityQuery
	Error       string
	Events      []eventRow
	Groups      []activityGroup
	Apps        []option
	Tools       []option
	Outcomes    []struct{ Value, Label string }
	// Older is the link to the next page; Newest the link back to the
	// first page (set when this is not the first).
	Older, Newest string
	ExportCSV     string
	ExportJSONL   string
}

type option struct{ Value, Label string }

// eventRow is an event as the page shows it.
type eventRow struct {
	ID            int64
	When, WhenISO string
	App, AppID    string
	What          string
	Tool          string
	Detail        string
	Accounts      []string
	Outcome       string
	OutcomeClass  string
	Duration      string
	Facts         []store.EventFact
	Text          string
	DraftURL      string
}

func (s *Server) handleActivity(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d := activityData{Username: u.Username, SignOutCSRF: s.signin.SignOutCSRF(w, r), Groups: activityGroups, Outcomes: outcomeLabels}
	for _, t := range s.tools {
		d.Tools = append(d.Tools, option{t.Def.Name, toolTitle(t.Def.Name, t.Def.Title)})
	}
	q, err := s.parseActivityQuery(r.URL.Query())
	d.Query = q
	apps, aerr := s.activityApps(ctx, u.ID)
	if aerr != nil {
		s.serverError(w, r, "list approvals", aerr)
		return
	}
	d.Apps = apps
	if err != nil {
		d.Error = "This filter cannot be used: " + err.Error() + "."
		activityTemplate.Render(w, http.StatusBadRequest, web.CSP(), d)
		return
	}
	// The host sees their latest calls: what is still queued is written
	// first. A slow disk shows a page without the very latest instead.
	fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_ = s.activity.Flush(fctx)
	cancel()
	q.filter.Limit = activityPage + 1
	events, err := s.cfg.Store.ListActivity(ctx, u.ID, q.filter)
	if err != nil {
		s.serverError(w, r, "list activity", err)
		return
	}
	names := s.appNames(ctx)
	if len(events) > activityPage {
		events = events[:activityPage]
		v := q.values()
		v.Set("before", cursorOf(events[len(events)-1]))
		d.Older = PathActivity + "?" + v.Encode()
	}
	if q.filter.Before != nil {
		d.Newest = PathActivity + "?" + q.values().Encode()
	}
	for _, e := range events {
		d.Events = append(d.Events, s.eventRow(e, names))
	}
	for _, f := range []string{"csv", "jsonl"} {
		v := q.values()
		v.Set("format", f)
		link := pathActivityExport + "?" + v.Encode()
		if f == "csv" {
			d.ExportCSV = link
		} else {
			d.ExportJSONL = link
		}
	}
	activityTemplate.Render(w, http.StatusOK, web.CSP(), d)
}

// activityApps are the apps the host approved, for the app filter.
func (s *Server) activityApps(ctx context.Context, userID string) ([]option, error) {
	aps, err := s.cfg.Store.ListApprovals(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, a := range aps {
		name := a.ClientID
		if c, err := s.cfg.Store.GetClient(ctx, a.ClientID); err == nil && c.Name != "" {
			name = c.Name
		}
		out = append(out, option{a.ClientID, name})
	}
	return out, nil
}

// appNames names the apps of events that were logged without a name (the
// security events of the authorization server), looking each client up
// once per request.
func (s *Server) appNames(ctx context.Context) func(id string) string {
	known := map[string]string{}
	return func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := known[id]; ok {
			return n
		}
		n := id
		if c, err := s.cfg.Store.GetClient(ctx, id); err == nil && c.Name != "" {
			n = c.Name
		}
		known[id] = n
		return n
	}
}

func toolTitle(name, title string) string {
	if title == "" {
		return name
	}
	return title
}

// eventRow says an event in the host's words.
func (s *Server) eventRow(e store.AuditEvent, names func(string) string) eventRow {
	row := eventRow{
		ID:   e.ID,
		When: e.At.UTC().Format("2 Jan 2006 15:04:05 UTC"), WhenISO: e.At.UTC().Format(time.RFC3339),
		App: e.AppName, AppID: e.ClientID, Tool: e.Tool, Detail: e.Detail, Facts: e.Facts, Text: e.Text,
	}
	if row.App == "" {
		row.App = names(e.ClientID)
	}
	for _, a := range e.Accounts {
		row.Accounts = append(row.Accounts, s.accountText(a))
	}
	if e.Outcome != "" {
		row.Outcome, row.OutcomeClass = outcomeLabel(e.Outcome), outcomeClass(e.Outcome)
	}
	if e.Kind == store.EventToolCall || e.Duration > 0 {
		row.Duration = durationText(e.Duration)
	}
	if e.Ref != "" {
		row.DraftURL = "/approvals/" + url.PathEscape(e.Ref)
	}
	row.What = s.eventWhat(e)
	return row
}

// accountText names an account as it was named when the event happened.
func (s *Server) accountText(a store.EventAccount) string {
	if a.Label == "" {
		return s.title(a.Vendor)
	}
	return s.title(a.Vendor) + " · " + a.Label
}

// eventWhat is the event's headline.
func (s *Server) eventWhat(e store.AuditEvent) string {
	switch e.Kind {
	case store.EventToolCall:
		return s.toolName(e.Tool)
	case store.EventWriteApproved:
		return "You approved a draft: " + s.toolName(e.Tool)
	case store.EventWriteDiscarded:
		return "You discarded a draft: " + s.toolName(e.Tool)
	case "signin":
		return "You signed in"
	case "consent.approved":
		return "You approved the app"
	case "consent.denied":
		return "You denied the app"
	case "token.issued":
		return "hostgate issued the app tokens"
	case eventGrantRevoked:
		return "The app's access was revoked"
	case eventPolicyChanged:
		return "You changed how the app's writes are confirmed"
	case "code.replayed":
		return "An authorization code was used twice; the app's access was revoked"
	case "refresh.reused":
		return "An old refresh token was used again; the app's access was revoked"
	case eventConnection + "connected":
		return "Vendor account connected"
	case eventConnection + "reconnected":
		return "Vendor account reconnected"
	case eventConnection + "disconnected":
		return "Vendor account disconnected"
	case eventConnection + "needs_reauth":
		return "Vendor account needs you to reconnect it"
	}
	return e.Kind
}

func (s *Server) toolName(name string) string {
	for _, t := range s.tools {
		if t.Def.Name == name {
			return toolTitle(name, t.Def.Title)
		}
	}
	return name
}

func outcomeClass(o string) string {
	switch o {
	case store.OutcomeError, store.OutcomeRefused, store.OutcomeFailed:
		return "error"
	case store.OutcomeSent:
		return "ok"
	}
	return ""
}

func durationText(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "under 1 ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}
