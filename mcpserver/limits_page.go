package mcpserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
)

// The limits form of each approved app on the connections page: the tools
// it may call, the properties it may see and act on, and the date its
// access ends. The form posts to /clients/{id}/limits (CSRF-checked like
// every form there); the tools enforce what it saves from the app's next
// call (tools/limits.go).

// placesTimeout bounds the vendor reads that name the properties on the
// page: past it the page shows what it has and says what it lacks.
const placesTimeout = 5 * time.Second

func (s *Server) mountLimits(mux *http.ServeMux) {
	mux.HandleFunc("POST /clients/{id}/limits", s.handleLimits)
}

// toolGroups sort the tools on the form into what a host recognizes; a
// tool in none of them is shown under "Other".
var toolGroups = []struct {
	title string
	names []string
}{
	{"Accounts", []string{"whoami", "list_connections", "connect_vendor", "refresh_connection", "disconnect_vendor"}},
	{"Properties and calendars", []string{"list_properties", "get_property", "get_calendar", "update_calendar", "find_gap_nights"}},
	{"Reservations and stays", []string{"list_reservations", "get_reservation", "find_reservation", "list_turnovers", "update_stay", "list_inquiries", "send_quote"}},
	{"Guests: messages and reviews", []string{"list_conversations", "get_messages", "send_message", "list_reviews", "reply_to_review"}},
	{"Money", []string{"revenue_summary", "list_payouts", "list_transactions"}},
	{"Tasks", []string{"list_tasks", "save_task"}},
	{"Footfall", []string{"list_sites", "get_footfall"}},
	{"Drafts", []string{"list_drafts"}},
}

// limitsView is one app's limits form.
type limitsView struct {
	CSRF, Path string
	Summary    string
	SomeTools  bool
	Groups     []toolGroupView
	// NoWrite: the app was not granted write, so the tools that change
	// things are not offered.
	NoWrite        bool
	SomeProperties bool
	Places         []placeChoice
	// Problems say which accounts' properties could not be read now.
	Problems []string
	Until    string // YYYY-MM-DD, the last day of access; "" for none
	Ended    bool
}

type toolGroupView struct {
	Title string
	Tools []toolChoice
}

type toolChoice struct {
	Name, Title    string
	Write, Checked bool
}

type placeChoice struct {
	ID, Name, Account string
	Checked           bool
}

// appPlaces reads, once for the page, the places of every connection the
// host shared with any app, by connection id; failed are the connections
// that could not be read.
func (s *Server) appPlaces(ctx context.Context, conns []store.Connection, aps []store.Approval) (map[string][]tools.Place, map[string]bool) {
	shared := map[string]bool{}
	for _, a := range aps {
		for _, id := range a.Connections {
			shared[id] = true
		}
	}
	var read []store.Connection
	for _, c := range conns {
		if shared[c.ID] {
			read = append(read, c)
		}
	}
	byConn, failed := map[string][]tools.Place{}, map[string]bool{}
	if len(read) == 0 {
		return byConn, failed
	}
	ctx, cancel := context.WithTimeout(ctx, placesTimeout)
	defer cancel()
	places, bad := tools.Places(ctx, s.deps, read)
	for _, p := range places {
		byConn[p.ConnectionID] = append(byConn[p.ConnectionID], p)
	}
	for _, c := range bad {
		failed[c.ID] = true
	}
	return byConn, failed
}

// limitsView builds an app's limits form from its approval and limits.
func (s *Server) limitsView(a store.Approval, l store.AppLimits, csrf string, conns []store.Connection,
	places map[string][]tools.Place, failed map[string]bool) limitsView {
	v := limitsView{CSRF: csrf, Path: clientPath(a.ClientID, "limits"), SomeTools: len(l.Tools) > 0,
		SomeProperties: len(l.Properties) > 0, NoWrite: !slices.Contains(a.Scopes, tools.ScopeWrite)}
	if !l.Until.IsZero() {
		v.Until = l.Until.Add(-time.Nanosecond).UTC().Format(time.DateOnly)
		v.Ended = l.Ended(s.cfg.Now())
	}
	byName := map[string]toolChoice{}
	for _, t := range s.tools {
		if !slices.Contains(a.Scopes, t.Scope) {
			continue
		}
		byName[t.Def.Name] = toolChoice{Name: t.Def.Name, Title: cmp.Or(t.Def.Title, t.Def.Name),
			Write: t.Scope == tools.ScopeWrite, Checked: slices.Contains(l.Tools, t.Def.Name)}
	}
	for _, g := range toolGroups {
		gv := toolGroupView{Title: g.title}
		for _, n := range g.names {
			if tc, ok := byName[n]; ok {
				gv.Tools = append(gv.Tools, tc)
				delete(byName, n)
			}
		}
		if len(gv.Tools) > 0 {
			v.Groups = append(v.Groups, gv)
		}
	}
	other := toolGroupView{Title: "Other"}
	for _, t := range s.tools {
		if tc, ok := byName[t.Def.Name]; ok {
			other.Tools = append(other.Tools, tc)
		}
	}
	if len(other.Tools) > 0 {
		v.Groups = append(v.Groups, other)
	}

	seen := map[string]bool{}
	for _, c := range conns {
		if !slices.Contains(a.Connections, c.ID) {
			continue
		}
		account := s.title(c.Vendor)
		if c.Label != "" {
			account += " · " + c.Label
		}
		if failed[c.ID] {
			v.Problems = append(v.Problems, account)
		}
		for _, p := range places[c.ID] {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			name := p.Name
			if p.Site {
				name += " (footfall site)"
			}
			v.Places = append(v.Places, placeChoice{ID: p.ID, Name: name, Account: account, Checked: slices.Contains(l.Properties, p.ID)})
		}
	}
	// What is allowed stays on the form even when its name could not be
	// read now, so saving the form never drops it unseen.
	for _, id := range l.Properties {
		if !seen[id] {
			v.Places = append(v.Places, placeChoice{ID: id, Name: id, Account: "name not available just now", Checked: true})
		}
	}
	v.Summary = limitsSummary(l, v.Ended)
	return v
}

