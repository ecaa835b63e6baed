package main

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hostgate/hostgate/store"
)

const keyFileName = "secret.key"

// keySet is hostgate's master keys, newest first: the newest seals and
// derives every key; the older ones only open what was sealed under them
// until hostgate keys rotate has re-sealed it. A key set from the key file
// remembers the file, so a running hostgate follows a rotation.
type keySet struct {
	masters [][]byte
	path    string      // the key file; empty for HOSTGATE_SECRET_KEY
	info    os.FileInfo // of the key file as read
}

// masterKey returns the key set: HOSTGATE_SECRET_KEY if set (base64 keys
// separated by commas, newest first), else the key file in dataDir (one
// base64 key a line, newest first), created with mode 0600 and one new key
// on first run.
func masterKey(env, dataDir string) (keySet, string, error) {
	if env != "" {
		ks, err := parseKeys(strings.Split(env, ","))
		if err != nil {
			return keySet{}, "", fmt.Errorf("HOSTGATE_SECRET_KEY: %w (make a key with: openssl rand -base64 32; list several separated by commas, newest first)", err)
		}
		return keySet{masters: ks}, "HOSTGATE_SECRET_KEY", nil
	}
	path := filepath.Join(dataDir, keyFileName)
	ks, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(path)
	}
	if err != nil {
		return keySet{}, "", err
	}
	return ks, path, nil
}

// createKeyFile writes a key file holding one new key.
func createKeyFile(path string) (keySet, string, error) {
	k := make([]byte, store.KeySize)
	if _, err := rand.Read(k); err != nil {
		return keySet{}, "", err
	}
	// O_EXCL: two processes starting at once cannot both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return keySet{}, "", fmt.Errorf("create key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	var info os.FileInfo
	if werr == nil {
		info, werr = f.Stat()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return keySet{}, "", fmt.Errorf("write key file: %w", werr)
	}
	return keySet{masters: [][]byte{k}, path: path, info: info}, path + " (new)", nil
}

// readKeyFile reads the key file, refusing one others can read. The file is
// opened once, so the keys and the file information agree.
func readKeyFile(path string) (keySet, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return keySet{}, err
		}
		return keySet{}, fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return keySet{}, fmt.Errorf("read key file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return keySet{}, fmt.Errorf("key file %s is readable by others (mode %v); run: chmod 600 %s", path, info.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return keySet{}, fmt.Errorf("read key file: %w", err)
	}
	ks, err := parseKeys(strings.Split(string(b), "\n"))
	if err != nil {
		return keySet{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return keySet{masters: ks, path: path, info: info}, nil
}

// parseKeys decodes a list of base64 keys, newest first; blank entries are
// ignored. Never an error that quotes a key.
func parseKeys(entries []string) ([][]byte, error) {
	var out [][]byte
	seen := map[string]bool{}
	for _, e := range entries {
		if strings.TrimSpace(e) == "" {
			continue
		}
		k, err := decodeKey(e)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", len(out)+1, err)
		}
		if seen[string(k)] {
			return nil, fmt.Errorf("key %d is listed twice", len(out)+1)
		}
		seen[string(k)] = true
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("no key")
	}
	return out, nil
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

// keys are the keys hostgate derives from its master keys, one per purpose,
// so that no key serves two.
type keys struct {
	ring *store.Keyring // seals vendor secrets
	csrf []byte         // signs CSRF tokens
	// state seals page cursors and confirmation round trips
	state []byte
}

// sealKey derives the sealing key of a master key and its id. The id is a
// hash of the derived key: it names the key without revealing it, and
// follows from the key alone, so a value sealed years ago under a master key
// still names it. (This is the scheme hostgate has always used for its one
// key, so existing rows keep opening.)
func sealKey(master []byte) (id string, key []byte, err error) {
	key, err = hkdf.Key(sha256.New, master, nil, "hostgate seal v1", store.KeySize)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4]), key, nil
}

// sealKeys derives the sealing keys of a key set: the newest key's id, and
// every key by id.
func sealKeys(masters [][]byte) (current string, ring map[string][]byte, err error) {
	ring = make(map[string][]byte, len(masters))
	for i, m := range masters {
		id, key, err := sealKey(m)
		if err != nil {
			return "", nil, err
		}
		if _, dup := ring[id]; dup {
			return "", nil, fmt.Errorf("two keys share the id %s; replace the newer one", id)
		}
		ring[id] = key
		if i == 0 {
			current = id
		}
	}
	return current, ring, nil
}

// deriveKeys derives hostgate's keys: CSRF and tool-state keys from the
// newest master key, and a keyring sealing under the newest and opening
// with every one. A keyring from the key file follows the file while
// hostgate runs: a key hostgate keys rotate adds is used at once.
func deriveKeys(ks keySet) (keys, error) {
	if len(ks.masters) == 0 {
		return keys{}, errors.New("no master key")
	}
	csrf, err := hkdf.Key(sha256.New, ks.masters[0], nil, "hostgate csrf v1", 32)
	if err != nil {
		return keys{}, err
	}
	state, err := hkdf.Key(sha256.New, ks.masters[0], nil, "hostgate tool state v1", 32)
	if err != nil {
		return keys{}, err
	}
	current, sealing, err := sealKeys(ks.masters)
	if err != nil {
		return keys{}, err
	}
	ring, err := store.NewKeyring(current, sealing)
	if err != nil {
		return keys{}, err
	}
	if ks.path != "" {
		ring.SetReloader(fileReloader(ks.path, ks.info))
	}
	return keys{ring: ring, csrf: csrf, state: state}, nil
}

// fileReloader gives a keyring the key file's keys whenever the file was
// replaced or changed since it was last read; otherwise one stat. A file
// that cannot be read or parsed is ignored (the keys in use stay) until it
// changes again.
func fileReloader(path string, seen os.FileInfo) store.Reloader {
	return func() (string, map[string][]byte, bool) {
		info, err := os.Stat(path)
		if err != nil || sameFile(seen, info) {
			return "", nil, false
		}
		ks, err := readKeyFile(path)
		if err != nil {
			seen = info
			return "", nil, false
		}
		seen = ks.info
		current, ring, err := sealKeys(ks.masters)
		if err != nil {
			return "", nil, false
		}
		return current, ring, true
	}
}
