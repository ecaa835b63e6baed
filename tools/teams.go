package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

// manageableConnection is ownedConnection for what only the account's
// owner may do (disconnect it): the host's own connection, or a team's of
// which the host is an owner now. A team member gets a tool error that says
// who can.
func manageableConnection(ctx context.Context, d *Deps, c *Caller, id string) (store.Connection, error) {
	conn, err := ownedConnection(ctx, d, c, id)
	if err != nil || conn.TeamID == "" {
		return conn, err
	}
	m, err := d.Store.GetMembership(ctx, conn.TeamID, c.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Left the team between the two reads.
		return store.Connection{}, Errorf("No shared connection has id %q. Call list_connections for the ids.", id)
	case err != nil:
		return store.Connection{}, fmt.Errorf("team membership: %w", err)
	case m.Role != store.RoleOwner:
		return store.Connection{}, Errorf("%s belongs to the team %s, and only an owner of the team can disconnect it. Nothing was changed; the host can ask a team owner.", d.accountName(conn), m.Team.Name)
	}
	return conn, nil
}

// missingText explains grant connections the host can no longer use: the
// account was disconnected, or the host left (or was removed from) the
// team that owns it.
func missingText(n int) string {
	if n == 1 {
		return "1 account shared with this app is no longer available to the host (it was disconnected, or the host is no longer in the team that owns it)"
	}
	return fmt.Sprintf("%d accounts shared with this app are no longer available to the host (they were disconnected, or the host is no longer in the team that owns them)", n)
}
