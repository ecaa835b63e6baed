package sqlstore

import (
	"context"
	"errors"

	"github.com/hostgate/hostgate/store"
)

const getAppLimitsSQL = `SELECT tools, properties, until, updated_at FROM app_limits
	WHERE user_id = ? AND client_id = ?`

// GetAppLimits implements [store.Limits].
func (s *Store) GetAppLimits(ctx context.Context, userID, clientID string) (store.AppLimits, error) {
	l := store.AppLimits{UserID: userID, ClientID: clientID}
	err := s.r.QueryRowContext(ctx, getAppLimitsSQL, userID, clientID).
		Scan(lc(&l.Tools), lc(&l.Properties), tc(&l.Until), tc(&l.UpdatedAt))
	if err != nil {
		if err = wrap("get app limits", err); errors.Is(err, store.ErrNotFound) {
			return store.AppLimits{UserID: userID, ClientID: clientID}, nil
		}
		return store.AppLimits{}, err
	}
	return l, nil
}

// setAppLimitsSQL writes the row only where the approval exists: the
// SELECT gives no row otherwise, and SetAppLimits reports ErrNotFound.
// (SQLite's upsert after INSERT … SELECT needs the WHERE to parse.)
const setAppLimitsSQL = `INSERT INTO app_limits (user_id, client_id, tools, properties, until, updated_at)
	SELECT user_id, client_id, ?, ?, ?, ? FROM approvals WHERE user_id = ? AND client_id = ?
	ON CONFLICT (user_id, client_id) DO UPDATE SET
	tools = excluded.tools, properties = excluded.properties,
	until = excluded.until, updated_at = excluded.updated_at`

// SetAppLimits implements [store.Limits].
func (s *Store) SetAppLimits(ctx context.Context, l store.AppLimits) error {
	return s.writeNotify(ctx, "set app limits", store.TopicLimits, l.UserID+" "+l.ClientID, setAppLimitsSQL,
		lv(l.Tools), lv(l.Properties), tv(l.Until), tv(l.UpdatedAt), l.UserID, l.ClientID)
}
