package mcpserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

// Who may do what with a connection. A host's own connection is theirs
// alone; a team's is used by every member and managed (connected,
// reconnected, disconnected) by its owners. Everything here reads the
// membership as it is now, never from a cache: a removed member loses the
// team's accounts on their next request.

// access is what a host may do with one connection.
type access int

const (
	noAccess  access = iota // not the host's, nor a team's the host is in: "no such connection"
	canUse                  // a team member: use it, check it
	canManage               // its host, or an owner of its team
)

// connectionAccess returns the connection and what the host may do with it.
// A connection the host has no access to is ErrNotFound, as if it did not
// exist: an id guessed from another team tells nothing.
func (s *Server) connectionAccess(ctx context.Context, userID, id string) (store.Connection, access, error) {
	c, err := s.cfg.Store.GetConnection(ctx, id)
	if err != nil {
		return store.Connection{}, noAccess, err
	}
	if c.TeamID == "" {
		if c.UserID != userID {
			return store.Connection{}, noAccess, fmt.Errorf("connection %s: %w", id, store.ErrNotFound)
		}
		return c, canManage, nil
	}
	m, err := s.cfg.Store.GetMembership(ctx, c.TeamID, userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Connection{}, noAccess, fmt.Errorf("connection %s: %w", id, store.ErrNotFound)
	case err != nil:
		return store.Connection{}, noAccess, err
	case m.Role == store.RoleOwner:
		return c, canManage, nil
	}
	return c, canUse, nil
}

// errNotTeamOwner is a connect for a team the host does not own.
var errNotTeamOwner = errors.New("only an owner of the team can connect or reconnect its accounts")

// connectTeam decides which team a connect is for: for a reconnect, the
// team of the connection being repaired (which the host must be able to
// manage); otherwise the team the form names, which the host must own, or
// none (the host's own account).
func (s *Server) connectTeam(ctx context.Context, userID, formTeam, reconnect string) (string, error) {
	if reconnect != "" {
		c, a, err := s.connectionAccess(ctx, userID, reconnect)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Connected anew, as the host's own: the connection is gone.
			return "", nil
		case err != nil:
			return "", err
		case a != canManage:
			return "", errNotTeamOwner
		}
		return c.TeamID, nil
	}
	if formTeam == "" {
		return "", nil
	}
	return formTeam, s.mustOwn(ctx, userID, formTeam)
}

// mustOwn fails with errNotTeamOwner unless the host is an owner of the
// team now.
func (s *Server) mustOwn(ctx context.Context, userID, teamID string) error {
	m, err := s.cfg.Store.GetMembership(ctx, teamID, userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotTeamOwner
	case err != nil:
		return err
	case m.Role != store.RoleOwner:
		return errNotTeamOwner
	}
	return nil
}
