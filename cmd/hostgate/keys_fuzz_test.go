package main

import (
	"strings"
	"testing"
)

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
			for _, e := range entries {
				if e = strings.TrimSpace(e); len(e) >= 8 && strings.Contains(err.Error(), e) {
					t.Fatalf("error %q quotes an entry", err)
				}
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
