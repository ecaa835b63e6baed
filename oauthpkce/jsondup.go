package oauthpkce

import (
	"bytes"
	"encoding/json"
)

// duplicateKey returns the first member name that appears twice in one
// object anywhere in the JSON text data, or "" if none does (or if data is
// not JSON: the caller's decoder reports that). encoding/json keeps the
// last of duplicate members while other parsers keep the first, so a body
// with duplicates can mean different things to different readers; it is
// refused.
func duplicateKey(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*jsonFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.isObject && top.expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].afterValue()
				}
				continue
			}
			k, _ := tok.(string)
			if _, dup := top.keys[k]; dup {
				return k
			}
			top.keys[k] = struct{}{}
			top.expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &jsonFrame{keys: map[string]struct{}{}, isObject: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &jsonFrame{})
		case json.Delim(']'), json.Delim('}'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].afterValue()
			}
		default:
			if top != nil {
				top.afterValue()
			}
		}
	}
}

// jsonFrame is an open object or array in duplicateKey; an object records
// its keys and whether the next token is a key.
type jsonFrame struct {
	keys      map[string]struct{}
	isObject  bool
	expectKey bool
}

// afterValue notes that a value of the frame ended.
func (f *jsonFrame) afterValue() {
	if f.isObject {
		f.expectKey = true
	}
}
