package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Raw is what a backend's test adds to the stores it gives [Run], for the
// cases that check a secret is not kept in clear: every byte the database
// holds (files, or every value of every row).
type Raw interface {
	RawContents(t testing.TB) []byte
}

// testSignInReturnSealed: a sign-in state's return path round-trips, and
// is not stored in clear: it may be a team invitation's link, whose token
// is as good as the invitation.
func testSignInReturnSealed(t *testing.T, s store.Store) {
	raw, ok := s.(Raw)
	if !ok {
		t.Fatal("the backend's test gives a store without RawContents: the sealing cannot be checked")
	}
	ctx := t.Context()
	rets := []string{
		"/join/INVITE-TOKEN-IN-CLEAR-0123456789abcdef",
		"/authorize?client_id=c&state=STATE-IN-CLEAR-ß&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb",
		"/",
	}
	var states []store.SignInState
	for i, ret := range rets {
		st := newSignInState("ret"+string(rune('a'+i)), 10*time.Minute)
		st.ReturnTo = ret
		check(t, "CreateSignInState", s.CreateSignInState(ctx, st))
		states = append(states, st)
	}
	b := raw.RawContents(t)
	// The control: the browser's hash is kept in clear, so the bytes read
	// are the rows'.
	if !bytes.Contains(b, []byte(states[0].BrowserHash)) {
		t.Fatal("the raw contents lack the sign-in state's browser hash: wrong bytes read")
	}
	for _, secret := range []string{"INVITE-TOKEN-IN-CLEAR", "STATE-IN-CLEAR"} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("a sign-in state's return path is stored in clear (%s)", secret)
		}
	}
	for _, st := range states {
		got, err := s.ConsumeSignInState(ctx, st.Hash)
		check(t, "ConsumeSignInState", err)
		same(t, "return path "+st.ReturnTo, got, st)
	}
}
