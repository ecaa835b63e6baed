package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// secretAAD binds a sealed secret to its row: a blob copied into another
// connection, or another user's, does not open.
func secretAAD(id, userID string) []byte {
	return []byte(id + "\x00" + userID)
}

const connCols = `id, user_id, vendor, account_id, label, auth_kind, secret_key_id, secret,
	access_expires_at, refresh_expires_at, status, last_error, version, created_at, updated_at`

// CreateConnection implements [store.Connections]. The stored version is 1
// whatever c.Version says.
func (s *Store) CreateConnection(ctx context.Context, c store.Connection) error {
	keyID, sealed, err := s.keys.Seal(c.Secret, secretAAD(c.ID, c.UserID))
	if err != nil {
		return fmt.Errorf("sqlstore: create connection: %w", err)
	}
	_, err = s.exec(ctx, "create connection", `INSERT INTO connections (`+connCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		c.ID, c.UserID, c.Vendor, c.AccountID, c.Label, string(c.AuthKind), keyID, sealed,
		tv(c.AccessExpiresAt), tv(c.RefreshExpiresAt), string(c.Status), c.LastError,
		tv(c.CreatedAt), tv(c.UpdatedAt))
	return err
}

// scanConn reads a row and opens its secret.
func (s *Store) scanConn(row interface{ Scan(...any) error }) (store.Connection, error) {
	var c store.Connection
	var keyID string
	var sealed []byte
	err := row.Scan(&c.ID, &c.UserID, &c.Vendor, &c.AccountID, &c.Label, (*string)(&c.AuthKind),
		&keyID, &sealed, tc(&c.AccessExpiresAt), tc(&c.RefreshExpiresAt), (*string)(&c.Status),
		&c.LastError, &c.Version, tc(&c.CreatedAt), tc(&c.UpdatedAt))
	if err != nil {
		return store.Connection{}, err
	}
	c.Secret, err = s.keys.Open(keyID, sealed, secretAAD(c.ID, c.UserID))
	if err != nil {
		return store.Connection{}, fmt.Errorf("connection %s: %w", c.ID, err)
	}
	return c, nil
}

// GetConnection implements [store.Connections]. A secret that does not open
// gives an error wrapping [store.ErrSealed].
func (s *Store) GetConnection(ctx context.Context, id string) (store.Connection, error) {
	c, err := s.scanConn(s.r.QueryRowContext(ctx, `SELECT `+connCols+` FROM connections WHERE id = ?`, id))
	if err != nil {
		return store.Connection{}, wrap("get connection", err)
	}
	return c, nil
}

func (s *Store) listConns(ctx context.Context, what, query string, args ...any) ([]store.Connection, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(what, err)
	}
	defer rows.Close()
	var out []store.Connection
	for rows.Next() {
		c, err := s.scanConn(rows)
		if err != nil {
			return nil, wrap(what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(what, err)
	}
	return out, nil
}

const (
	listConnsSQL = `SELECT ` + connCols + ` FROM connections
		WHERE user_id = ? ORDER BY vendor, label, id`
	expiringSQL = `SELECT ` + connCols + ` FROM connections
		WHERE status = ? AND access_expires_at < ? ORDER BY access_expires_at, id LIMIT ?`
)

// ListConnections implements [store.Connections].
func (s *Store) ListConnections(ctx context.Context, userID string) ([]store.Connection, error) {
	return s.listConns(ctx, "list connections", listConnsSQL, userID)
}

// ListExpiringConnections implements [store.Connections]. Connections with
// no access expiry never appear.
func (s *Store) ListExpiringConnections(ctx context.Context, before time.Time, limit int) ([]store.Connection, error) {
	n, ok := limitArg(limit)
	if !ok {
		return nil, nil
	}
	return s.listConns(ctx, "list expiring connections", expiringSQL, string(store.StatusOK), tn(before), n)
}

// UpdateConnection implements [store.Connections]. It reads the row, runs
// fn and writes what fn returns in one IMMEDIATE transaction on the single
// writer: other writers, in this process or another, wait for it, so fn runs
// exactly once. It writes every field but the id, the owner and CreatedAt,
// and seals the secret afresh (under the keyring's current key).
func (s *Store) UpdateConnection(ctx context.Context, id string, fn func(store.Connection) (store.Connection, error)) (store.Connection, error) {
	var out store.Connection
	err := s.write(ctx, func(tx *sql.Tx) error {
		cur, err := s.scanConn(tx.QueryRowContext(ctx, `SELECT `+connCols+` FROM connections WHERE id = ?`, id))
		if err != nil {
			return wrap("update connection", err)
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		next.ID, next.UserID, next.CreatedAt, next.Version = cur.ID, cur.UserID, cur.CreatedAt, cur.Version+1
		keyID, sealed, err := s.keys.Seal(next.Secret, secretAAD(next.ID, next.UserID))
		if err != nil {
			return fmt.Errorf("sqlstore: update connection: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE connections SET
			vendor = ?, account_id = ?, label = ?, auth_kind = ?, secret_key_id = ?, secret = ?,
			access_expires_at = ?, refresh_expires_at = ?, status = ?, last_error = ?,
			updated_at = ?, version = ?
			WHERE id = ?`,
			next.Vendor, next.AccountID, next.Label, string(next.AuthKind), keyID, sealed,
			tv(next.AccessExpiresAt), tv(next.RefreshExpiresAt), string(next.Status), next.LastError,
			tv(next.UpdatedAt), next.Version, next.ID)
		if err != nil {
			return wrap("update connection", err)
		}
		out = next
		return nil
	})
	if err != nil {
		return store.Connection{}, err
	}
	out.Secret = append([]byte(nil), out.Secret...)
	out.AccessExpiresAt, out.RefreshExpiresAt = utc(out.AccessExpiresAt), utc(out.RefreshExpiresAt)
	out.UpdatedAt = utc(out.UpdatedAt)
	return out, nil
}

// DeleteConnection implements [store.Connections].
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	return s.mustChange(ctx, "delete connection", `DELETE FROM connections WHERE id = ?`, id)
}
