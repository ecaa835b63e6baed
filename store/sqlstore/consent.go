package sqlstore

import (
	"context"

	"github.com/hostgate/hostgate/store"
)

// CreateConsentTransaction implements [store.ConsentTransactions].
func (s *Store) CreateConsentTransaction(ctx context.Context, c store.ConsentTransaction) error {
	_, err := s.exec(ctx, "create consent transaction",
		`INSERT INTO consent_transactions (hash, user_id, session_hash, request, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
		c.Hash, c.UserID, c.SessionHash, c.Request, tv(c.CreatedAt), tv(c.ExpiresAt))
	return err
}

// ConsumeConsentTransaction implements [store.ConsentTransactions] with one
// DELETE … RETURNING on the single write connection: exactly one caller
// gets the row.
func (s *Store) ConsumeConsentTransaction(ctx context.Context, hash string) (store.ConsentTransaction, error) {
	var c store.ConsentTransaction
	err := s.w.QueryRowContext(ctx,
		`DELETE FROM consent_transactions WHERE hash = ?
			RETURNING hash, user_id, session_hash, request, created_at, expires_at`, hash).
		Scan(&c.Hash, &c.UserID, &c.SessionHash, &c.Request, tc(&c.CreatedAt), tc(&c.ExpiresAt))
	if err != nil {
		return store.ConsentTransaction{}, wrap("consume consent transaction", err)
	}
	return c, nil
}
