package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

const codeCols = `hash, client_id, user_id, redirect_uri, challenge, scopes, resource,
	connections, created_at, expires_at, used_at, grant_id`

// CreateAuthCode implements [store.Grants].
func (s *Store) CreateAuthCode(ctx context.Context, c store.AuthCode) error {
	_, err := s.exec(ctx, "create auth code", `INSERT INTO auth_codes (`+codeCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Hash, c.ClientID, c.UserID, c.RedirectURI, c.Challenge, lv(c.Scopes), c.Resource,
		lv(c.Connections), tv(c.CreatedAt), tv(c.ExpiresAt), tv(c.UsedAt), c.GrantID)
	return err
}

// GetAuthCode implements [store.Grants].
func (s *Store) GetAuthCode(ctx context.Context, hash string) (store.AuthCode, error) {
	var c store.AuthCode
	err := s.r.QueryRowContext(ctx, `SELECT `+codeCols+` FROM auth_codes WHERE hash = ?`, hash).Scan(
		&c.Hash, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Challenge, lc(&c.Scopes), &c.Resource,
		lc(&c.Connections), tc(&c.CreatedAt), tc(&c.ExpiresAt), tc(&c.UsedAt), &c.GrantID)
	if err != nil {
		return store.AuthCode{}, wrap("get auth code", err)
	}
	return c, nil
}

// RedeemAuthCode implements [store.Grants]. The store does not check the
// code's expiry, client or redirect URI: the caller has done so.
func (s *Store) RedeemAuthCode(ctx context.Context, hash string, now time.Time, g store.Grant, access, refresh store.Token) error {
	if g.ID == "" {
		return errors.New("sqlstore: redeem auth code: grant has no id")
	}
	return s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE auth_codes SET used_at = ?, grant_id = ? WHERE hash = ? AND used_at IS NULL`,
			tn(now), g.ID, hash)
		if err != nil {
			return wrap("redeem auth code", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return wrap("redeem auth code", err)
		} else if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM auth_codes WHERE hash = ?`, hash).Scan(&one)
			if err == nil {
				return fmt.Errorf("sqlstore: redeem auth code: %w", store.ErrUsed)
			}
			return wrap("redeem auth code", err)
		}
		if err := insertGrant(ctx, tx, g); err != nil {
			return err
		}
		access.GrantID, refresh.GrantID = g.ID, g.ID
		return insertTokens(ctx, tx, access, refresh)
	})
}

func insertGrant(ctx context.Context, tx *txn, g store.Grant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO grants
		(id, user_id, client_id, scopes, resource, connections, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.UserID, g.ClientID, lv(g.Scopes), g.Resource, lv(g.Connections),
		tv(g.CreatedAt), tv(g.RevokedAt))
	if err != nil {
		return wrap("create grant", err)
	}
	return nil
}

