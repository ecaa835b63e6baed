package hostaway

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Hostaway's JSON is loose in ways its docs show: booleans are 0/1, some
// ids and numbers arrive as strings in older objects, and absent values
// are null. These types read all of those without failing a whole page.

// intval is an integer sent as a number, a numeric string or null.
type intval int64

func (v *intval) UnmarshalJSON(b []byte) error {
	f, ok := number(b)
	if ok {
		*v = intval(f)
	}
	return nil
}

func (v intval) String() string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(int64(v), 10)
}

// numval is a decimal number sent as a number, a numeric string or null;
// Set says whether it was present.
type numval struct {
	V   float64
	Set bool
}

func (v *numval) UnmarshalJSON(b []byte) error {
	v.V, v.Set = number(b)
	return nil
}

func (v numval) ptr() *float64 {
	if !v.Set {
		return nil
	}
	f := v.V
	return &f
}

func (v numval) intPtr() *int {
	if !v.Set {
		return nil
	}
	n := int(v.V)
	return &n
}

// flag is a 0/1 integer, a boolean or their string forms.
type flag bool

func (v *flag) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	*v = flag(s == "1" || s == "true")
	return nil
}

// text is a string that may arrive as a number or null.
type text string

func (v *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*v = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = text(s)
	default:
		*v = text(b)
	}
	return nil
}

func number(b []byte) (float64, bool) {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// timeLayout is Hostaway's UTC timestamp format [C].
const timeLayout = "2006-01-02 15:04:05"

// parseTime reads a Hostaway timestamp; zero when absent or unreadable.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.ParseInLocation(timeLayout, s, time.UTC); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// date keeps the YYYY-MM-DD part of a date or timestamp.
func date(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}
