package main

import (
	"regexp"
	"strings"
	"testing"
)

var keyErrorForm = regexp.MustCompile(`^(key \d+: key is (\d+ bytes, want 32|not base64)|key \d+ is listed twice|no key)$`)

// FuzzParseKeys: the key list comes from a file or HOSTGATE_SECRET_KEY.
// Whatever it holds, parsing never panics, every key it accepts is 32
// bytes, and no error quotes an entry (an entry may be a real key with a
// typo in it).
func FuzzParseKeys(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("not base64 at all")
	f.Add("\n\n  \n")
	f.Fuzz(func(t *testing.T, s string) {
		entries := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' })
		keys, err := parseKeys(entries)
		if err != nil {
			// Only the fixed wordings: none has room for an entry's text.
			if !keyErrorForm.MatchString(err.Error()) {
				t.Fatalf("error %q is not one of the fixed forms", err)
			}
			return
		}
		for i, k := range keys {
			if len(k) != 32 {
				t.Fatalf("key %d is %d bytes", i, len(k))
			}
		}
	})
}
