package sqlstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/hostgate/hostgate/store"
)

// A reseal cursor names the table a pass is in and the last key it read:
// "c:<connection id>", "s:<connect-state hash>" or "o:<sign-in state
// hash>". A pass walks connections by id, then connect states by hash,
// then OpenID Connect sign-in states by hash.
const (
	cursorConns   = "c:"
	cursorStates  = "s:"
	cursorSignIns = "o:"
)

// resealRow is one sealed secret read for re-sealing: enough to open it,
// to seal it again and to check at write time that it did not change.
type resealRow struct {
	key     string // connection id or state hash
	keyID   string
	sealed  []byte
	aad     []byte
	version int64 // connections only
	raw     string
	// ret is a sign-in state's return path as stored (sealed, or in clear
	// as an earlier version wrote it): sealed again under the verifier's
	// new key, since the row names one key for both. Nil elsewhere.
	ret *string
}

// ResealSecrets implements [store.Rekeying]. Rows are read and re-sealed
// outside any transaction; the rewrites of one batch then commit in one
// short IMMEDIATE transaction, each conditional on the row being as it was
// read. A connection's version does not rise: its content is unchanged,
// and a writer that read the row before keeps its claim on it.
func (s *Store) ResealSecrets(ctx context.Context, cursor string, limit int) (store.ResealBatch, error) {
	n, ok := limitArg(limit)
	if !ok {
		return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: limit %d, want at least 1", limit)
	}
	if cursor == "" {
		// Take the write lock once (on Postgres, the sealers' advisory
		// lock exclusively): a writer that sealed under the old current key
		// before it changed has committed once we hold it, so this pass
		// meets its row.
		if err := s.write(ctx, func(tx *txn) error {
			if s.d.sealBarrier == "" {
				return nil
			}
			_, err := tx.ExecContext(ctx, s.d.sealBarrier)
			return err
		}); err != nil {
			return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: %w", err)
		}
		cursor = cursorConns
	}
	current := s.keys.Current()
	switch {
	case strings.HasPrefix(cursor, cursorConns):
		rows, err := s.resealConnsRead(ctx, strings.TrimPrefix(cursor, cursorConns), current, n)
		if err != nil {
			return store.ResealBatch{}, err
		}
		b, err := s.resealWrite(ctx, rows, `UPDATE connections SET secret_key_id = ?, secret = ?
			WHERE id = ? AND version = ? AND secret_key_id = ? AND secret = ?`,
			func(r resealRow, keyID string, sealed []byte, _ string) []any {
				return []any{keyID, sealed, r.key, r.version, r.keyID, r.sealed}
			})
		if err != nil {
			return store.ResealBatch{}, err
		}
		b.Next = cursorStates
		if int64(len(rows)) == n {
			b.Next = cursorConns + rows[len(rows)-1].key
		}
		return b, nil
	case strings.HasPrefix(cursor, cursorStates):
		rows, err := s.resealStatesRead(ctx, strings.TrimPrefix(cursor, cursorStates), current, n)
		if err != nil {
			return store.ResealBatch{}, err
		}
		b, err := s.resealWrite(ctx, rows, `UPDATE connect_states SET verifier_key = ?, verifier = ?
			WHERE hash = ? AND verifier_key = ? AND verifier = ?`,
			func(r resealRow, keyID string, sealed []byte, _ string) []any {
				return []any{keyID, base64.StdEncoding.EncodeToString(sealed), r.key, r.keyID, r.raw}
			})
		if err != nil {
			return store.ResealBatch{}, err
		}
		b.Next = cursorSignIns
		if int64(len(rows)) == n {
			b.Next = cursorStates + rows[len(rows)-1].key
		}
		return b, nil
	case strings.HasPrefix(cursor, cursorSignIns):
		rows, err := s.resealSignInsRead(ctx, strings.TrimPrefix(cursor, cursorSignIns), current, n)
		if err != nil {
			return store.ResealBatch{}, err
		}
		b, err := s.resealWrite(ctx, rows, `UPDATE signin_states SET verifier_key = ?, verifier = ?, return_to = ?
			WHERE hash = ? AND verifier_key = ? AND verifier = ? AND return_to = ?`,
			func(r resealRow, keyID string, sealed []byte, ret string) []any {
				return []any{keyID, base64.StdEncoding.EncodeToString(sealed), ret, r.key, r.keyID, r.raw, *r.ret}
			})
		if err != nil {
			return store.ResealBatch{}, err
		}
		if int64(len(rows)) == n {
			b.Next = cursorSignIns + rows[len(rows)-1].key
		}
		return b, nil
	}
	return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: cursor %q is not one this store gave", cursor)
}

