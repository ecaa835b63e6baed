package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// idleKept is what keeps an idle document client, given now twice: a code
// that has not expired (a flow under way), a draft (the host's record,
// which would go with the client), or a live grant: one unrevoked, with an
// unrevoked token that has not expired. No token outlives its grant's
// absolute lifetime, so a grant past it has none.
const idleKept = `
	AND NOT EXISTS (SELECT 1 FROM auth_codes WHERE auth_codes.client_id = clients.id
		AND auth_codes.expires_at > ?)
	AND NOT EXISTS (SELECT 1 FROM drafts WHERE drafts.client_id = clients.id)
	AND NOT EXISTS (SELECT 1 FROM grants JOIN tokens ON tokens.grant_id = grants.id
		WHERE grants.client_id = clients.id AND grants.revoked_at IS NULL
		AND tokens.revoked_at IS NULL AND tokens.expires_at > ?)`

// The two halves of DeleteIdleDocumentClients, each finding its rows by an
// index (clients_document_last_used, 0008); one OR of the two would read
// the whole table.
const (
	// idleUsedClientsSQL: used before a time.
	idleUsedClientsSQL = `DELETE FROM clients
	WHERE metadata_url <> '' AND last_used_at < ?` + idleKept
	// idleUnusedClientsSQL: never used, created before a time.
	idleUnusedClientsSQL = `DELETE FROM clients
	WHERE last_used_at IS NULL AND created_at < ? AND metadata_url <> ''` + idleKept
)

// DeleteIdleDocumentClients implements [store.Clients]. Both halves run in
// one transaction.
func (s *Store) DeleteIdleDocumentClients(ctx context.Context, usedBefore, unusedBefore, now time.Time) (int64, error) {
	var total int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, d := range []struct {
			query  string
			before time.Time
		}{{idleUsedClientsSQL, usedBefore}, {idleUnusedClientsSQL, unusedBefore}} {
			res, err := tx.ExecContext(ctx, d.query, tn(d.before), tn(now), tn(now))
			if err != nil {
				return wrap("delete idle document clients", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("sqlstore: delete idle document clients: %w", err)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}
