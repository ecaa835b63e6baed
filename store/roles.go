package store

import (
	"context"
	"time"
)

// Users holds host accounts.
type Users interface {
	// CreateUser fails with ErrExists if the username or the OIDC
	// (issuer, subject) pair is taken.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByUsername(ctx context.Context, username string) (User, error)
	GetUserBySubject(ctx context.Context, issuer, subject string) (User, error)
	SetPasswordHash(ctx context.Context, userID, hash string) error
	// SetUserEmail sets the address hostgate reaches the host at.
	SetUserEmail(ctx context.Context, userID, email string) error
	// ListUsers returns every host, oldest first.
	ListUsers(ctx context.Context) ([]User, error)
	// DisableUser disables the host at the given time and, in the same
	// transaction, revokes every grant the host gave (their tokens stop
	// working), deletes the host's unredeemed codes and ends every browser
	// session. Disabling a disabled host keeps its first time.
	DisableUser(ctx context.Context, userID string, at time.Time) error
	// EnableUser lets a disabled host sign in again. What disabling
	// revoked stays revoked: apps ask the host again.
	EnableUser(ctx context.Context, userID string) error
}

// Clients holds registered MCP clients.
type Clients interface {
	// CreateClient fails with ErrExists if the id is taken.
	CreateClient(ctx context.Context, c Client) error
	GetClient(ctx context.Context, id string) (Client, error)
	// PutClient creates or replaces a client; used for clients known by a
	// metadata document, which are refreshed from their URL.
	PutClient(ctx context.Context, c Client) error
	// TouchClient records that a token was issued to the client.
	TouchClient(ctx context.Context, id string, at time.Time) error
	// DeleteStaleClients deletes clients created before the given time that
	// were never used and hold no code or grant; it returns how many.
	DeleteStaleClients(ctx context.Context, createdBefore time.Time) (int64, error)
	// DeleteIdleDocumentClients deletes clients known by a metadata
	// document (MetadataURL set) that were last used before usedBefore, or
	// never used and created before unusedBefore, and returns how many. A
	// client that holds a live grant (unrevoked, with an unrevoked token
	// expiring after now), a code expiring after now, or a draft (the
	// host's record) is kept. A deleted client's approvals and dead grants
	// go with it.
	DeleteIdleDocumentClients(ctx context.Context, usedBefore, unusedBefore, now time.Time) (int64, error)
	// CountClientsFrom counts clients registered from an address since a time.
	CountClientsFrom(ctx context.Context, addr string, since time.Time) (int64, error)
}

// Approvals is the per-host registry of approved clients.
type Approvals interface {
	// PutApproval creates or replaces the approval of (UserID, ClientID).
	PutApproval(ctx context.Context, a Approval) error
	GetApproval(ctx context.Context, userID, clientID string) (Approval, error)
	ListApprovals(ctx context.Context, userID string) ([]Approval, error)
	DeleteApproval(ctx context.Context, userID, clientID string) error
	// SetWritePolicy changes the write policy of an existing approval;
	// ErrNotFound if there is none.
	SetWritePolicy(ctx context.Context, userID, clientID string, p WritePolicy, at time.Time) error
}

// Drafts holds the writes apps asked for on hosts' behalf.
type Drafts interface {
	// CreateDraft fails with ErrExists if the id is taken: an id is used
	// once, which is what makes a confirmation single-use.
	CreateDraft(ctx context.Context, d Draft) error
	// GetDraft returns a draft by id, whatever its status.
	GetDraft(ctx context.Context, id string) (Draft, error)
	// FindDraft returns the newest of the grant's drafts with this key
	// created at or after since; ErrNotFound if there is none.
	FindDraft(ctx context.Context, grantID, key string, since time.Time) (Draft, error)
	// ListDrafts returns the host's drafts made through one client, newest
	// first, at most limit (none for a limit below 1).
	ListDrafts(ctx context.Context, userID, clientID string, limit int) ([]Draft, error)
	// UpdateDraft writes d's Status, Via, Args, Summary, Result, Error and
	// UpdatedAt only if the stored status is still from, and returns the
	// stored row; otherwise ErrConflict and nothing is written (of two
	// concurrent approvals exactly one wins). ErrNotFound for an unknown id.
	UpdateDraft(ctx context.Context, d Draft, from DraftStatus) (Draft, error)
}

