package connector

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Text is a JSON value that a vendor sends as a string in some payloads and
// as a number in others (ids, coordinates), or as null. It decodes to the
// string, to the number exactly as written ("12", "51.5"), or to "" for
// null; any other JSON value (true, an object, an array) is an error, so a
// field that changed shape fails loudly rather than reading as "".
type Text string

// UnmarshalJSON reads a JSON string, number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*t = ""
		return nil
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 && utf8.Valid(b):
		// The common case, a string without escapes, needs no second
		// decoder pass: encoding/json has already validated b.
		*t = Text(b[1 : len(b)-1])
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		*t = Text(s)
		return err
	case len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9'):
		// A number, kept exactly as written.
		if _, err := strconv.ParseFloat(string(b), 64); err == nil {
			*t = Text(b)
			return nil
		}
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*t = Text(n.String())
	return nil
}

// String returns the value as read.
func (t Text) String() string { return string(t) }
