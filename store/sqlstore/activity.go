package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	if len(eventTeams(e)) > 0 {
		return s.write(ctx, func(tx *txn) error { return addTeamEvent(ctx, tx, e, args) })
	}
	_, err = s.exec(ctx, "add audit event", insertEventSQL, args...)
	return err
}

// eventTeams are the teams whose accounts an event touched, each once.
func eventTeams(e store.AuditEvent) []string {
	var teams []string
	for _, a := range e.Accounts {
		if a.Team != "" && !slices.Contains(teams, a.Team) {
			teams = append(teams, a.Team)
		}
	}
	return teams
}

// addTeamEvent inserts one event that touched teams' accounts, and lists
// it for each of those teams, in the caller's transaction.
func addTeamEvent(ctx context.Context, tx *txn, e store.AuditEvent, args []any) error {
	var id int64
	if err := tx.QueryRowContext(ctx, insertEventSQL+` RETURNING id`, args...).Scan(&id); err != nil {
		return wrap("add activity", err)
	}
	for _, team := range eventTeams(e) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_teams (team_id, at, event_id) VALUES (?, ?, ?)`,
			team, args[0], id); err != nil {
			return wrap("add activity: team", err)
		}
	}
	return nil
}

// AddActivity implements [store.Activity]: one transaction for the batch,
// many rows a statement (a statement's overhead in the pure-Go SQLite is
// several times a row's).
func (s *Store) AddActivity(ctx context.Context, events []store.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	// The batch in runs, in the order given: events of a host's own
	// accounts (most of them) many to an INSERT; an event that touched a
	// team's accounts alone, since its team rows need its id.
	type run struct {
		args []any
		team *store.AuditEvent // set for a team event; args are its own
	}
	var runs []run
	for i, e := range events {
		if e.At.IsZero() {
			return errors.New("sqlstore: add activity: an event has no time")
		}
		a, err := eventArgs(e)
		if err != nil {
			return fmt.Errorf("sqlstore: add activity: %w", err)
		}
		switch {
		case len(eventTeams(e)) > 0:
			runs = append(runs, run{args: a, team: &events[i]})
		case len(runs) == 0 || runs[len(runs)-1].team != nil:
			runs = append(runs, run{args: a})
		default:
			runs[len(runs)-1].args = append(runs[len(runs)-1].args, a...)
		}
	}
	return s.write(ctx, func(tx *txn) error {
		var full *sql.Stmt // the prepared statement, on this transaction
		for _, r := range runs {
			if r.team != nil {
				if err := addTeamEvent(ctx, tx, *r.team, r.args); err != nil {
					return err
				}
				continue
			}
			for rest := r.args; len(rest) > 0; {
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

// ListTeamActivity implements [store.Activity]: down the team's list,
// (team_id, at, event_id), joined to the events.
func (s *Store) ListTeamActivity(ctx context.Context, teamID string, f store.ActivityFilter) ([]store.AuditEvent, error) {
	n, ok := limitArg(f.Limit)
	if !ok {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + prefixed("e.", eventCols) + ` FROM activity_teams t JOIN audit_events e ON e.id = t.event_id
		WHERE t.team_id = ?`)
	args := activityConds(&q, "e.", []any{teamID}, f)
	q.WriteString(` ORDER BY t.at DESC, t.event_id DESC LIMIT ?`)
	rows, err := s.r.QueryContext(ctx, q.String(), append(args, n)...)
	if err != nil {
		return nil, wrap("list team activity", err)
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, wrap("list team activity", err)
		}
		out = append(out, e)
	}
	return out, wrap("list team activity", rows.Err())
}

// prefixed qualifies each column of a column list.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// activityQuery is ListActivity's query: it walks the index on (user_id,
// at, id) backwards from the cursor, filtering as it goes, so a page costs
// the rows it skips and returns, never a sort.
func activityQuery(userID string, f store.ActivityFilter, limit int64) (string, []any) {
	var q strings.Builder
	q.WriteString(`SELECT ` + eventCols + ` FROM audit_events WHERE user_id = ?`)
	args := activityConds(&q, "", []any{userID}, f)
	q.WriteString(` ORDER BY at DESC, id DESC LIMIT ?`)
	return q.String(), append(args, limit)
}

// activityConds adds the filter's conditions on the events' columns (named
// with prefix p) to q, and their values to args.
func activityConds(q *strings.Builder, p string, args []any, f store.ActivityFilter) []any {
	if len(f.Kinds) > 0 {
		q.WriteString(` AND ` + p + `kind IN (?` + strings.Repeat(`, ?`, len(f.Kinds)-1) + `)`)
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	for _, c := range []struct{ col, v string }{{"client_id", f.ClientID}, {"tool", f.Tool}, {"outcome", f.Outcome}} {
		if c.v != "" {
			q.WriteString(` AND ` + p + c.col + ` = ?`)
			args = append(args, c.v)
		}
	}
	if !f.Since.IsZero() {
		q.WriteString(` AND ` + p + `at >= ?`)
		args = append(args, tn(f.Since))
	}
	if !f.Until.IsZero() {
		q.WriteString(` AND ` + p + `at < ?`)
		args = append(args, tn(f.Until))
	}
	if f.Before != nil {
		var at int64
		if !f.Before.At.IsZero() {
			at = tn(f.Before.At)
		}
		q.WriteString(` AND (` + p + `at, ` + p + `id) < (?, ?)`)
		args = append(args, at, f.Before.ID)
	}
	return args
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
