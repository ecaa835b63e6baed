package store

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Hash returns the hex SHA-256 of a secret value. It is the only form in
// which the store sees hostgate's own codes, tokens, client secrets and
// browser-session ids: a copy of the database does not yield a usable one.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// User is a host: someone who signs in to approve clients and connect vendors.
type User struct {
	ID       string
	Username string // unique; the sign-in name of a local account
	// PasswordHash is an argon2id PHC string; empty for OIDC-only users.
	PasswordHash string
	// Issuer and Subject identify an OIDC user; both empty for local accounts.
	Issuer, Subject string
	// Email is where hostgate reaches the host (alerts about its vendor
	// connections); empty when unknown. For an OIDC user it comes from a
	// verified e-mail claim.
	Email     string
	CreatedAt time.Time
	// DisabledAt is when an operator disabled the host; zero while the
	// host may sign in.
	DisabledAt time.Time
}

// Disabled reports whether the host has been disabled.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Client is a registered MCP client (RFC 7591), or one known from its
// client-ID metadata document.
type Client struct {
	ID              string
	Name            string
	RedirectURIs    []string // matched exactly at /authorize
	GrantTypes      []string
	ResponseTypes   []string
	Scope           string // space-separated scopes the client registered for; may be empty
	AuthMethod      string // "none", "client_secret_basic" or "client_secret_post"
	SecretHash      string // Hash of the client secret; empty for public clients
	ClientURI       string
	LogoURI         string
	SoftwareID      string
	SoftwareVersion string
	ApplicationType string // "native" or "web"
	// MetadataURL is set for clients known by a client-ID metadata document:
	// the https URL that is also their ID.
	MetadataURL string
	// MetadataExpiresAt says when a metadata document must be fetched again.
	MetadataExpiresAt time.Time
	// RegisteredFrom is the network address that registered the client.
	RegisteredFrom string
	CreatedAt      time.Time
	LastUsedAt     time.Time // zero until a token is first issued to it
}

