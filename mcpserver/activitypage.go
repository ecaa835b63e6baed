package mcpserver

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strconv"
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
	// TeamName is set on a team's activity; OwnedTeams are the teams whose
	// activity the host may see.
	TeamName   string
	OwnedTeams []teamChoice
}

type option struct{ Value, Label string }

// eventRow is an event as the page shows it.
type eventRow struct {
	ID            int64
	Who           string // a team's view: the member whose app (or action) it was
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
	d.OwnedTeams = s.ownedTeams(r, u.ID)
	sc, ok := s.activityScopeOf(w, r, u, q.Team)
	if !ok {
		return
	}
	d.TeamName = sc.team.Team.Name
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
	events, err := sc.list(ctx, s.cfg.Store, q.filter)
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
		row := s.eventRow(e, names)
		row.Who = sc.who(ctx, s.cfg.Store, e.UserID)
		d.Events = append(d.Events, row)
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
