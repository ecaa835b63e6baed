package oauthpkce

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// RFC 7636 Appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestValidChallenge(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    string
		want bool
	}{
		{"RFC 7636 example", rfcChallenge, true},
		{"empty", "", false},
		{"42 characters", rfcChallenge[:42], false},
		{"44 characters", rfcChallenge + "A", false},
		{"padded", rfcChallenge + "=", false},
		{"standard base64 alphabet", strings.Repeat("+", 43), false},
		{"a space", rfcChallenge[:42] + " ", false},
		// 43 base64url characters carry 258 bits; the last one must leave
		// the two extra bits zero to be a 32-byte digest.
		{"non-canonical last character", rfcChallenge[:42] + "N", false},
		{"a plain verifier of 43 characters", rfcVerifier, true}, // indistinguishable by form; only S256 is accepted anyway
	} {
		if got := validChallenge(tt.s); got != tt.want {
			t.Errorf("%s: validChallenge(%q) = %v, want %v", tt.name, tt.s, got, tt.want)
		}
	}
}

func TestValidVerifier(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    string
		want bool
	}{
		{"RFC 7636 example", rfcVerifier, true},
		{"42 characters", strings.Repeat("a", 42), false},
		{"43 characters", strings.Repeat("a", 43), true},
		{"128 characters", strings.Repeat("a", 128), true},
		{"129 characters", strings.Repeat("a", 129), false},
		{"every unreserved character", strings.Repeat("AZaz09-._~", 5), true},
		{"plus", strings.Repeat("a", 42) + "+", false},
		{"slash", strings.Repeat("a", 42) + "/", false},
		{"equals", strings.Repeat("a", 42) + "=", false},
		{"space", strings.Repeat("a", 42) + " ", false},
		{"percent", strings.Repeat("a", 42) + "%", false},
		{"non-ASCII", strings.Repeat("a", 41) + "é", false},
		{"NUL", strings.Repeat("a", 42) + "\x00", false},
	} {
		if got := validVerifier(tt.s); got != tt.want {
			t.Errorf("%s: validVerifier(%q) = %v, want %v", tt.name, tt.s, got, tt.want)
		}
	}
}