// Grants holds authorization codes, grants and tokens. Codes and tokens are
// stored as hashes only.
type Grants interface {
	CreateAuthCode(ctx context.Context, c AuthCode) error
	// GetAuthCode returns the code, redeemed or not (see AuthCode.UsedAt).
	GetAuthCode(ctx context.Context, hash string) (AuthCode, error)
	// RedeemAuthCode marks the code used and, in the same transaction,
	// creates the grant and its first tokens (GrantID is filled in on them);
	// a zero refresh Token (no hash) stores no refresh token.
	// Of any number of concurrent calls for one code exactly one succeeds;
	// the others get ErrUsed. An unknown code gives ErrNotFound.
	RedeemAuthCode(ctx context.Context, hash string, now time.Time, g Grant, access, refresh Token) error

	// GetToken returns a token and its grant: the hot path of every MCP
	// request. It returns them whatever their state; the caller checks
	// expiry and revocation.
	GetToken(ctx context.Context, hash string) (Token, Grant, error)
	// RotateRefresh redeems a refresh token for a new access and refresh
	// token, atomically. The presented token stays redeemable for r.Grace
	// after its first use, until one of the tokens issued from it is itself
	// first used (parallel refreshes by one client all succeed); after
	// either, presenting it revokes the grant and returns ErrReused. When a
	// token is first used its unused siblings are revoked. A token of another client gives ErrNotFound; an expired
	// one ErrExpired; one of a revoked grant ErrRevoked.
	RotateRefresh(ctx context.Context, r Rotation) (Grant, error)
	// RevokeToken revokes one token.
	RevokeToken(ctx context.Context, hash string, at time.Time) error

	GetGrant(ctx context.Context, id string) (Grant, error)
	// ListGrants returns the host's active grants, newest first.
	ListGrants(ctx context.Context, userID string) ([]Grant, error)
	// RevokeGrant revokes the grant and so every token issued under it.
	RevokeGrant(ctx context.Context, id string, at time.Time) error
	// RevokeClient revokes every grant of the client for the host, deletes
	// the host's unredeemed codes for it and the host's approval of it; it
	// returns how many grants it revoked.
	RevokeClient(ctx context.Context, userID, clientID string, at time.Time) (int64, error)
}

// Connections holds hosts' vendor accounts. Secrets are sealed at rest.
type Connections interface {
	// CreateConnection fails with ErrExists if (UserID, Vendor, AccountID) is taken.
	// The stored Version starts at 1.
	CreateConnection(ctx context.Context, c Connection) error
	// GetConnection returns one connection. A connection whose sealed
	// secret does not open (its key is not in the keyring, or the value was
	// altered) is no error: it comes back with no Secret, StatusNeedsReauth
	// and LastError UnopenableSecret (one already needing the host keeps
	// its reason), and that mark is stored with the sealed value kept, so
	// only that connection waits for the host. If the secret opens again
	// (its key is back), the mark reads, and is stored, as StatusOK.
	// ListConnections and ListExpiringConnections read rows the same way.
	GetConnection(ctx context.Context, id string) (Connection, error)
	// ListConnections returns the connections the host may use: its own
	// and those of the teams it is a member of now, ordered by vendor, then
	// label. It is the one place access to a connection is decided: a
	// host removed from a team no longer gets the team's connections.
	ListConnections(ctx context.Context, userID string) ([]Connection, error)
	// UpdateConnection changes one connection through fn and returns the
	// row as stored. fn gets the row as it is and returns it as it should
	// be; the backend runs it inside a write transaction, so no other write
	// comes between what fn read and what it wrote. A backend that cannot
	// lock may call fn again on the newer row, so fn must have no side
	// effect and must not call the store. If fn returns an error nothing is
	// written and UpdateConnection returns that error unchanged. Whatever fn
	// returns, the id, owner and creation time stay as they were and Version
	// increases by one. An unknown id is ErrNotFound, without calling fn.
	// A row whose secret does not open reaches fn as GetConnection returns
	// it; if fn returns no Secret, the stored sealed value is kept as it is.
	UpdateConnection(ctx context.Context, id string, fn func(Connection) (Connection, error)) (Connection, error)
	DeleteConnection(ctx context.Context, id string) error
	// ListExpiringConnections returns up to limit connections with status ok
	// whose access token expires before the given time, soonest first.
	ListExpiringConnections(ctx context.Context, before time.Time, limit int) ([]Connection, error)
}