// insertTokens stores the tokens, skipping zero ones (no hash): a client
// without the refresh_token grant type gets no refresh token.
func insertTokens(ctx context.Context, tx *txn, ts ...store.Token) error {
	for _, t := range ts {
		if t.Hash == "" {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens
			(hash, kind, grant_id, scopes, parent_hash, created_at, expires_at, used_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Hash, string(t.Kind), t.GrantID, lv(t.Scopes), t.ParentHash, tv(t.CreatedAt), tv(t.ExpiresAt),
			tv(t.UsedAt), tv(t.RevokedAt))
		if err != nil {
			return wrap("create "+string(t.Kind)+" token", err)
		}
	}
	return nil
}

const grantCols = `id, user_id, client_id, scopes, resource, connections, created_at, revoked_at`

// getTokenSQL reads a token and its grant in one query.
const getTokenSQL = `SELECT
	t.hash, t.kind, t.grant_id, t.scopes, t.parent_hash, t.created_at, t.expires_at, t.used_at, t.revoked_at,
	g.id, g.user_id, g.client_id, g.scopes, g.resource, g.connections, g.created_at, g.revoked_at
	FROM tokens t JOIN grants g ON g.id = t.grant_id WHERE t.hash = ?`

func scanTokenGrant(row *sql.Row) (store.Token, store.Grant, error) {
	var t store.Token
	var g store.Grant
	err := row.Scan(
		&t.Hash, (*string)(&t.Kind), &t.GrantID, lc(&t.Scopes), &t.ParentHash, tc(&t.CreatedAt),
		tc(&t.ExpiresAt), tc(&t.UsedAt), tc(&t.RevokedAt),
		&g.ID, &g.UserID, &g.ClientID, lc(&g.Scopes), &g.Resource, lc(&g.Connections),
		tc(&g.CreatedAt), tc(&g.RevokedAt))
	return t, g, err
}

func scanGrant(row interface{ Scan(...any) error }) (store.Grant, error) {
	var g store.Grant
	err := row.Scan(&g.ID, &g.UserID, &g.ClientID, lc(&g.Scopes), &g.Resource,
		lc(&g.Connections), tc(&g.CreatedAt), tc(&g.RevokedAt))
	return g, err
}

// GetToken implements [store.Grants] with one prepared query on the read pool.
func (s *Store) GetToken(ctx context.Context, hash string) (store.Token, store.Grant, error) {
	t, g, err := scanTokenGrant(s.getToken.QueryRowContext(ctx, hash))
	if err != nil {
		return store.Token{}, store.Grant{}, wrap("get token", err)
	}
	return t, g, nil
}

// RevokeToken implements [store.Grants]. A revoked token keeps its first
// revocation time.
func (s *Store) RevokeToken(ctx context.Context, hash string, at time.Time) error {
	return s.writeNotify(ctx, "revoke token", store.TopicGrants, "",
		`UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE hash = ?`, tn(at), hash)
}

// GetGrant implements [store.Grants].
func (s *Store) GetGrant(ctx context.Context, id string) (store.Grant, error) {
	g, err := scanGrant(s.r.QueryRowContext(ctx, `SELECT `+grantCols+` FROM grants WHERE id = ?`, id))
	if err != nil {
		return store.Grant{}, wrap("get grant", err)
	}
	return g, nil
}

const listGrantsSQL = `SELECT ` + grantCols + ` FROM grants
	WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id DESC`

// ListGrants implements [store.Grants].
func (s *Store) ListGrants(ctx context.Context, userID string) ([]store.Grant, error) {
	rows, err := s.r.QueryContext(ctx, listGrantsSQL, userID)
	if err != nil {
		return nil, wrap("list grants", err)
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, wrap("list grants", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list grants", err)
	}
	return out, nil
}

// RevokeGrant implements [store.Grants]. A revoked grant keeps its first
// revocation time.
func (s *Store) RevokeGrant(ctx context.Context, id string, at time.Time) error {
	return s.writeNotify(ctx, "revoke grant", store.TopicGrants, id,
		`UPDATE grants SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, tn(at), id)
}

const revokeClientSQL = `UPDATE grants SET revoked_at = ?
	WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL`

// RevokeClient implements [store.Grants]. It succeeds with 0 when the host
// has neither grant nor approval for the client.
func (s *Store) RevokeClient(ctx context.Context, userID, clientID string, at time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *txn) error {
		// Codes issued and not yet redeemed would otherwise still yield a
		// new grant; redeemed ones stay so that a replay is recognised.
		// First: on Postgres this waits for a redemption in progress
		// (which locked its code), so that the grants revoked next include
		// the one it created.
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM auth_codes WHERE user_id = ? AND client_id = ? AND used_at IS NULL`,
			userID, clientID); err != nil {
			return wrap("revoke client: delete codes", err)
		}
		res, err := tx.ExecContext(ctx, revokeClientSQL, tn(at), userID, clientID)
		if err != nil {
			return wrap("revoke client", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return wrap("revoke client", err)
		}
		if _, err = tx.ExecContext(ctx,
			`DELETE FROM approvals WHERE user_id = ? AND client_id = ?`, userID, clientID); err != nil {
			return wrap("revoke client", err)
		}
		return tx.notify(ctx, store.TopicGrants, clientID)
	})
	return n, err
}
