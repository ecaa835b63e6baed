package store

import (
	"context"
	"time"
)

// InvitePreview is what a host is shown of a team invitation before
// accepting it, so nobody joins a team blindly.
type InvitePreview struct {
	TeamName string
	Role     Role
	// InvitedBy names the host who made the link: their username, or their
	// e-mail address when they have none (signed up with OpenID Connect);
	// empty when that host is gone.
	InvitedBy string
}

// InvitePreviews reads invitations without using them.
type InvitePreviews interface {
	// PreviewInvite describes the invitation with that hash if it could be
	// accepted at now. An unknown, used or expired invitation is
	// ErrNotFound, all alike, as AcceptInvite refuses them.
	PreviewInvite(ctx context.Context, hash string, now time.Time) (InvitePreview, error)
}
