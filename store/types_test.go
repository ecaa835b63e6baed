package store

import (
	"testing"
	"time"
)

func TestHash(t *testing.T) {
	// SHA-256("abc"), FIPS 180-2 appendix B.1.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := Hash("abc"); got != want {
		t.Fatalf("Hash(abc) = %s, want %s", got, want)
	}
	if Hash("a") == Hash("b") {
		t.Fatal("distinct secrets hash alike")
	}
}

func TestGrantActive(t *testing.T) {
	if !(Grant{}).Active() {
		t.Error("a grant never revoked is not active")
	}
	if (Grant{RevokedAt: time.Unix(1, 0)}).Active() {
		t.Error("a revoked grant is active")
	}
}
