package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
)

// KeySize is the length of a sealing key: AES-256.
const KeySize = 32

// UnopenableSecret is the LastError of a connection whose sealed credential
// does not open (its key is not in the keyring, or the value was altered).
// Such a connection reads as StatusNeedsReauth with no Secret: only the
// host, by reconnecting the account, can give it a credential again.
const UnopenableSecret = "hostgate could not decrypt the saved credential of this account; reconnect it"

// Keyring seals and opens secrets with AES-256-GCM. Each sealed value records
// the id of the key that sealed it, so keys can be rotated: new values use
// the current key, old ones still open with theirs. It is safe for
// concurrent use.
type Keyring struct {
	ring atomic.Pointer[ring]
	// mu serializes calls to reload, which may keep state between calls.
	mu     sync.Mutex
	reload Reloader
}

// ring is one immutable key set: swapped whole when the keys change.
type ring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// Reloader returns the keyring's keys as they are now (the id new values
// are sealed under, and every key by id), or ok false when they have not
// changed since its last call or cannot be read: the keyring then keeps the
// keys it has. It must be cheap when nothing changed, since the keyring
// calls it before every seal.
type Reloader func() (current string, keys map[string][]byte, ok bool)

// NewKeyring returns a keyring that seals with keys[current]. Every key must
// be KeySize bytes.
func NewKeyring(current string, keys map[string][]byte) (*Keyring, error) {
	r, err := newRing(current, keys, nil)
	if err != nil {
		return nil, err
	}
	k := &Keyring{}
	k.ring.Store(r)
	return k, nil
}

func newRing(current string, keys map[string][]byte, keep map[string]cipher.AEAD) (*ring, error) {
	if _, ok := keys[current]; !ok {
		if _, kept := keep[current]; !kept {
			return nil, fmt.Errorf("store: keyring: current key %q missing", current)
		}
	}
	r := &ring{current: current, aeads: make(map[string]cipher.AEAD, len(keys)+len(keep))}
	for id, aead := range keep {
		r.aeads[id] = aead
	}
	for id, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("store: keyring: key %q is %d bytes, want %d", id, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("store: keyring: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("store: keyring: %w", err)
		}
		r.aeads[id] = aead
	}
	return r, nil
}

// SetReloader makes the keyring follow a key source that changes while the
// program runs (a key file that hostgate keys rotate rewrites). Before every
// Seal, and when Open meets a key id it does not hold, the keyring asks fn
// for the keys as they are now: it then seals under the new current key and
// opens with every key it was ever given. It never forgets a key while the
// program runs, so a key source edited by mistake cannot make a stored
// secret unopenable; a retired key leaves memory at the next restart.
func (k *Keyring) SetReloader(fn Reloader) {
	k.mu.Lock()
	k.reload = fn
	k.mu.Unlock()
}

// refresh asks the reloader for the keys and swaps in the new ring, if any.
// A key set that does not build (a key of the wrong size) is ignored: the
// keys in use stay.
func (k *Keyring) refresh() *ring {
	k.mu.Lock()
	defer k.mu.Unlock()
	old := k.ring.Load()
	if k.reload == nil {
		return old
	}
	current, keys, ok := k.reload()
	if !ok {
		return old
	}
	r, err := newRing(current, keys, old.aeads)
	if err != nil {
		return old
	}
	k.ring.Store(r)
	return r
}

// Current returns the id of the key new values are sealed under.
func (k *Keyring) Current() string { return k.refresh().current }

// Has reports whether the keyring holds the key of an id.
func (k *Keyring) Has(keyID string) bool {
	_, ok := k.ring.Load().aeads[keyID]
	return ok
}

// Seal encrypts plaintext under the current key. The additional data binds
// the result to its context (a connection's id, say): opening it with other
// additional data fails. The result is nonce || ciphertext.
func (k *Keyring) Seal(plaintext, additional []byte) (keyID string, sealed []byte, err error) {
	r := k.refresh()
	aead := r.aeads[r.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("store: seal: %w", err)
	}
	return r.current, aead.Seal(nonce, nonce, plaintext, additional), nil
}

// Open decrypts a value sealed under keyID with the same additional data.
// It returns an error wrapping ErrSealed if the key is unknown (after asking
// the reloader, if any) or the value was altered.
func (k *Keyring) Open(keyID string, sealed, additional []byte) ([]byte, error) {
	aead, ok := k.ring.Load().aeads[keyID]
	if !ok {
		// A key another process added (hostgate keys rotate) is in the
		// key source before any value is sealed under it.
		aead, ok = k.refresh().aeads[keyID]
	}
	if !ok {
		return nil, fmt.Errorf("%w: unknown key id %q", ErrSealed, keyID)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: too short", ErrSealed)
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, box, additional)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrSealed)
	}
	return plain, nil
}

// ResealBatch is what one call of [Rekeying.ResealSecrets] did.
type ResealBatch struct {
	// Resealed secrets are now sealed under the current key.
	Resealed int
	// Skipped secrets changed (or went) between being read and being
	// rewritten: the writer that changed them sealed them afresh, so they
	// were left to it.
	Skipped int
	// Unopenable secrets do not open with any key of the keyring; they are
	// left as they are.
	Unopenable int
	// Next is the cursor to continue the pass from; empty when it is done.
	Next string
}

// Add adds the counts of b to r and takes b's cursor.
func (r *ResealBatch) Add(b ResealBatch) {
	r.Resealed += b.Resealed
	r.Skipped += b.Skipped
	r.Unopenable += b.Unopenable
	r.Next = b.Next
}
