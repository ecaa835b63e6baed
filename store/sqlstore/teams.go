package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// CreateTeam implements [store.Teams]: the team and its first owner in one
// transaction.
func (s *Store) CreateTeam(ctx context.Context, t store.Team, ownerID string) error {
	return s.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)`,
			t.ID, t.Name, tv(t.CreatedAt)); err != nil {
			return wrap("create team", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, role, added_at) VALUES (?, ?, ?, ?)`,
			t.ID, ownerID, string(store.RoleOwner), tv(t.CreatedAt))
		return wrap("create team: owner", err)
	})
}

const memberCols = `t.id, t.name, t.created_at, m.user_id, m.role, m.added_at`

func scanMembership(row interface{ Scan(...any) error }) (store.Membership, error) {
	var m store.Membership
	err := row.Scan(&m.Team.ID, &m.Team.Name, tc(&m.Team.CreatedAt), &m.UserID, (*string)(&m.Role), tc(&m.AddedAt))
	return m, err
}

func (s *Store) listMemberships(ctx context.Context, what, query string, args ...any) ([]store.Membership, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(what, err)
	}
	defer rows.Close()
	var out []store.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, wrap(what, err)
		}
		out = append(out, m)
	}
	return out, wrap(what, rows.Err())
}

// ListTeams implements [store.Teams].
func (s *Store) ListTeams(ctx context.Context, userID string) ([]store.Membership, error) {
	return s.listMemberships(ctx, "list teams", `SELECT `+memberCols+`
		FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE m.user_id = ? ORDER BY t.name, t.id`, userID)
}

// GetMembership implements [store.Teams].
func (s *Store) GetMembership(ctx context.Context, teamID, userID string) (store.Membership, error) {
	m, err := scanMembership(s.r.QueryRowContext(ctx, `SELECT `+memberCols+`
		FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE m.team_id = ? AND m.user_id = ?`, teamID, userID))
	if err != nil {
		return store.Membership{}, wrap("get membership", err)
	}
	return m, nil
}

// ListMembers implements [store.Teams].
func (s *Store) ListMembers(ctx context.Context, teamID string) ([]store.Membership, error) {
	return s.listMemberships(ctx, "list members", `SELECT `+memberCols+`
		FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE m.team_id = ? ORDER BY m.role = 'owner' DESC, m.added_at, m.user_id`, teamID)
}

// RemoveMember implements [store.Teams]. The owner count is read in the
// same write transaction, so two owners removing each other at once leave
// one.
func (s *Store) RemoveMember(ctx context.Context, teamID, userID string) error {
	return s.write(ctx, func(tx *txn) error {
		// Removals from one team take turns on its row, so each counts
		// the owners the previous one left.
		if err := tx.lock(ctx, `SELECT id FROM teams WHERE id = ?`, teamID); err != nil {
			return wrap("remove member", err)
		}
		var role string
		if err := tx.QueryRowContext(ctx, `SELECT role FROM team_members WHERE team_id = ? AND user_id = ?`,
			teamID, userID).Scan(&role); err != nil {
			return wrap("remove member", err)
		}
		if role == string(store.RoleOwner) {
			var owners int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM team_members WHERE team_id = ? AND role = 'owner'`,
				teamID).Scan(&owners); err != nil {
				return wrap("remove member", err)
			}
			if owners <= 1 {
				return fmt.Errorf("sqlstore: remove member: %w", store.ErrLastOwner)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, userID); err != nil {
			return wrap("remove member", err)
		}
		return tx.notify(ctx, store.TopicConnections, teamID)
	})
}

const inviteCols = `hash, team_id, role, created_by, created_at, expires_at, used_at, used_by`

// CreateInvite implements [store.Teams].
func (s *Store) CreateInvite(ctx context.Context, inv store.TeamInvite) error {
	_, err := s.exec(ctx, "create invite", `INSERT INTO team_invites (`+inviteCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.Hash, inv.TeamID, string(inv.Role), inv.CreatedBy, tv(inv.CreatedAt), tv(inv.ExpiresAt), tv(inv.UsedAt), inv.UsedBy)
	return err
}

// ListInvites implements [store.Teams].
func (s *Store) ListInvites(ctx context.Context, teamID string, now time.Time) ([]store.TeamInvite, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+inviteCols+` FROM team_invites
		WHERE team_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, hash`, teamID, tn(now))
	if err != nil {
		return nil, wrap("list invites", err)
	}
	defer rows.Close()
	var out []store.TeamInvite
	for rows.Next() {
		var inv store.TeamInvite
		if err := rows.Scan(&inv.Hash, &inv.TeamID, (*string)(&inv.Role), &inv.CreatedBy, tc(&inv.CreatedAt),
			tc(&inv.ExpiresAt), tc(&inv.UsedAt), &inv.UsedBy); err != nil {
			return nil, wrap("list invites", err)
		}
		out = append(out, inv)
	}
	return out, wrap("list invites", rows.Err())
}

// DeleteInvite implements [store.Teams].
func (s *Store) DeleteInvite(ctx context.Context, teamID, hash string) error {
	return s.mustChange(ctx, "delete invite",
		`DELETE FROM team_invites WHERE team_id = ? AND hash = ? AND used_at IS NULL`, teamID, hash)
}

// AcceptInvite implements [store.Teams]: the invitation is marked used by a
// conditional UPDATE in the write transaction, so one acceptance wins.
func (s *Store) AcceptInvite(ctx context.Context, hash, userID string, now time.Time) (store.Membership, error) {
	var m store.Membership
	err := s.write(ctx, func(tx *txn) error {
		var teamID, role string
		err := tx.QueryRowContext(ctx, `UPDATE team_invites SET used_at = ?, used_by = ?
			WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING team_id, role`,
			tn(now), userID, hash, tn(now)).Scan(&teamID, &role)
		if err != nil {
			return wrap("accept invite", err)
		}
		// An owner invited as a member stays an owner.
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, role, added_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (team_id, user_id) DO UPDATE SET role = 'owner' WHERE excluded.role = 'owner'`,
			teamID, userID, role, tn(now)); err != nil {
			return wrap("accept invite: join", err)
		}
		m, err = scanMembership(tx.QueryRowContext(ctx, `SELECT `+memberCols+`
			FROM team_members m JOIN teams t ON t.id = m.team_id
			WHERE m.team_id = ? AND m.user_id = ?`, teamID, userID))
		if err != nil {
			return wrap("accept invite", err)
		}
		return tx.notify(ctx, store.TopicConnections, teamID)
	})
	return m, err
}
