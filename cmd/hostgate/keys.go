package main

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hostgate/hostgate/store"
)

const keyFileName = "secret.key"

// masterKey returns the 32-byte master key: HOSTGATE_SECRET_KEY if set,
// else the key file in dataDir, created with mode 0600 on first run.
func masterKey(env, dataDir string) ([]byte, string, error) {
	if env != "" {
		k, err := decodeKey(env)
		if err != nil {
			return nil, "", fmt.Errorf("HOSTGATE_SECRET_KEY: %w (make one with: openssl rand -base64 32)", err)
		}
		return k, "HOSTGATE_SECRET_KEY", nil
	}
	path := filepath.Join(dataDir, keyFileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := make([]byte, store.KeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, "", err
		}
		// O_EXCL: two processes starting at once cannot both write a key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, "", fmt.Errorf("create key file: %w", err)
		}
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, "", fmt.Errorf("write key file: %w", werr)
		}
		return k, path + " (new)", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read key file: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("key file %s is readable by others (mode %v); run: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	k, err := decodeKey(string(b))
	if err != nil {
		return nil, "", fmt.Errorf("key file %s: %w", path, err)
	}
	return k, path, nil
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != store.KeySize {
				return nil, fmt.Errorf("key is %d bytes, want %d", len(k), store.KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("key is not base64")
}

// keys are the keys hostgate derives from its master key, one per purpose,
// so that no key serves two.
type keys struct {
	ring *store.Keyring // seals vendor secrets
	csrf []byte         // signs CSRF tokens
	// state seals page cursors and confirmation round trips
	state []byte
}

func deriveKeys(master []byte) (keys, error) {
	seal, err := hkdf.Key(sha256.New, master, nil, "hostgate seal v1", store.KeySize)
	if err != nil {
		return keys{}, err
	}
	csrf, err := hkdf.Key(sha256.New, master, nil, "hostgate csrf v1", 32)
	if err != nil {
		return keys{}, err
	}
	state, err := hkdf.Key(sha256.New, master, nil, "hostgate tool state v1", 32)
	if err != nil {
		return keys{}, err
	}
	// The key id names the key without revealing it.
	sum := sha256.Sum256(seal)
	id := hex.EncodeToString(sum[:4])
	ring, err := store.NewKeyring(id, map[string][]byte{id: seal})
	if err != nil {
		return keys{}, err
	}
	return keys{ring: ring, csrf: csrf, state: state}, nil
}
