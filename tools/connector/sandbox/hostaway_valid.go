package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// The fake refuses a query parameter of the wrong type or outside its published values, as
// a server that validates its input does: {"status":"fail","result":<message>} [C: the
// error envelope] with HTTP 400 [I: the reference documents no status for a refused
// parameter; its error table is the Slate template's]. A parameter the reference does not
// list is ignored, not refused [I], so that the contract tests, not the fake, catch a client
// that sends one.

// hwInts checks that each named parameter present (plain or repeated as name[]) is an
// integer; false means the refusal was written.
func (h *hostaway) hwInts(w http.ResponseWriter, q url.Values, names ...string) bool {
	for _, name := range names {
		for _, s := range append(q[name], q[name+"[]"]...) {
			if _, err := strconv.Atoi(s); err != nil {
				h.fail(w, http.StatusBadRequest, "Invalid "+name)
				return false
			}
		}
	}
	return true
}

// hwDates checks that each named parameter present is a date (YYYY-MM-DD).
func (h *hostaway) hwDates(w http.ResponseWriter, q url.Values, names ...string) bool {
	for _, name := range names {
		if s := q.Get(name); s != "" {
			if _, ok := parseDate(s); !ok {
				h.fail(w, http.StatusBadRequest, "Invalid "+name)
				return false
			}
		}
	}
	return true
}

// hwOneOf checks that a parameter, when present, is one of its published values.
func (h *hostaway) hwOneOf(w http.ResponseWriter, q url.Values, name string, values ...string) bool {
	if s := q.Get(name); s != "" && !slices.Contains(values, s) {
		h.fail(w, http.StatusBadRequest, "Invalid "+name)
		return false
	}
	return true
}
