package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

const userCols = `id, username, password_hash, issuer, subject, email, created_at, disabled_at`

// The unique indexes on username and (issuer, subject) are partial (empty
// values are nobody's); repeating their condition lets the queries use them.
const (
	userByNameSQL    = `SELECT ` + userCols + ` FROM users WHERE username = ? AND username <> ''`
	userBySubjectSQL = `SELECT ` + userCols + ` FROM users
		WHERE issuer = ? AND subject = ? AND subject <> ''`
)

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Issuer, &u.Subject, &u.Email,
		tc(&u.CreatedAt), tc(&u.DisabledAt))
	return u, err
}

// CreateUser implements [store.Users].
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	_, err := s.exec(ctx, "create user",
		`INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.PasswordHash, u.Issuer, u.Subject, u.Email, tv(u.CreatedAt), tv(u.DisabledAt))
	return err
}

// GetUser implements [store.Users].
func (s *Store) GetUser(ctx context.Context, id string) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return store.User{}, wrap("get user", err)
	}
	return u, nil
}

// GetUserByUsername implements [store.Users]. The empty username names no one.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (store.User, error) {
	if username == "" {
		return store.User{}, fmt.Errorf("sqlstore: get user by username: %w", store.ErrNotFound)
	}
	u, err := scanUser(s.r.QueryRowContext(ctx, userByNameSQL, username))
	if err != nil {
		return store.User{}, wrap("get user by username", err)
	}
	return u, nil
}

// GetUserBySubject implements [store.Users]. An empty subject names no one.
func (s *Store) GetUserBySubject(ctx context.Context, issuer, subject string) (store.User, error) {
	if subject == "" {
		return store.User{}, fmt.Errorf("sqlstore: get user by subject: %w", store.ErrNotFound)
	}
	u, err := scanUser(s.r.QueryRowContext(ctx, userBySubjectSQL, issuer, subject))
	if err != nil {
		return store.User{}, wrap("get user by subject", err)
	}
	return u, nil
}

// SetPasswordHash implements [store.Users].
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	return s.mustChange(ctx, "set password hash",
		`UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
}

// SetUserEmail implements [store.Users].
func (s *Store) SetUserEmail(ctx context.Context, userID, email string) error {
	return s.mustChange(ctx, "set user email", `UPDATE users SET email = ? WHERE id = ?`, email, userID)
}

// ListUsers implements [store.Users].
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list users", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, wrap("list users", err)
		}
		out = append(out, u)
	}
	return out, wrap("list users", rows.Err())
}

// DisableUser implements [store.Users]: the flag, the grants, the codes
// and the sessions change together, so there is no moment at which a
// disabled host still has a working token or browser.
func (s *Store) DisableUser(ctx context.Context, userID string, at time.Time) error {
	return s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?`, tn(at), userID)
		if err != nil {
			return wrap("disable user", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return wrap("disable user", err)
		} else if n == 0 {
			return fmt.Errorf("sqlstore: disable user: %w", store.ErrNotFound)
		}
		// Codes first: on Postgres this waits for a redemption in
		// progress (which locked its code), and revoking the grants next
		// waits for a rotation in progress (which locked its grant), so
		// the grants and tokens they create are revoked too.
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM auth_codes WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
			return wrap("disable user: delete codes", err)
		}
		for _, q := range []string{
			`UPDATE grants SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
			`UPDATE tokens SET revoked_at = ? WHERE revoked_at IS NULL
				AND grant_id IN (SELECT id FROM grants WHERE user_id = ?)`,
		} {
			if _, err := tx.ExecContext(ctx, q, tn(at), userID); err != nil {
				return wrap("disable user: revoke", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM browser_sessions WHERE user_id = ?`, userID); err != nil {
			return wrap("disable user: end sessions", err)
		}
		if err := tx.notify(ctx, store.TopicGrants, userID); err != nil {
			return err
		}
		return tx.notify(ctx, store.TopicConnections, userID)
	})
}

// EnableUser implements [store.Users].
func (s *Store) EnableUser(ctx context.Context, userID string) error {
	return s.mustChange(ctx, "enable user", `UPDATE users SET disabled_at = NULL WHERE id = ?`, userID)
}
