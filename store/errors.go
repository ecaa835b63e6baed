package store

import "errors"

// Sentinel errors. Backends wrap them with context; callers test with errors.Is.
var (
	// ErrNotFound: no row matches.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a row with the same unique key exists.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: a conditional update lost (the row moved on since it was
	// read, as in UpdateDraft).
	ErrConflict = errors.New("store: version conflict")
	// ErrUsed: a single-use value (authorization code) was already redeemed.
	ErrUsed = errors.New("store: already used")
	// ErrRevoked: the grant or token was revoked.
	ErrRevoked = errors.New("store: revoked")
	// ErrExpired: the value's lifetime is over.
	ErrExpired = errors.New("store: expired")
	// ErrReused: a rotated refresh token was presented after its successor
	// was used; the store has revoked the whole grant.
	ErrReused = errors.New("store: refresh token reused")
	// ErrSealed: a sealed secret could not be opened (unknown key id or
	// tampered ciphertext).
	ErrSealed = errors.New("store: cannot open sealed secret")
	// ErrLastOwner: the change would leave a team without an owner.
	ErrLastOwner = errors.New("store: a team keeps at least one owner")
)
