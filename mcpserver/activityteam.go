package mcpserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/hostgate/hostgate/store"
)

// A team's activity: its owners see, on the activity page and in its
// export (with team=<id>), every event that touched the team's vendor
// accounts, whichever member's app made it. Members see their own
// activity only. Of each event the team view shows the team's accounts
// alone: a member's own accounts that the same call touched are theirs.

// activityScope is whose events a page or an export lists.
type activityScope struct {
	userID string
	team   store.Membership // set for a team's activity
	// names says who a member is, for the team view's "who" column.
	names map[string]string
}

// activityScopeOf decides the scope of a request: the host's own events,
// or, with team=<id>, the team's when the host is one of its owners. A
// team the host does not own is answered as if it did not exist.
func (s *Server) activityScopeOf(w http.ResponseWriter, r *http.Request, u store.User, team string) (activityScope, bool) {
	sc := activityScope{userID: u.ID}
	if team == "" {
		return sc, true
	}
	m, err := s.cfg.Store.GetMembership(r.Context(), team, u.ID)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && m.Role != store.RoleOwner):
		s.pageError(w, http.StatusNotFound, "No such team", "Only the owners of a team see its activity.")
		return sc, false
	case err != nil:
		s.serverError(w, r, "get membership", err)
		return sc, false
	}
	sc.team, sc.names = m, map[string]string{}
	return sc, true
}

// list reads one batch of the scope's events.
func (sc activityScope) list(ctx context.Context, st store.Store, f store.ActivityFilter) ([]store.AuditEvent, error) {
	if sc.team.Team.ID == "" {
		return st.ListActivity(ctx, sc.userID, f)
	}
	events, err := st.ListTeamActivity(ctx, sc.team.Team.ID, f)
	for i := range events {
		events[i].Accounts = teamAccounts(events[i].Accounts, sc.team.Team.ID)
	}
	return events, err
}

// teamAccounts keeps a team's accounts of a list, in a new slice.
func teamAccounts(accounts []store.EventAccount, team string) []store.EventAccount {
	var out []store.EventAccount
	for _, a := range accounts {
		if a.Team == team {
			out = append(out, a)
		}
	}
	return out
}

// who names the member whose event it is, in a team's view; empty in the
// host's own.
func (sc activityScope) who(ctx context.Context, st store.Store, userID string) string {
	if sc.names == nil || userID == "" {
		return ""
	}
	if n, ok := sc.names[userID]; ok {
		return n
	}
	n := "someone who has left"
	if u, err := st.GetUser(ctx, userID); err == nil {
		n = u.Username
		if n == "" {
			n = u.Email
		}
	}
	sc.names[userID] = n
	return n
}
