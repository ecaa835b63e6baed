package hostex

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/hostgate/hostgate/tools/connector"
)

// page is one page of an offset/limit list, decoded from the answer's
// bytes in one pass: the envelope's error_code and error_msg, and of its
// data only the list under key and the total. The items are decoded
// straight into their wire type, so a list's bytes are read once rather
// than as the envelope, then data, then the list.
type page[T any] struct {
	key   string
	items []T
	total *int
	// what is set when the answer lacks what the schema requires [C]:
	// "no data", "no <key>", "<key> is not a list".
	what string
}

// bodyReader is an out that reads a whole Hostex answer itself (Read
// hands it the body).
type bodyReader interface {
	readBody(body []byte) (code *int, msg string, err error)
}

// readBody decodes the envelope and the page. err is a body that is not
// JSON or not an object; a missing list is left to what.
func (p *page[T]) readBody(body []byte) (code *int, msg string, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, "", err
	}
	p.what = "no data"
	for dec.More() {
		name, err := key(dec)
		if err != nil {
			return nil, "", err
		}
		switch name {
		case "error_code":
			if err := dec.Decode(&code); err != nil {
				return nil, "", err
			}
		case "error_msg":
			if err := dec.Decode(&msg); err != nil {
				msg = "" // a message of another type is no reason to fail
			}
		case "data":
			if err := p.readData(dec); err != nil {
				return nil, "", err
			}
		default:
			if err := skip(dec); err != nil {
				return nil, "", err
			}
		}
	}
	return code, msg, expectDelim(dec, '}')
}

// readData reads data: null, or an object holding the list.
func (p *page[T]) readData(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // data: null, "no data"
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		p.what = "data is not an object"
		if ok && d == '[' {
			return skipRest(dec, 1)
		}
		return nil
	}
	p.what = "no " + p.key
	for dec.More() {
		name, err := key(dec)
		if err != nil {
			return err
		}
		switch name {
		case p.key:
			// Straight into the items: null leaves them nil, [] makes them
			// empty; a value of another shape is consumed whole and fails.
			var typeErr *json.UnmarshalTypeError
			switch err := dec.Decode(&p.items); {
			case errors.As(err, &typeErr):
				p.items, p.what = nil, p.key+" is not a list"
			case err != nil:
				return err
			case p.items != nil:
				p.what = ""
			}
		case "total":
			// A missing or odd total just means "read until a short page" [T].
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			var n int
			if json.Unmarshal(raw, &n) == nil {
				p.total = &n
			}
		default:
			if err := skip(dec); err != nil {
				return err
			}
		}
	}
	return expectDelim(dec, '}')
}

func key(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", errors.New("object key is not a string")
	}
	return s, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return errors.New("unexpected JSON")
	}
	return nil
}

// skipRest reads past the rest of a value whose opening delimiters
// (depth of them) were read.
func skipRest(dec *json.Decoder, depth int) error {
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// skip reads past one value.
func skip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// readPage is Read for a bodyReader: the same rules as for any answer
// (HTTP status, error_code in HTTP 200, data required), in one pass.
func readPage(resp connector.Response, br bodyReader) connector.Reply {
	code, msg, err := br.readBody(resp.Body)
	switch {
	case resp.Status != http.StatusOK:
		return connector.StatusReply(resp.Status, msg)
	case err != nil || code == nil:
		return connector.MalformedReply(resp.Status)
	case *code != 0 && *code != 200:
		return connector.StatusReply(*code, msg)
	}
	return connector.Reply{}
}
