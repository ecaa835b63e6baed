package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
)

// The activity log lives in audit_events (migrations 0001 and 0014).

const eventCols = `id, at, user_id, client_id, kind, detail, app_name, tool, accounts, outcome, duration, facts, text, ref`

const insertEventSQL = `INSERT INTO audit_events
	(at, user_id, client_id, kind, detail, app_name, tool, accounts, outcome, duration, facts, text, ref)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// jv is a list as the database stores it: a JSON array, never NULL.
func jv[T any](l []T) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// eventArgs are an event's values for insertEventSQL. A zero time is
// stored as 0, the oldest there is, so that every event has a place in
// the log's order.
func eventArgs(e store.AuditEvent) ([]any, error) {
	accounts, err := jv(e.Accounts)
	if err != nil {
		return nil, err
	}
	facts, err := jv(e.Facts)
	if err != nil {
		return nil, err
	}
	var at int64
	if !e.At.IsZero() {
		at = tn(e.At)
	}
	return []any{at, e.UserID, e.ClientID, e.Kind, e.Detail, e.AppName, e.Tool, accounts, e.Outcome,
		int64(e.Duration), facts, e.Text, e.Ref}, nil
}

// AddAuditEvent implements [store.Audit]. e.ID is ignored: the store numbers
// events.
func (s *Store) AddAuditEvent(ctx context.Context, e store.AuditEvent) error {
	args, err := eventArgs(e)
	if err != nil {
		return fmt.Errorf("sqlstore: add audit event: %w", err)
	}
	_, err = s.exec(ctx, "add audit event", insertEventSQL, args...)
	return err
}

// AddActivity implements [store.Activity]: one transaction for the batch,
// many rows a statement (a statement's overhead in the pure-Go SQLite is
// several times a row's).
func (s *Store) AddActivity(ctx context.Context, events []store.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	args := make([]any, 0, len(events)*eventArgCount)
	for _, e := range events {
		if e.At.IsZero() {
			return errors.New("sqlstore: add activity: an event has no time")
		}
		a, err := eventArgs(e)
		if err != nil {
			return fmt.Errorf("sqlstore: add activity: %w", err)
		}
		args = append(args, a...)
	}
	return s.write(ctx, func(tx *txn) error {
		var full *sql.Stmt // the prepared statement, on this transaction
		for rest := args; len(rest) > 0; {
			n := min(len(rest)/eventArgCount, eventsPerInsert)
			var err error
			if n == eventsPerInsert {
				if full == nil {
					full = tx.StmtContext(ctx, s.addEvents)
				}
				_, err = full.ExecContext(ctx, rest[:n*eventArgCount]...)
			} else {
				_, err = tx.ExecContext(ctx, buildInsertEvents(n), rest[:n*eventArgCount]...)
			}
			if err != nil {
				return wrap("add activity", err)
			}
			rest = rest[n*eventArgCount:]
		}
		return nil
	})
}

// eventArgCount is the number of values of one event's row.
const eventArgCount = 13

// eventsPerInsert is the most rows one INSERT carries: 650 values, well
// under SQLite's limit of 32766.
const eventsPerInsert = 50

// fullInsertSQL is the INSERT of eventsPerInsert rows, prepared once
// (Store.addEvents).
var fullInsertSQL = buildInsertEvents(eventsPerInsert)

func buildInsertEvents(n int) string {
	row := "(" + strings.Repeat("?, ", eventArgCount-1) + "?)"
	return strings.TrimSuffix(insertEventSQL, row) + strings.Repeat(row+", ", n-1) + row
}

// jsonCol scans a JSON array column into a slice; an empty array gives nil.
type jsonCol[T any] struct{ l *[]T }

func (c jsonCol[T]) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		*c.l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("JSON column holds %T", v)
	}
	var l []T
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("JSON column: %w", err)
	}
	if len(l) == 0 {
		l = nil
	}
	*c.l = l
	return nil
}

func scanEvent(row interface{ Scan(...any) error }) (store.AuditEvent, error) {
	var e store.AuditEvent
	var dur int64
	err := row.Scan(&e.ID, tc(&e.At), &e.UserID, &e.ClientID, &e.Kind, &e.Detail, &e.AppName, &e.Tool,
		jsonCol[store.EventAccount]{&e.Accounts}, &e.Outcome, &dur, jsonCol[store.EventFact]{&e.Facts}, &e.Text, &e.Ref)
	e.Duration = time.Duration(dur)
	return e, err
}

// ListAuditEvents implements [store.Audit]: newest first (by time, then by
// insertion), at most limit; a limit below 1 gives none.
func (s *Store) ListAuditEvents(ctx context.Context, userID string, limit int) ([]store.AuditEvent, error) {
	return s.ListActivity(ctx, userID, store.ActivityFilter{Limit: limit})
}

// ListActivity implements [store.Activity].
func (s *Store) ListActivity(ctx context.Context, userID string, f store.ActivityFilter) ([]store.AuditEvent, error) {
	n, ok := limitArg(f.Limit)
	if !ok {
		return nil, nil
	}
	query, args := activityQuery(userID, f, n)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap("list activity", err)
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, wrap("list activity", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list activity", err)
	}
	return out, nil
}

// activityQuery is ListActivity's query: it walks the index on (user_id,
// at, id) backwards from the cursor, filtering as it goes, so a page costs
// the rows it skips and returns, never a sort.
func activityQuery(userID string, f store.ActivityFilter, limit int64) (string, []any) {
	var q strings.Builder
	q.WriteString(`SELECT ` + eventCols + ` FROM audit_events WHERE user_id = ?`)
	args := []any{userID}
	if len(f.Kinds) > 0 {
		q.WriteString(` AND kind IN (?` + strings.Repeat(`, ?`, len(f.Kinds)-1) + `)`)
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	for _, c := range []struct{ col, v string }{{"client_id", f.ClientID}, {"tool", f.Tool}, {"outcome", f.Outcome}} {
		if c.v != "" {
			q.WriteString(` AND ` + c.col + ` = ?`)
			args = append(args, c.v)
		}
	}
	if !f.Since.IsZero() {
		q.WriteString(` AND at >= ?`)
		args = append(args, tn(f.Since))
	}
	if !f.Until.IsZero() {
		q.WriteString(` AND at < ?`)
		args = append(args, tn(f.Until))
	}
	if f.Before != nil {
		var at int64
		if !f.Before.At.IsZero() {
			at = tn(f.Before.At)
		}
		q.WriteString(` AND (at, id) < (?, ?)`)
		args = append(args, at, f.Before.ID)
	}
	q.WriteString(` ORDER BY at DESC, id DESC LIMIT ?`)
	return q.String(), append(args, limit)
}

const deleteActivitySQL = `DELETE FROM audit_events WHERE id IN
	(SELECT id FROM audit_events WHERE at < ? LIMIT ?)`

// retentionBatch is how many events one transaction of the retention sweep
// deletes: small enough that tool calls waiting to be logged, and every
// other write, wait milliseconds, not seconds.
const retentionBatch = 2000

// DeleteActivityBefore implements [store.Activity], a batch per
// transaction.
func (s *Store) DeleteActivityBefore(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		n, err := s.exec(ctx, "delete old activity", deleteActivitySQL, tn(before), retentionBatch)
		total += n
		if err != nil || n < retentionBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
