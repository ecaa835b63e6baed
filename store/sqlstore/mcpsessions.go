package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// CreateMCPSession implements [store.MCPSessions]. The grant's row is
// locked first (on SQLite the single writer already is), so that two
// processes creating sessions for one grant at once take turns and the cap
// holds across them.
func (s *Store) CreateMCPSession(ctx context.Context, m store.MCPSession, max int) ([]string, error) {
	if m.Hash == "" || m.GrantID == "" {
		return nil, errors.New("sqlstore: create mcp session: a hash and a grant are required")
	}
	if max < 1 {
		return nil, errors.New("sqlstore: create mcp session: max must be at least 1")
	}
	var evicted []string
	err := s.write(ctx, func(tx *txn) error {
		evicted = nil // a retried transaction decides afresh
		var id string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM grants WHERE id = ?`+tx.d.forUpdate, m.GrantID).Scan(&id); err != nil {
			return wrap("create mcp session", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT hash FROM mcp_sessions WHERE grant_id = ?
			ORDER BY CASE WHEN last_used_at > created_at THEN 1 ELSE 0 END, last_used_at, created_at, hash`, m.GrantID)
		if err != nil {
			return wrap("create mcp session", err)
		}
		var held []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return wrap("create mcp session", err)
			}
			held = append(held, h)
		}
		if err := rows.Close(); err != nil {
			return wrap("create mcp session", err)
		}
		if err := rows.Err(); err != nil {
			return wrap("create mcp session", err)
		}
		for i := 0; i < len(held)-max+1; i++ {
			if _, err := tx.ExecContext(ctx, `DELETE FROM mcp_sessions WHERE hash = ?`, held[i]); err != nil {
				return wrap("create mcp session: evict", err)
			}
			if err := tx.notify(ctx, store.TopicSessions, held[i]); err != nil {
				return err
			}
			evicted = append(evicted, held[i])
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO mcp_sessions (hash, grant_id, client, created_at, last_used_at)
			VALUES (?, ?, ?, ?, ?)`, m.Hash, m.GrantID, nilIfEmpty(m.Client), tn(m.CreatedAt), tn(m.LastUsedAt))
		return wrap("create mcp session", err)
	})
	if err != nil {
		return nil, err
	}
	return evicted, nil
}

func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// GetMCPSession implements [store.MCPSessions].
func (s *Store) GetMCPSession(ctx context.Context, hash string) (store.MCPSession, error) {
	var m store.MCPSession
	err := s.r.QueryRowContext(ctx, `SELECT hash, grant_id, client, created_at, last_used_at
		FROM mcp_sessions WHERE hash = ?`, hash).
		Scan(&m.Hash, &m.GrantID, &m.Client, tc(&m.CreatedAt), tc(&m.LastUsedAt))
	if err != nil {
		return store.MCPSession{}, wrap("get mcp session", err)
	}
	return m, nil
}

// SetMCPSessionClient implements [store.MCPSessions].
func (s *Store) SetMCPSessionClient(ctx context.Context, hash string, client []byte) error {
	return s.mustChange(ctx, "set mcp session client",
		`UPDATE mcp_sessions SET client = ? WHERE hash = ?`, nilIfEmpty(client), hash)
}

// TouchMCPSession implements [store.MCPSessions].
func (s *Store) TouchMCPSession(ctx context.Context, hash string, at time.Time) error {
	return s.mustChange(ctx, "touch mcp session", `UPDATE mcp_sessions
		SET last_used_at = CASE WHEN last_used_at < ? THEN ? ELSE last_used_at END WHERE hash = ?`,
		tn(at), tn(at), hash)
}

// DeleteMCPSession implements [store.MCPSessions].
func (s *Store) DeleteMCPSession(ctx context.Context, hash string) (bool, error) {
	err := s.writeNotify(ctx, "delete mcp session", store.TopicSessions, hash,
		`DELETE FROM mcp_sessions WHERE hash = ?`, hash)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// DeleteIdleMCPSessions implements [store.MCPSessions].
func (s *Store) DeleteIdleMCPSessions(ctx context.Context, usedBefore time.Time) (int64, error) {
	n, err := s.exec(ctx, "delete idle mcp sessions", `DELETE FROM mcp_sessions WHERE last_used_at < ?
		OR grant_id IN (SELECT id FROM grants WHERE revoked_at IS NOT NULL)`, tn(usedBefore))
	if err != nil {
		return 0, err
	}
	return n, nil
}

// CountMCPSessions implements [store.MCPSessions].
func (s *Store) CountMCPSessions(ctx context.Context, grantID string) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM mcp_sessions WHERE grant_id = ?`, grantID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count mcp sessions: %w", err)
	}
	return n, nil
}
