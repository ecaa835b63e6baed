package store

import (
	"context"
	"time"
)

// Team is a group of hosts sharing vendor connections: a property
// management company, say. A host with no team works alone, as before.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Role is what a member may do in a team.
type Role string

const (
	// RoleOwner connects and disconnects the team's vendor accounts,
	// invites and removes members.
	RoleOwner Role = "owner"
	// RoleMember uses the team's accounts through the apps they approve;
	// never sees a credential, never connects or disconnects.
	RoleMember Role = "member"
)

// Membership is one host's place in one team.
type Membership struct {
	Team    Team
	UserID  string
	Role    Role
	AddedAt time.Time
}

// TeamInvite is a single-use invitation link; the store sees only its hash.
type TeamInvite struct {
	Hash      string
	TeamID    string
	Role      Role
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	UsedBy    string
}

// Teams holds teams, their members and invitations. Every read that
// decides what a host may reach is scoped by the host: a team id alone
// reaches nothing.
type Teams interface {
	// CreateTeam creates a team with the given host as its first owner.
	CreateTeam(ctx context.Context, t Team, ownerID string) error
	// ListTeams returns the host's memberships, by team name.
	ListTeams(ctx context.Context, userID string) ([]Membership, error)
	// GetMembership returns the host's membership of a team; ErrNotFound
	// when the host is not a member (or there is no such team).
	GetMembership(ctx context.Context, teamID, userID string) (Membership, error)
	// ListMembers returns a team's members, owners first, then by when
	// they joined.
	ListMembers(ctx context.Context, teamID string) ([]Membership, error)
	// RemoveMember takes a host out of a team. Removing the last owner is
	// ErrLastOwner; a host who is no member is ErrNotFound.
	RemoveMember(ctx context.Context, teamID, userID string) error
	// CreateInvite stores an invitation.
	CreateInvite(ctx context.Context, inv TeamInvite) error
	// ListInvites returns a team's unused, unexpired invitations, newest
	// first.
	ListInvites(ctx context.Context, teamID string, now time.Time) ([]TeamInvite, error)
	// DeleteInvite withdraws a team's unused invitation; ErrNotFound if
	// there is none of that team with that hash.
	DeleteInvite(ctx context.Context, teamID, hash string) error
	// AcceptInvite uses an invitation for the host, once: exactly one of
	// concurrent acceptances wins. An unknown, used or expired invitation is
	// ErrNotFound. A host already in the team keeps the higher of its role
	// and the invitation's. It returns the membership as it stands.
	AcceptInvite(ctx context.Context, hash, userID string, now time.Time) (Membership, error)
}
