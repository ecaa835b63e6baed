package sqlstore

import (
	"context"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

const (
	childUsedSQL = `SELECT EXISTS (SELECT 1 FROM tokens
		WHERE parent_hash = ? AND kind = 'refresh' AND used_at IS NOT NULL)`
	revokeSiblingsSQL = `UPDATE tokens SET revoked_at = ?
		WHERE parent_hash = ? AND kind = 'refresh' AND hash <> ?
		AND used_at IS NULL AND revoked_at IS NULL`
)

// RotateRefresh implements [store.Grants]. Everything happens in one write
// transaction, so of two racing rotations one sees the other's effects. The
// rules, in order:
//
//   - an unknown hash, an access token, or a token of another client's grant:
//     ErrNotFound, nothing written;
//   - a revoked grant: ErrRevoked;
//   - a revoked token (a sibling of one already used, or revoked by hand):
//     reuse, so the grant is revoked and the call fails with ErrReused;
//   - now at or past the token's expiry (a zero expiry included): ErrExpired;
//   - a token already used one of whose children has itself been used, or
//     first used more than r.Grace ago: reuse, as above;
//   - otherwise the token is marked used (once), its unused siblings are
//     revoked the first time, and the new pair is stored under the grant
//     with ParentHash set to the presented token.
func (s *Store) RotateRefresh(ctx context.Context, r store.Rotation) (store.Grant, error) {
	var grant store.Grant
	err := s.write(ctx, func(tx *txn) error {
		// Rotations of one grant take turns on its row, as do its
		// revocations; what is read next is what the previous one left.
		if err := tx.lock(ctx, `SELECT id FROM grants
			WHERE id = (SELECT grant_id FROM tokens WHERE hash = ?)`, r.OldHash); err != nil {
			return wrap("rotate refresh", err)
		}
		old, g, err := scanTokenGrant(tx.QueryRowContext(ctx, getTokenSQL, r.OldHash))
		if err != nil {
			return wrap("rotate refresh", err)
		}
		if old.Kind != store.KindRefresh || g.ClientID != r.ClientID {
			return fmt.Errorf("sqlstore: rotate refresh: %w", store.ErrNotFound)
		}
		if !g.Active() {
			return fmt.Errorf("sqlstore: rotate refresh: grant: %w", store.ErrRevoked)
		}
		// reused revokes the grant and commits that before failing.
		reused := func(why string) error {
			if _, err := tx.ExecContext(ctx,
				`UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
				tn(r.Now), g.ID); err != nil {
				return wrap("rotate refresh: revoke grant", err)
			}
			if err := tx.notify(ctx, store.TopicGrants, g.ID); err != nil {
				return err
			}
			return commitErr{fmt.Errorf("sqlstore: rotate refresh: %s: %w", why, store.ErrReused)}
		}
		if !old.RevokedAt.IsZero() {
			return reused("revoked token presented")
		}
		if !r.Now.Before(old.ExpiresAt) {
			return fmt.Errorf("sqlstore: rotate refresh: %w", store.ErrExpired)
		}
		if !old.UsedAt.IsZero() {
			var childUsed bool
			if err := tx.QueryRowContext(ctx, childUsedSQL, old.Hash).Scan(&childUsed); err != nil {
				return wrap("rotate refresh", err)
			}
			if childUsed {
				return reused("successor already used")
			}
			if r.Grace <= 0 || r.Now.Sub(old.UsedAt) > r.Grace {
				return reused("presented again after the grace")
			}
		} else {
			if _, err := tx.ExecContext(ctx,
				`UPDATE tokens SET used_at = ? WHERE hash = ?`, tn(r.Now), old.Hash); err != nil {
				return wrap("rotate refresh: mark used", err)
			}
			if old.ParentHash != "" {
				// The first use of one child of a rotation settles which
				// of its parallel siblings the client kept.
				if _, err := tx.ExecContext(ctx, revokeSiblingsSQL,
					tn(r.Now), old.ParentHash, old.Hash); err != nil {
					return wrap("rotate refresh: revoke siblings", err)
				}
			}
		}
		access, refresh := r.Access, r.Refresh
		access.GrantID, refresh.GrantID = g.ID, g.ID
		access.ParentHash, refresh.ParentHash = old.Hash, old.Hash
		if err := insertTokens(ctx, tx, access, refresh); err != nil {
			return err
		}
		grant = g
		return nil
	})
	if err != nil {
		return store.Grant{}, err
	}
	return grant, nil
}
