package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/store"
)

// Credential is a connection's secret, as its vendor package reads and
// writes it. It is stored JSON-encoded in store.Connection.Secret, which
// the store seals; it never appears in a log or an error.
type Credential struct {
	AccessToken   string    `json:"access_token,omitempty"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	Expiry        time.Time `json:"expiry,omitzero"`         // zero: does not expire
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"` // zero: unknown or none
	// ClientID and ClientSecret are a host's own API credentials where the
	// vendor mints tokens from them (Hostaway account id and API key,
	// HoxtonAI machine-to-machine clients).
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// Scope is what the vendor granted (e.g. Hostex "read-only").
	Scope string `json:"scope,omitempty"`
}

// Valid reports whether the access token is present and not within skew of
// its expiry.
func (c Credential) Valid(now time.Time, skew time.Duration) bool {
	return c.AccessToken != "" && (c.Expiry.IsZero() || now.Add(skew).Before(c.Expiry))
}

// Encode returns the credential's stored form.
func (c Credential) Encode() []byte {
	b, _ := json.Marshal(c)
	return b
}

// DecodeCredential reads a stored credential.
func DecodeCredential(b []byte) (Credential, error) {
	var c Credential
	if err := json.Unmarshal(b, &c); err != nil {
		return Credential{}, fmt.Errorf("connector: decode credential: %w", err)
	}
	return c, nil
}

// Field is one input of a vendor's connect form.
type Field struct {
	Name   string // form field and FromFields key
	Label  string
	Help   string
	Secret bool // shown as a password input, never echoed back
}

// OAuth describes a vendor's OAuth endpoints and hostgate's registration
// with the vendor (from configuration).
type OAuth struct {
	AuthURL, TokenURL, RevokeURL string
	Scopes                       []string
	// PKCE: the vendor accepts an S256 code challenge.
	PKCE bool
	// AuthParams are extra authorization parameters (HoxtonAI's audience).
	AuthParams map[string]string
	// TokenJSON: the token endpoint takes RFC 6749's parameters as one JSON
	// object rather than a form, and may wrap its answer (Hostex,
	// Hospitable). hostgate then posts them through the vendor's Client
	// and reads the answer with its API; otherwise x/oauth2 speaks to the
	// endpoint (see ExchangeCode).
	TokenJSON bool
	// OmitRedirectURI: the vendor fixes the redirect URL in its partner
	// portal, and neither the authorize URL nor the code exchange carries
	// one (Hospitable).
	OmitRedirectURI bool
	// OneClick: the vendor may also start a connect itself (a marketplace
	// listing's "connect" button) and send the host to hostgate's callback
	// with a code and no state (Hospitable). hostgate then redeems the code
	// only after the host, signed in, confirms it in the browser it arrived
	// in; for any other vendor a callback without state is refused.
	OneClick               bool
	ClientID, ClientSecret string
}

// Configured reports whether hostgate has a client registration with the vendor.
func (o *OAuth) Configured() bool { return o != nil && o.ClientID != "" }

// Spec is everything hostgate knows about a vendor. It is data plus the
// few functions where vendors differ in auth; all the rest is the
// Connector its New builds.
type Spec struct {
	Name  string // "hostex": registry, store and id-prefix key
	Title string // "Hostex"
	// BaseURL is the API root; real by default, a sandbox in tests and demo.
	BaseURL string
	// AuthKinds are the ways a host can connect, in the order offered.
	AuthKinds []store.AuthKind
	// Fields are the connect-form inputs per non-OAuth auth kind.
	Fields map[store.AuthKind][]Field
	OAuth  *OAuth
	// HTTP is the shared, sized client for this vendor.
	HTTP *http.Client
	Now  func() time.Time
	// PageSize overrides the page size the client asks for (tests use a
	// small one to exercise pagination); 0 means the vendor's maximum.
	PageSize int
	// Log, when set, gets one debug line per vendor exchange: vendor,
	// operation, method, path (never the query or the URL, which can hold
	// a token), status and duration, with the caller's context, so the
	// line carries the request id of the tool call behind it.
	Log *slog.Logger
	// Metrics, when set, counts every exchange with the vendor, its
	// renewals and its rate-limit waits (internal/metrics); copies of a
	// Spec share it. Nil counts nothing.
	Metrics *metrics.Metrics
	// Budget keeps this process's requests within the vendor's published
	// rate limits (budget.go), counted per account and, where the vendor
	// counts by address, per egress; every request of Client spends it.
	// Shared (Budget.Share), its per-account limits hold for every
	// process sharing the counts. Copies of a Spec share it. Nil spends
	// nothing.
	Budget *Budget

	// FromFields turns a connect form into a credential, minting a token
	// where the vendor needs one.
	FromFields func(ctx context.Context, s *Spec, kind store.AuthKind, values map[string]string) (Credential, error)
	// Exchange redeems an OAuth authorization code.
	Exchange func(ctx context.Context, s *Spec, code, verifier, redirectURI string) (Credential, error)
	// Refresh returns a fresh credential; an error wrapping ErrNeedsReauth
	// when only the host can fix it. Nil when a credential cannot be
	// refreshed (a personal token).
	Refresh func(ctx context.Context, s *Spec, c Credential) (Credential, error)
	// Revoke tells the vendor to forget the credential, where it allows.
	Revoke func(ctx context.Context, s *Spec, c Credential) error
	// New builds the connector of one connection.
	New func(s *Spec, ts TokenSource) Connector
}

// PageLimit is the page size to ask the vendor for on an endpoint that
// takes at most max items a page: PageSize when it is set and smaller,
// else max.
func (s *Spec) PageLimit(max int) int {
	if s.PageSize > 0 && s.PageSize < max {
		return s.PageSize
	}
	return max
}

// TokenSource gives a vendor client a valid credential. It must be safe for
// concurrent use.
type TokenSource interface {
	// Token returns a credential whose access token is valid now,
	// refreshing it first if it is about to expire.
	Token(ctx context.Context) (Credential, error)
	// Rejected reports that the vendor refused the access token and
	// returns a refreshed credential to retry with, once.
	Rejected(ctx context.Context, token string) (Credential, error)
}

// StaticSource is a TokenSource over a fixed credential: used to check a
// credential before it is saved.
type StaticSource Credential

// Token returns the credential.
func (s StaticSource) Token(context.Context) (Credential, error) { return Credential(s), nil }

// Rejected fails: a fixed credential cannot be refreshed.
func (s StaticSource) Rejected(context.Context, string) (Credential, error) {
	return Credential{}, ErrUnauthorized
}

// AuthKind is how a connection authenticates to its vendor; an alias of
// the store's type, so that vendor packages need import only connector.
type AuthKind = store.AuthKind

// The auth kinds, as vendor packages name them.
const (
	AuthOAuth             = store.AuthOAuth
	AuthToken             = store.AuthToken
	AuthClientCredentials = store.AuthClientCredentials
)
