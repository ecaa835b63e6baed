package sqlstore

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestOneClickCodeSealed: a one-click authorization code is never on disk
// in the clear, and a sealed code moved to another record does not open
// (it is bound to its record's hash).
func TestOneClickCodeSealed(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	s := openAt(t, path, keyring(t, "k1"), options{})
	defer s.Close()
	now := time.Now()
	const code = "SECRET-PLAINTEXT-ONECLICK-CODE"
	for _, id := range []string{"a", "b"} {
		if err := s.CreateOneClickCode(ctx, store.OneClickCode{Hash: store.Hash(id), Vendor: "VENDOR-MARK",
			Code: code + "-" + id, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	files := dbFiles(t, path)
	if !bytes.Contains(files, []byte("VENDOR-MARK")) {
		t.Fatal("the files do not hold the vendor either; the test reads the wrong bytes")
	}
	if bytes.Contains(files, []byte(code)) {
		t.Fatal("a one-click code is on disk in the clear")
	}
	// Move a's sealed code onto b's record: it no longer opens.
	if _, err := s.w.ExecContext(ctx, `UPDATE oneclick_codes SET code = (SELECT code FROM oneclick_codes WHERE hash = ?) WHERE hash = ?`,
		store.Hash("a"), store.Hash("b")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConsumeOneClickCode(ctx, store.Hash("b")); !errors.Is(err, store.ErrSealed) {
		t.Fatalf("a moved sealed code: %v, want ErrSealed", err)
	}
	if got, err := s.ConsumeOneClickCode(ctx, store.Hash("a")); err != nil || got.Code != code+"-a" {
		t.Fatalf("round trip: %q, %v", got.Code, err)
	}
}