func (s *Store) resealConnsRead(ctx context.Context, after, current string, n int64) ([]resealRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, user_id, secret_key_id, secret, version FROM connections
		WHERE id > ? AND secret_key_id <> ? ORDER BY id LIMIT ?`, after, current, n)
	if err != nil {
		return nil, wrap("reseal: read connections", err)
	}
	defer rows.Close()
	var out []resealRow
	for rows.Next() {
		var r resealRow
		var userID string
		if err := rows.Scan(&r.key, &userID, &r.keyID, &r.sealed, &r.version); err != nil {
			return nil, wrap("reseal: read connections", err)
		}
		r.aad = secretAAD(r.key, userID)
		out = append(out, r)
	}
	return out, wrap("reseal: read connections", rows.Err())
}

func (s *Store) resealStatesRead(ctx context.Context, after, current string, n int64) ([]resealRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hash, verifier_key, verifier FROM connect_states
		WHERE hash > ? AND verifier_key <> ? ORDER BY hash LIMIT ?`, after, current, n)
	if err != nil {
		return nil, wrap("reseal: read connect states", err)
	}
	defer rows.Close()
	var out []resealRow
	for rows.Next() {
		var r resealRow
		if err := rows.Scan(&r.key, &r.keyID, &r.raw); err != nil {
			return nil, wrap("reseal: read connect states", err)
		}
		// A verifier that is not base64 cannot open: sealed stays nil.
		r.sealed, _ = base64.StdEncoding.DecodeString(r.raw)
		r.aad = verifierAAD(r.key)
		out = append(out, r)
	}
	return out, wrap("reseal: read connect states", rows.Err())
}

func (s *Store) resealSignInsRead(ctx context.Context, after, current string, n int64) ([]resealRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hash, verifier_key, verifier, return_to FROM signin_states
		WHERE hash > ? AND verifier_key <> ? ORDER BY hash LIMIT ?`, after, current, n)
	if err != nil {
		return nil, wrap("reseal: read sign-in states", err)
	}
	defer rows.Close()
	var out []resealRow
	for rows.Next() {
		r := resealRow{ret: new(string)}
		if err := rows.Scan(&r.key, &r.keyID, &r.raw, r.ret); err != nil {
			return nil, wrap("reseal: read sign-in states", err)
		}
		r.sealed, _ = base64.StdEncoding.DecodeString(r.raw)
		r.aad = signInVerifierAAD(r.key)
		out = append(out, r)
	}
	return out, wrap("reseal: read sign-in states", rows.Err())
}

// resealHook, set only by a test (never a parallel one), runs between
// reading a batch and writing it: where a concurrent writer's change lands.
var resealHook func()

// resealWrite opens and seals every row again, then rewrites in one
// transaction those still as they were read.
func (s *Store) resealWrite(ctx context.Context, rows []resealRow, update string, args func(r resealRow, keyID string, sealed []byte, ret string) []any) (store.ResealBatch, error) {
	var b store.ResealBatch
	type sealedRow struct {
		r      resealRow
		keyID  string
		sealed []byte
		ret    string
	}
	var todo []sealedRow
	for _, r := range rows {
		plain, err := s.keys.Open(r.keyID, r.sealed, r.aad)
		if errors.Is(err, store.ErrSealed) {
			b.Unopenable++
			continue
		}
		if err != nil {
			return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: %w", err)
		}
		if r.ret != nil {
			ret, err := s.openSignInReturn(r.key, r.keyID, *r.ret)
			if errors.Is(err, store.ErrSealed) {
				clear(plain)
				b.Unopenable++
				continue
			}
			if err != nil {
				return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: %w", err)
			}
			keyID, sealed, storedRet, err := s.sealSignIn(r.key, plain, []byte(ret))
			clear(plain)
			if err != nil {
				return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: %w", err)
			}
			todo = append(todo, sealedRow{r, keyID, sealed, storedRet})
			continue
		}
		keyID, sealed, err := s.keys.Seal(plain, r.aad)
		clear(plain)
		if err != nil {
			return store.ResealBatch{}, fmt.Errorf("sqlstore: reseal: %w", err)
		}
		todo = append(todo, sealedRow{r, keyID, sealed, ""})
	}
	if len(todo) == 0 {
		return b, nil
	}
	if resealHook != nil {
		resealHook()
	}
	err := s.write(ctx, func(tx *txn) error {
		b.Resealed, b.Skipped = 0, 0 // a retried transaction counts afresh
		for _, t := range todo {
			res, err := tx.ExecContext(ctx, update, args(t.r, t.keyID, t.sealed, t.ret)...)
			if err != nil {
				return wrap("reseal", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return wrap("reseal", err)
			} else if n == 1 {
				b.Resealed++
			} else {
				b.Skipped++
			}
		}
		return nil
	})
	if err != nil {
		return store.ResealBatch{}, err
	}
	return b, nil
}