// Approval is a host's standing consent for one client: the per-user
// registry of approved clients the MCP spec asks a proxy to keep.
type Approval struct {
	UserID      string
	ClientID    string
	Scopes      []string
	Connections []string // connection ids the host chose to share
	// WritePolicy is how the app's writes are confirmed. PutApproval
	// leaves a stored policy as it is (re-approving an app keeps it);
	// SetWritePolicy changes it. A new approval starts at WriteAsk.
	WritePolicy WritePolicy
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// WritePolicy is how an approved app's writes (anything a guest or vendor
// sees) are confirmed by the host.
type WritePolicy string

// The write policies.
const (
	// WriteAsk asks the host in the chat where the client can ask, and
	// saves a draft for the host to approve otherwise. The default.
	WriteAsk WritePolicy = "ask"
	// WriteDrafts always saves a draft for the host to approve.
	WriteDrafts WritePolicy = "drafts"
	// WriteAct acts without asking: an explicit opt-in by the host.
	WriteAct WritePolicy = "act"
)

// Valid reports whether p is one of the policies.
func (p WritePolicy) Valid() bool { return p == WriteAsk || p == WriteDrafts || p == WriteAct }

// DraftStatus is where a write stands.
type DraftStatus string

// The draft statuses. A draft moves pending → sending → sent or failed,
// or pending → discarded; a write confirmed in the chat or made without
// asking starts at sending.
const (
	DraftPending   DraftStatus = "pending"   // waiting for the host
	DraftSending   DraftStatus = "sending"   // approved; the vendor call is under way
	DraftSent      DraftStatus = "sent"      // the vendor took it
	DraftFailed    DraftStatus = "failed"    // the vendor refused it or did not answer
	DraftDiscarded DraftStatus = "discarded" // the host said no
)

// Draft is one write an app asked for on a host's behalf: waiting for the
// host, or carried out. Every write is recorded as one, whichever way it
// was confirmed, so that a repeated call acts at most once.
type Draft struct {
	ID       string
	UserID   string
	ClientID string
	GrantID  string
	// Tool is the tool that asked for the write; Args its input as it will
	// be (or was) carried out, JSON. The host may edit a draft's text
	// before approving, so Args can differ from what the app sent.
	Tool string
	Args []byte
	// Key identifies the request as the app sent it (tool and arguments)
	// within the grant, to find a repeated call.
	Key string
	// Summary says in one line what the write does, for lists.
	Summary string
	Status  DraftStatus
	// Via is how it was confirmed: "page" (approved on hostgate's page),
	// "chat" (in the MCP client), "auto" (the app may act without asking);
	// empty while pending.
	Via string
	// Result is the vendor's answer, JSON, once sent; Error says what went
	// wrong once failed. Neither ever holds a secret.
	Result    []byte
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AuthCode is an authorization code awaiting redemption at /token.
type AuthCode struct {
	Hash        string // Hash of the code
	ClientID    string
	UserID      string
	RedirectURI string // as the authorization request sent it; empty if it sent none
	Challenge   string // PKCE S256 code_challenge
	Scopes      []string
	Resource    string
	Connections []string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// UsedAt and GrantID are set when the code is redeemed; a redeemed code
	// is kept until it expires so that a replay can revoke what it issued.
	UsedAt  time.Time
	GrantID string
}

// Grant is one client's authorization by one host.
type Grant struct {
	ID          string
	UserID      string
	ClientID    string
	Scopes      []string
	Resource    string   // the audience of every token of the grant
	Connections []string // connection ids the client may use
	CreatedAt   time.Time
	RevokedAt   time.Time // zero while active
}

// Active reports whether the grant has not been revoked.
func (g Grant) Active() bool { return g.RevokedAt.IsZero() }

// TokenKind tells access tokens from refresh tokens.
type TokenKind string

// The token kinds.
const (
	KindAccess  TokenKind = "access"
	KindRefresh TokenKind = "refresh"
)

// Token is an issued access or refresh token, known only by its hash.
type Token struct {
	Hash    string
	Kind    TokenKind
	GrantID string
	// Scopes are an access token's scopes when a refresh narrowed them
	// (RFC 6749 §6); nil means the grant's.
	Scopes []string
	// ParentHash is the refresh token this one was issued from by rotation;
	// empty for tokens issued from an authorization code.
	ParentHash string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     time.Time // refresh tokens: when first presented
	RevokedAt  time.Time
}

// Rotation asks the store to redeem a refresh token for a new pair.
type Rotation struct {
	OldHash  string // Hash of the presented refresh token
	ClientID string // the client presenting it; must own the grant
	Now      time.Time
	// Grace is how long after its first use the presented token may still
	// be presented again (a parallel refresh) while none of its successors
	// has been used; zero allows no second presentation at all.
	Grace   time.Duration
	Access  Token // new access token (GrantID and ParentHash are filled in by the store)
	Refresh Token // new refresh token (GrantID and ParentHash are filled in by the store)
}

// ConnStatus is the health of a vendor connection.
type ConnStatus string

// The connection states.
const (
	StatusOK          ConnStatus = "ok"
	StatusNeedsReauth ConnStatus = "needs_reauth" // only the host can fix it, by reconnecting
	StatusError       ConnStatus = "error"        // the last call failed; may recover by itself
)

// AuthKind is how a connection authenticates to its vendor.
type AuthKind string

// The vendor auth kinds.
const (
	AuthOAuth             AuthKind = "oauth"
	AuthToken             AuthKind = "token" // a personal access token pasted by the host
	AuthClientCredentials AuthKind = "client_credentials"
)

// Connection is one vendor account of one host.
type Connection struct {
	ID string
	// UserID is the host who connected the account; for a host's own
	// connection (TeamID empty) also its only user.
	UserID string
	// TeamID is the team that owns the connection, or empty: the
	// connection is UserID's own. Set when the connection is created and
	// never changed.
	TeamID    string
	Vendor    string // "hostex", "hospitable", "hostaway", "hoxtonai"
	AccountID string // the vendor's id for the account; unique per (user, vendor)
	Label     string
	AuthKind  AuthKind
	// Secret is the vendor credential blob, owned by the vendor package. It
	// is plaintext only in memory: backends seal it before writing.
	Secret           []byte
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
	Status           ConnStatus
	LastError        string // never contains a secret
	// Version is 1 when the connection is created and increases by one on
	// every update: a reader can tell which of two copies is newer.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BrowserSession is a signed-in host's browser.
type BrowserSession struct {
	Hash      string // Hash of the session cookie value
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ConsentTransaction is one consent page shown to a host: the page's
// decision may be taken once.
type ConsentTransaction struct {
	Hash        string // Hash of the transaction id the page carries
	UserID      string
	SessionHash string // the browser session the page was shown in
	Request     string // digest of the authorization request the page is for
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// AuditEvent is one entry of a host's activity log (see Activity): a
// security-relevant action, or something an app did on the host's behalf.
// It never holds a secret.
type AuditEvent struct {
	ID       int64
	At       time.Time
	UserID   string
	ClientID string
	Kind     string // e.g. "client.registered", "grant.revoked", "refresh.reused", EventToolCall
	Detail   string
	// AppName is the client's name when the event happened.
	AppName string
	// Tool, Accounts, Outcome and Duration describe a tool call (or a
	// write the host approved): the tool, the vendor accounts it read or
	// acted through, how it ended (an Outcome* value) and how long it took.
	Tool     string
	Accounts []EventAccount
	Outcome  string
	Duration time.Duration
	// Facts and Text say what a write wrote, in plain words: the facts
	// shown to the host (account, guest, dates, prices) and the full text
	// sent (a message, a reply). Ref is the write's draft id.
	Facts []EventFact
	Text  string
	Ref   string
}

// ConnectState is a vendor OAuth flow in progress: the single-use state
// sent to the vendor, bound to the host and to their browser session, with
// the PKCE verifier for the vendor's token request.
type ConnectState struct {
	Hash        string // Hash of the state parameter
	UserID      string
	SessionHash string // the browser session that started the flow
	Vendor      string
	Verifier    string // PKCE code verifier; empty where the vendor takes no PKCE
	RedirectURI string // the redirect URI sent to the vendor
	ReturnTo    string // local path to go back to (the consent page, say)
	// ConnectionID is set when the flow reconnects an existing connection.
	ConnectionID string
	// TeamID is the team a new connection is for; empty for the host's own.
	TeamID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}
