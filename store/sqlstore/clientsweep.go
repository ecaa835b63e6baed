package sqlstore

import (
	"context"
	"fmt"
	"strings"
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

// deleteLocked runs a DELETE FROM clients in tx, first locking the rows it
// is to delete (on Postgres; SQLite's writer holds everything already).
// A code or grant being created for one of them holds a lock on its row
// until it commits: the lock waits for it, and once held no new one can
// be made. The DELETE, a later statement, then sees every code and grant
// committed before and keeps their clients. It reports how many went.
func deleteLocked(ctx context.Context, tx *txn, what, query string, args ...any) (int64, error) {
	where, ok := strings.CutPrefix(query, "DELETE FROM clients")
	if !ok {
		return 0, fmt.Errorf("sqlstore: %s: not a delete of clients", what)
	}
	if err := tx.lock(ctx, `SELECT id FROM clients`+where, args...); err != nil {
		return 0, wrap(what, err)
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, wrap(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return n, nil
}

// DeleteIdleDocumentClients implements [store.Clients]. Both halves run in
// one transaction.
func (s *Store) DeleteIdleDocumentClients(ctx context.Context, usedBefore, unusedBefore, now time.Time) (int64, error) {
	var total int64
	err := s.write(ctx, func(tx *txn) error {
		total = 0 // a transaction run again counts afresh
		for _, d := range []struct {
			query  string
			before time.Time
		}{{idleUsedClientsSQL, usedBefore}, {idleUnusedClientsSQL, unusedBefore}} {
			n, err := deleteLocked(ctx, tx, "delete idle document clients", d.query, tn(d.before), tn(now), tn(now))
			if err != nil {
				return err
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
