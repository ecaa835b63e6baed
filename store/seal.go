package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

// KeySize is the length of a sealing key: AES-256.
const KeySize = 32

// Keyring seals and opens secrets with AES-256-GCM. Each sealed value records
// the id of the key that sealed it, so keys can be rotated: new values use
// the current key, old ones still open with theirs.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring that seals with keys[current]. Every key must
// be KeySize bytes.
func NewKeyring(current string, keys map[string][]byte) (*Keyring, error) {
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("store: keyring: current key %q missing", current)
	}
	k := &Keyring{current: current, aeads: make(map[string]cipher.AEAD, len(keys))}
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
		k.aeads[id] = aead
	}
	return k, nil
}

// Seal encrypts plaintext under the current key. The additional data binds
// the result to its context (a connection's id, say): opening it with other
// additional data fails. The result is nonce || ciphertext.
func (k *Keyring) Seal(plaintext, additional []byte) (keyID string, sealed []byte, err error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("store: seal: %w", err)
	}
	return k.current, aead.Seal(nonce, nonce, plaintext, additional), nil
}

// Open decrypts a value sealed under keyID with the same additional data.
// It returns an error wrapping ErrSealed if the key is unknown or the value
// was altered.
func (k *Keyring) Open(keyID string, sealed, additional []byte) ([]byte, error) {
	aead, ok := k.aeads[keyID]
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