func TestVerifyPKCE(t *testing.T) {
	for _, tt := range []struct {
		name                string
		challenge, verifier string
		want                bool
	}{
		{"RFC 7636 example", rfcChallenge, rfcVerifier, true},
		{"wrong verifier", rfcChallenge, strings.Repeat("a", 43), false},
		{"plain: verifier equals challenge", rfcChallenge, rfcChallenge, false},
		{"verifier with a character appended", rfcChallenge, rfcVerifier + "a", false},
		{"verifier one character short", rfcChallenge, rfcVerifier[:42], false},
		{"empty verifier", rfcChallenge, "", false},
		{"empty challenge", "", rfcVerifier, false},
		{"challenge of a verifier too short", s256("short"), "short", false},
		{"challenge of a verifier with a bad character", s256(strings.Repeat("a", 42) + "+"), strings.Repeat("a", 42) + "+", false},
		{"challenge with different case", strings.ToLower(rfcChallenge), rfcVerifier, false},
	} {
		if got := verifyPKCE(tt.challenge, tt.verifier); got != tt.want {
			t.Errorf("%s: verifyPKCE = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzVerifyPKCE: a verifier matches exactly when it is a valid RFC 7636
// verifier whose S256 is the challenge.
func FuzzVerifyPKCE(f *testing.F) {
	f.Add(rfcChallenge, rfcVerifier)
	f.Add(rfcChallenge, rfcChallenge)
	f.Add("", "")
	f.Add(s256(strings.Repeat("~", 128)), strings.Repeat("~", 128))
	f.Fuzz(func(t *testing.T, challenge, verifier string) {
		got := verifyPKCE(challenge, verifier)
		want := validVerifier(verifier) && challenge == s256(verifier)
		if got != want {
			t.Fatalf("verifyPKCE(%q, %q) = %v, want %v", challenge, verifier, got, want)
		}
		if validVerifier(verifier) && !verifyPKCE(s256(verifier), verifier) {
			t.Fatalf("valid verifier %q does not match its own challenge", verifier)
		}
		if validChallenge(challenge) && len(challenge) != 43 {
			t.Fatalf("valid challenge %q of length %d", challenge, len(challenge))
		}
		if validVerifier(verifier) && !validChallenge(s256(verifier)) {
			t.Fatalf("S256 of %q is not a valid challenge", verifier)
		}
	})
}

// TestReadAuthRequest: parameters are read once each, and a repeated one is
// reported (RFC 6749 §3.1).
func TestReadAuthRequest(t *testing.T) {
	for _, tt := range []struct {
		query    string
		repeated string
	}{
		{"client_id=a&redirect_uri=b", ""},
		{"client_id=a&client_id=a", "client_id"},
		{"state=1&state=2&scope=x&scope=y", "state"}, // the first in authParams order
		{"scope=x&scope=y", "scope"},
		{"unknown=1&unknown=2", ""}, // RFC 6749 §3.1: unknown parameters are ignored
		{"prompt=&prompt=", "prompt"},
	} {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if _, rep := readAuthRequest(v); rep != tt.repeated {
			t.Errorf("%q: repeated %q, want %q", tt.query, rep, tt.repeated)
		}
	}
}

// TestAuthRequestDigest: the digest that binds a consent form to its
// request differs whenever any field differs, including by moving bytes
// between adjacent fields.
func TestAuthRequestDigest(t *testing.T) {
	base := authRequest{ClientID: "c", RedirectURI: "https://a.example/cb", ResponseType: "code", Challenge: rfcChallenge,
		ChallengeMethod: "S256", State: "s", Scope: "read", Resource: "https://h.example/mcp"}
	seen := map[string]string{base.digest(): "base"}
	for i := range authParams {
		a := base
		p := reflect.ValueOf(&a).Elem().Field(i)
		p.SetString(p.String() + "x")
		if prev, dup := seen[a.digest()]; dup {
			t.Fatalf("changing %s gives the digest of %s", authParams[i], prev)
		}
		seen[a.digest()] = authParams[i]
	}
	a1 := authRequest{State: "ab"}
	a2 := authRequest{State: "a", Scope: "b"}
	if a1.digest() == a2.digest() {
		t.Fatal("moving a byte between fields keeps the digest")
	}
	// The effective redirect URI is not a parameter and not in the digest.
	withRedirect := base
	withRedirect.redirect = "https://elsewhere.example/cb"
	if withRedirect.digest() != base.digest() {
		t.Fatal("the effective redirect is part of the digest")
	}
}

// FuzzReadAuthRequest: reading an authorization request from any query
// never panics, reads each parameter's first value, and survives the trip
// through the consent form's hidden fields unchanged, digest included.
func FuzzReadAuthRequest(f *testing.F) {
	f.Add("client_id=a&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&response_type=code&code_challenge=" + rfcChallenge + "&code_challenge_method=S256&state=xyz&scope=read+write&resource=https%3A%2F%2Fh.example%2Fmcp")
	f.Add("client_id=a&client_id=b")
	f.Add("state=%00%ff&scope=%20")
	f.Add("prompt=consent&;=&&=")
	f.Add("%zz=1&state=ok")
	f.Fuzz(func(t *testing.T, query string) {
		v, _ := url.ParseQuery(query) // as r.URL.Query() does: errors drop pairs
		a, repeated := readAuthRequest(v)
		for i, k := range authParams {
			if got := a.fields()[i]; got != v.Get(k) {
				t.Fatalf("%s = %q, want the first value %q", k, got, v.Get(k))
			}
			if len(v[k]) > 1 && repeated == "" {
				t.Fatalf("%s repeated but not reported", k)
			}
		}
		if repeated != "" && len(v[repeated]) < 2 {
			t.Fatalf("%s reported repeated", repeated)
		}
		// The consent form carries a.values() as hidden fields, and the
		// browser posts them back form-encoded.
		back, err := url.ParseQuery(a.values().Encode())
		if err != nil {
			t.Fatal(err)
		}
		b, rep := readAuthRequest(back)
		if rep != "" || b != a || b.digest() != a.digest() {
			t.Fatalf("round trip: %+v (%q), want %+v", b, rep, a)
		}
	})
}
