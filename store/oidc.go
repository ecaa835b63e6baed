package store

import (
	"context"
	"time"
)

// SignInState is an OpenID Connect sign-in in progress: the single-use
// state sent to the identity provider, bound to the browser that started
// it, with what the callback needs to finish it. It outlives no more than
// a few minutes; DeleteExpired removes it once expired.
type SignInState struct {
	Hash string // Hash of the state parameter
	// BrowserHash is the Hash of the browser's id cookie: only the browser
	// that started the sign-in may finish it.
	BrowserHash string
	Provider    string // the configured provider's name
	// NonceHash is the Hash of the nonce sent in the authorization request;
	// the ID token must carry that nonce. Only its hash is needed.
	NonceHash string
	Verifier  string // PKCE code verifier; sealed at rest
	// ReturnTo is the local path to go to once signed in; sealed at rest,
	// since it may be a team invitation's link (/join/<token>).
	ReturnTo  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SignInStates holds OpenID Connect sign-ins in progress.
type SignInStates interface {
	// CreateSignInState fails with ErrExists if the hash is taken.
	CreateSignInState(ctx context.Context, s SignInState) error
	// ConsumeSignInState returns and deletes the state atomically: of any
	// number of concurrent calls exactly one gets it, the others
	// ErrNotFound. The caller checks expiry and binding.
	ConsumeSignInState(ctx context.Context, hash string) (SignInState, error)
}

// Identities ties hosts to OpenID Connect identities.
type Identities interface {
	// SetUserIdentity gives the host the identity (issuer, subject),
	// replacing any it had; an empty subject removes it. ErrNotFound for an
	// unknown host, ErrExists if another host has this identity.
	SetUserIdentity(ctx context.Context, userID, issuer, subject string) error
}

// OIDCSignIn is what OpenID Connect sign-in keeps. A backend's
// DeleteExpired also removes the sign-in states that expired, and its
// ResealSecrets re-seals their verifiers and return paths.
type OIDCSignIn interface {
	SignInStates
	Identities
}
