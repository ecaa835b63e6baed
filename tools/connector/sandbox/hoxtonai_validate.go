package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
)

// HoxtonAI's reference types every id as a uuid and every report bound as a date (YYYY-MM-DD)
// [C]. The fake refuses a request that breaks a type, sends an unknown member, or leaves out a
// required one with 422, "unprocessable entity", one of the statuses the reference lists; a
// body that is not a JSON object is 400, "bad request" [I: the reference does not say which
// of the two the API uses for what, nor whether it refuses unknown members; refusing them is
// the strictest reading, so a client that sends a guessed member fails here first].

var hxUUIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// isUUID reports whether s is a UUID.
func isUUID(s string) bool { return hxUUIDPattern.MatchString(s) }

// hxKind is the type of one body member.
type hxKind int

const (
	hxUUIDKind  hxKind = iota // a uuid string
	hxDateKind                // a YYYY-MM-DD string
	hxUUIDsKind               // an array of uuid strings
)

// hxMember is one member a request body may carry.
type hxMember struct {
	kind     hxKind
	required bool
}

// readHXBody reads a JSON object body, holds it to members and decodes it into out. It writes
// the refusal and returns false when the body breaks them.
func (x *hoxton) readHXBody(w http.ResponseWriter, r *http.Request, members map[string]hxMember, out any) bool {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		x.fail(w, http.StatusRequestEntityTooLarge, "The request body is too large")
		return false
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || m == nil {
		x.fail(w, http.StatusBadRequest, "The body must be a JSON object")
		return false
	}
	for name := range m {
		if _, ok := members[name]; !ok {
			x.fail(w, http.StatusUnprocessableEntity, name+" is not a member of this request")
			return false
		}
	}
	for name, mem := range members {
		v, ok := m[name]
		if !ok || v == nil {
			if mem.required {
				x.fail(w, http.StatusUnprocessableEntity, name+" is required")
				return false
			}
			continue
		}
		if !mem.holds(v) {
			x.fail(w, http.StatusUnprocessableEntity, name+" "+mem.want())
			return false
		}
	}
	if json.Unmarshal(b, out) != nil {
		x.fail(w, http.StatusBadRequest, "Malformed JSON body")
		return false
	}
	return true
}

// holds reports whether a decoded JSON value has the member's type.
func (m hxMember) holds(v any) bool {
	switch m.kind {
	case hxUUIDKind:
		s, ok := v.(string)
		return ok && isUUID(s)
	case hxDateKind:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, ok = parseDate(s)
		return ok
	case hxUUIDsKind:
		a, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range a {
			if s, ok := e.(string); !ok || !isUUID(s) {
				return false
			}
		}
		return true
	}
	return false
}

func (m hxMember) want() string {
	switch m.kind {
	case hxUUIDKind:
		return "must be a uuid"
	case hxDateKind:
		return "must be a date (YYYY-MM-DD)"
	}
	return "must be an array of uuids"
}

// uuidParam refuses a path or query value that is not a uuid, as the API's validation does [I].
func (x *hoxton) uuidParam(w http.ResponseWriter, name, v string) bool {
	if isUUID(v) {
		return true
	}
	x.fail(w, http.StatusUnprocessableEntity, name+" must be a uuid")
	return false
}
