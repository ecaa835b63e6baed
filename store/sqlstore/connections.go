package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// secretAAD binds a sealed secret to its row: a blob copied into another
// connection, or another user's, does not open.
func secretAAD(id, userID string) []byte {
	return []byte(id + "\x00" + userID)
}

const connCols = `id, user_id, team_id, vendor, account_id, label, auth_kind, secret_key_id, secret,
	access_expires_at, refresh_expires_at, status, last_error, version, created_at, updated_at`

// CreateConnection implements [store.Connections]. The stored version is 1
// whatever c.Version says. The secret is sealed inside the write
// transaction: a key rotation's pass waits for it (see ResealSecrets), so a
// value sealed under a key being retired is never committed behind its back.
func (s *Store) CreateConnection(ctx context.Context, c store.Connection) error {
	return s.write(ctx, func(tx *txn) error {
		if err := tx.sealing(ctx); err != nil {
			return wrap("create connection", err)
		}
		keyID, sealed, err := s.keys.Seal(c.Secret, secretAAD(c.ID, c.UserID))
		if err != nil {
			return fmt.Errorf("sqlstore: create connection: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO connections (`+connCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			c.ID, c.UserID, c.TeamID, c.Vendor, c.AccountID, c.Label, string(c.AuthKind), keyID, sealed,
			tv(c.AccessExpiresAt), tv(c.RefreshExpiresAt), string(c.Status), c.LastError,
			tv(c.CreatedAt), tv(c.UpdatedAt))
		if err != nil {
			return wrap("create connection", err)
		}
		return tx.notify(ctx, store.TopicConnections, c.ID)
	})
}

// readNote is what a reader of a connection row must know beyond the
// connection it is shown: whether its secret opened, and whether the status
// shown is not the one stored.
type readNote struct {
	// unopened: the secret did not open; keyID and sealed are the stored
	// value, kept as it is.
	unopened bool
	keyID    string
	sealed   []byte
	// restatus: store the status and error shown (conditionally).
	restatus bool
}

// scanConn reads a row and opens its secret. A secret that does not open is
// not an error: one undecryptable row must not fail the host's whole list,
// the tools or the refresher, so that connection alone is shown needing the
// host, without a secret. A connection marked so earlier whose secret opens
// again (its key is back) is shown as it was before the mark: ok.
func (s *Store) scanConn(row interface{ Scan(...any) error }) (c store.Connection, n readNote, err error) {
	var keyID string
	var sealed []byte
	err = row.Scan(&c.ID, &c.UserID, &c.TeamID, &c.Vendor, &c.AccountID, &c.Label, (*string)(&c.AuthKind),
		&keyID, &sealed, tc(&c.AccessExpiresAt), tc(&c.RefreshExpiresAt), (*string)(&c.Status),
		&c.LastError, &c.Version, tc(&c.CreatedAt), tc(&c.UpdatedAt))
	if err != nil {
		return store.Connection{}, n, err
	}
	marked := c.Status == store.StatusNeedsReauth && c.LastError == store.UnopenableSecret
	c.Secret, err = s.keys.Open(keyID, sealed, secretAAD(c.ID, c.UserID))
	switch {
	case errors.Is(err, store.ErrSealed):
		n = readNote{unopened: true, keyID: keyID, sealed: sealed}
		c.Secret = nil
		// A connection already waiting for the host keeps its reason.
		if c.Status != store.StatusNeedsReauth {
			c.Status, c.LastError, n.restatus = store.StatusNeedsReauth, store.UnopenableSecret, true
		}
	case err != nil:
		return store.Connection{}, n, fmt.Errorf("connection %s: %w", c.ID, err)
	case marked:
		c.Status, c.LastError, n.restatus = store.StatusOK, "", true
	}
	return c, n, nil
}

// restatus stores the status and error a reader was shown, unless the row
// changed since it was read (its writer decided). A failed write is not the
// reader's failure: the next read tries again.
func (s *Store) restatus(ctx context.Context, c *store.Connection) {
	n, err := s.exec(ctx, "store connection status", `UPDATE connections
		SET status = ?, last_error = ?, version = version + 1 WHERE id = ? AND version = ?`,
		string(c.Status), c.LastError, c.ID, c.Version)
	if err == nil && n == 1 {
		c.Version++
	}
}

// GetConnection implements [store.Connections]. A secret that does not open
// gives the connection marked needs_reauth, and stores the mark; one that
// opens again clears it.
func (s *Store) GetConnection(ctx context.Context, id string) (store.Connection, error) {
	c, n, err := s.scanConn(s.r.QueryRowContext(ctx, `SELECT `+connCols+` FROM connections WHERE id = ?`, id))
	if err != nil {
		return store.Connection{}, wrap("get connection", err)
	}
	if n.restatus {
		s.restatus(ctx, &c)
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
	var fix []int
	for rows.Next() {
		c, n, err := s.scanConn(rows)
		if err != nil {
			return nil, wrap(what, err)
		}
		if n.restatus {
			fix = append(fix, len(out))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(what, err)
	}
	rows.Close()
	for _, i := range fix {
		s.restatus(ctx, &out[i])
	}
	return out, nil
}

const (
	// A host's own connections, and its teams'. The two halves use the
	// (user_id, vendor, account_id) key and connections_team_account.
	listConnsSQL = `SELECT ` + connCols + ` FROM connections
		WHERE user_id = ? AND team_id = ''
		UNION ALL
		SELECT ` + connCols + ` FROM connections
		WHERE team_id <> '' AND team_id IN (SELECT team_id FROM team_members WHERE user_id = ?)
		ORDER BY vendor, label, id`
	expiringSQL = `SELECT ` + connCols + ` FROM connections
		WHERE status = ? AND access_expires_at < ? ORDER BY access_expires_at, id LIMIT ?`
)

// ListConnections implements [store.Connections].
func (s *Store) ListConnections(ctx context.Context, userID string) ([]store.Connection, error) {
	return s.listConns(ctx, "list connections", listConnsSQL, userID, userID)
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
// fn and writes what fn returns in one write transaction, having locked
// the row: on SQLite the single writer's IMMEDIATE transaction, on
// Postgres SELECT … FOR UPDATE. Other writers of the row, in this process
// or another, wait for it, so fn runs once, on the row as it is. It writes
// every field but the id, the owner and CreatedAt, and seals the secret
// afresh (under the keyring's current key), except an unopenable one fn
// gave no replacement for, which stays as it was.
func (s *Store) UpdateConnection(ctx context.Context, id string, fn func(store.Connection) (store.Connection, error)) (store.Connection, error) {
	var out store.Connection
	err := s.write(ctx, func(tx *txn) error {
		cur, n, err := s.scanConn(tx.QueryRowContext(ctx,
			`SELECT `+connCols+` FROM connections WHERE id = ?`+tx.d.forUpdate, id))
		if err != nil {
			return wrap("update connection", err)
		}
		if err := tx.sealing(ctx); err != nil {
			return wrap("update connection", err)
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		next.ID, next.UserID, next.TeamID, next.CreatedAt, next.Version = cur.ID, cur.UserID, cur.TeamID, cur.CreatedAt, cur.Version+1
		var keyID string
		var sealed []byte
		if n.unopened && len(next.Secret) == 0 {
			// Nothing new to seal: keep what could not be opened.
			keyID, sealed = n.keyID, n.sealed
		} else if keyID, sealed, err = s.keys.Seal(next.Secret, secretAAD(next.ID, next.UserID)); err != nil {
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
		return tx.notify(ctx, store.TopicConnections, next.ID)
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
	return s.writeNotify(ctx, "delete connection", store.TopicConnections, id, `DELETE FROM connections WHERE id = ?`, id)
}
