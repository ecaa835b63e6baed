package sqlstore

import (
	"context"
	"time"

	"github.com/hostgate/hostgate/store"
)

// PreviewInvite implements [store.InvitePreviews] with the same conditions
// AcceptInvite's UPDATE has, so what the page shows is what a click
// would accept (unless someone else is quicker).
func (s *Store) PreviewInvite(ctx context.Context, hash string, now time.Time) (store.InvitePreview, error) {
	var p store.InvitePreview
	var role string
	err := s.r.QueryRowContext(ctx, `SELECT t.name, i.role, COALESCE(NULLIF(u.username, ''), u.email, '')
		FROM team_invites i JOIN teams t ON t.id = i.team_id LEFT JOIN users u ON u.id = i.created_by
		WHERE i.hash = ? AND i.used_at IS NULL AND i.expires_at > ?`, hash, tn(now)).Scan(&p.TeamName, &role, &p.InvitedBy)
	if err != nil {
		return store.InvitePreview{}, wrap("preview invite", err)
	}
	p.Role = store.Role(role)
	return p, nil
}