// limitsSummary says in a few words what an app is limited to.
func limitsSummary(l store.AppLimits, ended bool) string {
	if l.None() {
		return "none: every tool its access allows, every property of the shared accounts, no end date"
	}
	var parts []string
	switch n := len(l.Tools); n {
	case 0:
		parts = append(parts, "every tool")
	case 1:
		parts = append(parts, "1 tool")
	default:
		parts = append(parts, fmt.Sprintf("%d tools", n))
	}
	switch n := len(l.Properties); n {
	case 0:
		parts = append(parts, "every property")
	case 1:
		parts = append(parts, "1 property")
	default:
		parts = append(parts, fmt.Sprintf("%d properties", n))
	}
	last := l.Until.Add(-time.Nanosecond).UTC().Format("2 Jan 2006")
	switch {
	case l.Until.IsZero():
		parts = append(parts, "no end date")
	case ended:
		parts = append(parts, "access ended after "+last)
	default:
		parts = append(parts, "until the end of "+last+" (UTC)")
	}
	return strings.Join(parts, ", ")
}

// handleLimits saves an app's limits from its form.
func (s *Server) handleLimits(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	ctx, clientID := r.Context(), r.PathValue("id")
	a, err := s.cfg.Store.GetApproval(ctx, u.ID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		s.pageError(w, http.StatusNotFound, "No such app", "You have not approved this app.")
		return
	}
	if err != nil {
		s.serverError(w, r, "get approval", err)
		return
	}
	l, problem := s.parseLimits(ctx, r, u, a)
	if problem != "" {
		s.pageError(w, http.StatusBadRequest, "These limits were not saved", problem+" Go back, correct the form and save again.")
		return
	}
	l.UpdatedAt = s.cfg.Now()
	err = s.cfg.Store.SetAppLimits(ctx, l)
	if errors.Is(err, store.ErrNotFound) {
		s.pageError(w, http.StatusNotFound, "No such app", "You have not approved this app.")
		return
	}
	if err != nil {
		s.serverError(w, r, "set app limits", err)
		return
	}
	// This replica's calls see the new limits at once; the others hear
	// of them through the change feed.
	s.limits.invalidate()
	s.log.InfoContext(ctx, "app limits set", "host_id", u.ID, "client_id", clientID,
		"tools", len(l.Tools), "properties", len(l.Properties), "until", !l.Until.IsZero())
	http.Redirect(w, r, PathConnections+"?done=limits", http.StatusSeeOther)
}

// maxLimitValues bounds the tools and properties one form may name.
const maxLimitValues = 1000

// parseLimits reads the limits form, or says in a sentence what is wrong
// with it.
func (s *Server) parseLimits(ctx context.Context, r *http.Request, u store.User, a store.Approval) (store.AppLimits, string) {
	f := r.PostForm
	l := store.AppLimits{UserID: u.ID, ClientID: a.ClientID}
	switch f.Get("tools") {
	case "all":
	case "some":
		if len(f["tool"]) > maxLimitValues {
			return l, "Too many tools were sent."
		}
		for _, name := range f["tool"] {
			if !s.toolAllowed(a, name) {
				return l, fmt.Sprintf("%q is not a tool this app can be given.", name)
			}
			if !slices.Contains(l.Tools, name) {
				l.Tools = append(l.Tools, name)
			}
		}
		if len(l.Tools) == 0 {
			return l, "Tick at least one tool, or choose every tool."
		}
	default:
		return l, "Choose whether the app may call every tool or only some."
	}
	switch f.Get("properties") {
	case "all":
	case "some":
		if len(f["property"]) > maxLimitValues {
			return l, "Too many properties were sent."
		}
		vendors, err := s.sharedVendors(ctx, u.ID, a)
		if err != nil {
			return l, "hostgate could not read your accounts just now."
		}
		for _, id := range f["property"] {
			vendor, _, err := connector.SplitID(id)
			if err != nil || !vendors[vendor] {
				return l, fmt.Sprintf("%q is not a property of an account you shared with this app.", id)
			}
			if !slices.Contains(l.Properties, id) {
				l.Properties = append(l.Properties, id)
			}
		}
		if len(l.Properties) == 0 {
			return l, "Tick at least one property, or choose every property."
		}
	default:
		return l, "Choose whether the app may see every property or only some."
	}
	if until := strings.TrimSpace(f.Get("until")); until != "" {
		day, err := time.Parse(time.DateOnly, until)
		if err != nil || day.Year() < 2000 || day.Year() > 9999 {
			return l, fmt.Sprintf("%q is not a date like 2026-12-31.", until)
		}
		// Access lasts through the day named, in UTC.
		l.Until = day.AddDate(0, 0, 1)
	}
	return l, ""
}

// toolAllowed reports whether the app's scopes let it be given the tool.
func (s *Server) toolAllowed(a store.Approval, name string) bool {
	for _, t := range s.tools {
		if t.Def.Name == name {
			return slices.Contains(a.Scopes, t.Scope)
		}
	}
	return false
}

// sharedVendors are the vendors of the accounts the host shared with the
// app.
func (s *Server) sharedVendors(ctx context.Context, userID string, a store.Approval) (map[string]bool, error) {
	conns, err := s.cfg.Store.ListConnections(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range conns {
		if slices.Contains(a.Connections, c.ID) {
			out[c.Vendor] = true
		}
	}
	return out, nil
}
