package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

// CreateOneClickCode implements [store.OneClickCodes]. The code is sealed,
// bound to the record's hash, as a connect state's verifier is: a sealed
// code copied to another row does not open.
func (s *Store) CreateOneClickCode(ctx context.Context, c store.OneClickCode) error {
	keyID, sealed, err := s.keys.Seal([]byte(c.Code), oneClickAAD(c.Hash))
	if err != nil {
		return fmt.Errorf("sqlstore: create one-click code: %w", err)
	}
	_, err = s.exec(ctx, "create one-click code",
		`INSERT INTO oneclick_codes (hash, vendor, code, code_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.Hash, c.Vendor, base64.StdEncoding.EncodeToString(sealed), keyID, tv(c.CreatedAt), tv(c.ExpiresAt))
	return err
}

func oneClickAAD(hash string) []byte { return []byte("oneclick-code\x00" + hash) }

// GetOneClickCode implements [store.OneClickCodes]: the record without its
// code, which stays sealed.
func (s *Store) GetOneClickCode(ctx context.Context, hash string) (store.OneClickCode, error) {
	var c store.OneClickCode
	err := s.r.QueryRowContext(ctx,
		`SELECT hash, vendor, created_at, expires_at FROM oneclick_codes WHERE hash = ?`, hash).
		Scan(&c.Hash, &c.Vendor, tc(&c.CreatedAt), tc(&c.ExpiresAt))
	if err != nil {
		return store.OneClickCode{}, wrap("get one-click code", err)
	}
	return c, nil
}

// ConsumeOneClickCode implements [store.OneClickCodes] with one
// DELETE … RETURNING on the single write connection: exactly one caller
// gets the row.
func (s *Store) ConsumeOneClickCode(ctx context.Context, hash string) (store.OneClickCode, error) {
	var c store.OneClickCode
	var sealed, keyID string
	err := s.w.QueryRowContext(ctx,
		`DELETE FROM oneclick_codes WHERE hash = ? RETURNING hash, vendor, code, code_key, created_at, expires_at`, hash).
		Scan(&c.Hash, &c.Vendor, &sealed, &keyID, tc(&c.CreatedAt), tc(&c.ExpiresAt))
	if err != nil {
		return store.OneClickCode{}, wrap("consume one-click code", err)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return store.OneClickCode{}, fmt.Errorf("sqlstore: consume one-click code: %w", store.ErrSealed)
	}
	code, err := s.keys.Open(keyID, raw, oneClickAAD(c.Hash))
	if err != nil {
		return store.OneClickCode{}, fmt.Errorf("sqlstore: consume one-click code: %w", err)
	}
	c.Code = string(code)
	return c, nil
}
