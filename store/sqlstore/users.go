package sqlstore

import (
	"context"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

const userCols = `id, username, password_hash, issuer, subject, created_at`

// The unique indexes on username and (issuer, subject) are partial (empty
// values are nobody's); repeating their condition lets the queries use them.
const (
	userByNameSQL    = `SELECT ` + userCols + ` FROM users WHERE username = ? AND username <> ''`
	userBySubjectSQL = `SELECT ` + userCols + ` FROM users
		WHERE issuer = ? AND subject = ? AND subject <> ''`
)

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Issuer, &u.Subject, tc(&u.CreatedAt))
	return u, err
}

// CreateUser implements [store.Users].
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	_, err := s.exec(ctx, "create user",
		`INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.PasswordHash, u.Issuer, u.Subject, tv(u.CreatedAt))
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
