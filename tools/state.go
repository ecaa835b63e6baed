package tools

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// sealer makes the opaque values hostgate hands to MCP clients and takes
// back later: page cursors and the state of a confirmation round trip.
// Each is AES-256-GCM sealed, with additional data that binds it to its
// purpose and to the grant it was issued under, so a value is useless in
// another grant, for another purpose, or once altered. The values hold no
// secret, but sealing keeps them opaque and unforgeable.
type sealer struct {
	aead cipher.AEAD
}

// errBadState is any value that does not open: forged, altered, of another
// grant or purpose.
var errBadState = errors.New("tools: value does not open")

// newSealer derives the sealing key from key, a 32-byte secret.
func newSealer(key []byte) (*sealer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("tools: state key is %d bytes, want 32", len(key))
	}
	k, err := hkdf.Key(sha256.New, key, nil, "hostgate sealed tool values v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func additional(purpose, grantID string) []byte {
	return []byte("hostgate/" + purpose + "\x00" + grantID)
}

// seal encodes v as JSON and seals it for purpose within grantID, as
// unpadded base64url.
func (s *sealer) seal(purpose, grantID string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, additional(purpose, grantID))), nil
}

// maxSealed bounds what open decodes: cursors and states are small.
const maxSealed = 4096

// open reverses seal into v. Anything that is not a value sealed by seal
// for the same purpose and grant gives errBadState.
func (s *sealer) open(purpose, grantID, text string, v any) error {
	if len(text) > maxSealed {
		return errBadState
	}
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return errBadState
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], additional(purpose, grantID))
	if err != nil {
		return errBadState
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errBadState
	}
	return nil
}