// Rekeying re-seals stored secrets under the keyring's current key: the
// store's half of a key rotation (hostgate keys rotate).
type Rekeying interface {
	// ResealSecrets re-seals, under the keyring's current key, up to limit
	// (at least 1) of the stored secrets sealed under another key: vendor
	// credentials, then connect-state PKCE verifiers, in a fixed order from
	// cursor ("" to start a pass; then ResealBatch.Next until it is "").
	// A row is rewritten only if it is unchanged since it was read (for a
	// connection, the same version and sealed value), so a concurrent write
	// is never overwritten: such a row counts as Skipped. A secret that does
	// not open counts as Unopenable and is left as it is. Neither the
	// plaintext nor a connection's Version changes. A call with an empty
	// cursor first waits for writes in progress to commit, so a pass begun
	// after the current key changed meets every secret sealed under an
	// older one.
	ResealSecrets(ctx context.Context, cursor string, limit int) (ResealBatch, error)
}

// Sessions holds signed-in browser sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s BrowserSession) error
	// GetSession returns the session whatever its expiry; the caller checks.
	GetSession(ctx context.Context, hash string) (BrowserSession, error)
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions signs the user out everywhere and returns how
	// many sessions it ended.
	DeleteUserSessions(ctx context.Context, userID string) (int64, error)
}

// ConsentTransactions holds consent pages awaiting the host's decision.
type ConsentTransactions interface {
	// CreateConsentTransaction fails with ErrExists if the hash is taken and
	// ErrNotFound if the user is unknown.
	CreateConsentTransaction(ctx context.Context, c ConsentTransaction) error
	// ConsumeConsentTransaction returns and deletes the transaction
	// atomically: of any number of concurrent calls exactly one gets it,
	// the others ErrNotFound. The caller checks expiry and binding.
	ConsumeConsentTransaction(ctx context.Context, hash string) (ConsentTransaction, error)
}

// ConnectStates holds vendor OAuth flows in progress.
type ConnectStates interface {
	CreateConnectState(ctx context.Context, s ConnectState) error
	// ConsumeConnectState returns and deletes the state atomically: of two
	// concurrent calls exactly one gets it, the other ErrNotFound. The
	// caller checks expiry and binding.
	ConsumeConnectState(ctx context.Context, hash string) (ConnectState, error)
}

// OneClickCode is a vendor authorization code that arrived with no state
// (a marketplace "one-click" connect, Hospitable's), waiting for the host
// to confirm, in the browser it arrived in, which hostgate host it is for.
// It is bound to that browser by a random id in a cookie, stored only as
// its hash; the code itself is sealed at rest.
type OneClickCode struct {
	Hash      string // Hash of the id in the browser's cookie
	Vendor    string
	Code      string // the vendor's authorization code; sealed at rest
	CreatedAt time.Time
	ExpiresAt time.Time
}

// OneClickCodes holds one-click authorization codes awaiting the host's
// confirmation.
type OneClickCodes interface {
	// CreateOneClickCode fails with ErrExists if the hash is taken.
	CreateOneClickCode(ctx context.Context, c OneClickCode) error
	// GetOneClickCode returns the record without its Code, which only
	// ConsumeOneClickCode opens; whatever its expiry (the caller checks).
	GetOneClickCode(ctx context.Context, hash string) (OneClickCode, error)
	// ConsumeOneClickCode returns and deletes the record atomically: of
	// any number of concurrent calls exactly one gets it, the others
	// ErrNotFound. The caller checks expiry.
	ConsumeOneClickCode(ctx context.Context, hash string) (OneClickCode, error)
}

// Audit records security events.
type Audit interface {
	AddAuditEvent(ctx context.Context, e AuditEvent) error
	// ListAuditEvents returns the host's newest events first.
	ListAuditEvents(ctx context.Context, userID string, limit int) ([]AuditEvent, error)
}

// Store is every role together, as a backend provides them.
type Store interface {
	Users
	Clients
	Approvals
	Limits
	Grants
	Connections
	Sessions
	ConnectStates
	ConsentTransactions
	OneClickCodes
	Drafts
	Audit
	Teams
	InvitePreviews
	Activity
	Rekeying
	OIDCSignIn
	ConnectionAlerts
	RenewalLeases
	Readiness
	Fleet
	MCPSessions
	RateBudgets
	// DeleteExpired removes codes, tokens, sessions, connect states,
	// consent transactions, one-click codes and team invitations that
	// expired before now (redeemed codes and used invitations included)
	// and returns how many rows went. Drafts are the host's record and
	// stay.
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
	// Ping reads from the database and reports whether it answered: the
	// health check. It honours ctx, so a stuck database fails the check
	// rather than hanging it.
	Ping(ctx context.Context) error
	Close() error
}
