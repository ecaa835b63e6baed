package oauthpkce

import (
	"encoding/json"
	"testing"
)

func TestDuplicateKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"a":1,"b":2}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"a":{"b":1},"c":{"b":1}}`, ""},
		{`{"a":[{"x":1,"x":2}]}`, "x"},
		{`{"a":{"b":{}},"a":3}`, "a"},
		{`[{"k":1},{"k":1}]`, ""},
		{`{"\u0061":1,"a":2}`, "a"},
		{`{"a":"a","b":"a"}`, ""},
		{`not json`, ""},
		{`{"a":1,`, ""},
	} {
		if got := duplicateKey([]byte(tt.in)); got != tt.want {
			t.Errorf("duplicateKey(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDuplicateKey: never panics, and JSON re-encoded from a decoded value
// (which cannot have duplicates) has none.
func FuzzDuplicateKey(f *testing.F) {
	f.Add([]byte(`{"redirect_uris":["https://a.example/cb"],"redirect_uris":[]}`))
	f.Add([]byte(`{"a":{"b":[{"c":1,"d":{"c":2}}]},"e":null}`))
	f.Add([]byte(`[1,"x",{"y":true}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = duplicateKey(data)
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			return
		}
		if k := duplicateKey(again); k != "" {
			t.Fatalf("re-encoded %s: duplicate %q", again, k)
		}
	})
}
