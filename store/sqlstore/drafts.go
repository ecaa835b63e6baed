package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

const draftCols = `id, user_id, client_id, grant_id, tool, args, key, summary, status, via,
	result, error, created_at, updated_at`

// bv is a byte slice as the database stores it: never NULL, so that nil and
// empty are one value.
func bv(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func scanDraft(row interface{ Scan(...any) error }) (store.Draft, error) {
	var d store.Draft
	err := row.Scan(&d.ID, &d.UserID, &d.ClientID, &d.GrantID, &d.Tool, &d.Args, &d.Key,
		&d.Summary, (*string)(&d.Status), &d.Via, &d.Result, &d.Error,
		tc(&d.CreatedAt), tc(&d.UpdatedAt))
	if len(d.Args) == 0 {
		d.Args = nil
	}
	if len(d.Result) == 0 {
		d.Result = nil
	}
	return d, err
}

// CreateDraft implements [store.Drafts]. A draft of a missing user or client
// is ErrNotFound; its grant is not checked (see migration 0004).
func (s *Store) CreateDraft(ctx context.Context, d store.Draft) error {
	_, err := s.exec(ctx, "create draft", `INSERT INTO drafts (`+draftCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.UserID, d.ClientID, d.GrantID, d.Tool, bv(d.Args), d.Key, d.Summary,
		string(d.Status), d.Via, bv(d.Result), d.Error, tv(d.CreatedAt), tv(d.UpdatedAt))
	return err
}

// GetDraft implements [store.Drafts].
func (s *Store) GetDraft(ctx context.Context, id string) (store.Draft, error) {
	d, err := scanDraft(s.r.QueryRowContext(ctx, `SELECT `+draftCols+` FROM drafts WHERE id = ?`, id))
	if err != nil {
		return store.Draft{}, wrap("get draft", err)
	}
	return d, nil
}

const (
	findDraftSQL = `SELECT ` + draftCols + ` FROM drafts
		WHERE grant_id = ? AND key = ? AND created_at >= ?
		ORDER BY created_at DESC, id DESC LIMIT 1`
	listDraftsSQL = `SELECT ` + draftCols + ` FROM drafts
		WHERE user_id = ? AND client_id = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`
	updateDraftSQL = `UPDATE drafts SET
		status = ?, via = ?, args = ?, summary = ?, result = ?, error = ?, updated_at = ?
		WHERE id = ? AND status = ?
		RETURNING ` + draftCols
)

// FindDraft implements [store.Drafts]: since is inclusive; of drafts
// created at the same instant the greatest id wins.
func (s *Store) FindDraft(ctx context.Context, grantID, key string, since time.Time) (store.Draft, error) {
	d, err := scanDraft(s.r.QueryRowContext(ctx, findDraftSQL, grantID, key, tn(since)))
	if err != nil {
		return store.Draft{}, wrap("find draft", err)
	}
	return d, nil
}

// ListDrafts implements [store.Drafts]: newest first, and of drafts created
// at the same instant the greatest id first.
func (s *Store) ListDrafts(ctx context.Context, userID, clientID string, limit int) ([]store.Draft, error) {
	n, ok := limitArg(limit)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, listDraftsSQL, userID, clientID, n)
	if err != nil {
		return nil, wrap("list drafts", err)
	}
	defer rows.Close()
	var out []store.Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, wrap("list drafts", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list drafts", err)
	}
	return out, nil
}

// UpdateDraft implements [store.Drafts] with one UPDATE … RETURNING on the
// single write connection: the status test and the write are one statement,
// so of concurrent updates from one status exactly one matches the row.
// Only when none matched does it look, in the same transaction, whether the
// draft exists at all.
func (s *Store) UpdateDraft(ctx context.Context, d store.Draft, from store.DraftStatus) (store.Draft, error) {
	var out store.Draft
	err := s.write(ctx, func(tx *txn) error {
		var err error
		out, err = scanDraft(tx.QueryRowContext(ctx, updateDraftSQL,
			string(d.Status), d.Via, bv(d.Args), d.Summary, bv(d.Result), d.Error, tv(d.UpdatedAt),
			d.ID, string(from)))
		if errors.Is(err, sql.ErrNoRows) {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM drafts WHERE id = ?`, d.ID).Scan(&one)
			if err == nil {
				return fmt.Errorf("sqlstore: update draft: status is not %s: %w", from, store.ErrConflict)
			}
			return wrap("update draft", err)
		}
		return wrap("update draft", err)
	})
	if err != nil {
		return store.Draft{}, err
	}
	return out, nil
}
