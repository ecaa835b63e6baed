package connector_test

import (
	"encoding/json"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

func TestTextReadsStringsNumbersAndNull(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     connector.Text
		fails    bool
	}{
		{"a string", `"abc"`, "abc", false},
		{"an escaped string", `"a\"b\u00e9"`, `a"bé`, false},
		{"an empty string", `""`, "", false},
		{"an integer id", `12111947`, "12111947", false},
		{"a number as written", `51.50`, "51.50", false},
		{"a negative exponent", `-1e3`, "-1e3", false},
		{"null", `null`, "", false},
		{"a boolean is a changed shape", `true`, "", true},
		{"an object is a changed shape", `{"id":1}`, "", true},
		{"an array is a changed shape", `[1]`, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v struct {
				ID connector.Text `json:"id"`
			}
			err := json.Unmarshal([]byte(`{"id":`+tc.in+`}`), &v)
			if (err != nil) != tc.fails {
				t.Fatalf("error = %v, want failure %v", err, tc.fails)
			}
			if !tc.fails && (v.ID != tc.want || v.ID.String() != string(tc.want)) {
				t.Fatalf("got %q, want %q", v.ID, tc.want)
			}
		})
	}
}

func TestTextAbsentIsEmpty(t *testing.T) {
	var v struct {
		ID connector.Text `json:"id"`
	}
	if err := json.Unmarshal([]byte(`{}`), &v); err != nil || v.ID != "" {
		t.Fatalf("absent field: %q, %v", v.ID, err)
	}
}

// FuzzText: whatever a vendor sends, decoding never panics, and a value it
// accepts is what encoding/json reads as a string or a number.
func FuzzText(f *testing.F) {
	for _, s := range []string{`"x"`, `12`, `-0.5e-3`, `null`, `true`, `{}`, `"\u0000"`, `1x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var got connector.Text
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			return
		}
		var s string
		var n json.Number
		switch {
		case in == "null" || json.Unmarshal([]byte(in), &s) == nil && string(got) == s:
		case json.Unmarshal([]byte(in), &n) == nil && string(got) == n.String():
		default:
			t.Fatalf("%q decoded to %q", in, got)
		}
	})
}
