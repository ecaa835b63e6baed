package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The members a reservation update takes: those of the reference's update example [C: Update a
// reservation], by the type the reservation object gives them [C: Reservation object]. The
// deprecated guest verification flags are ignored [C: Changelog 2025-08-07].
var (
	hwStayStrings = []string{"guestName", "guestFirstName", "guestLastName", "guestZipCode", "guestAddress", "guestCity",
		"guestCountry", "guestEmail", "guestPicture", "guestWork", "phone", "currency", "hostNote", "guestNote", "guestLocale",
		"doorCode", "doorCodeVendor", "doorCodeInstruction", "comment", "airbnbCancellationPolicy", "customerUserId"}
	hwStayInts    = []string{"guestRecommendations", "guestTrips", "numberOfGuests", "adults", "children", "infants", "pets"}
	hwStayHours   = []string{"checkInTime", "checkOutTime"}
	hwStayNumbers = append([]string{"totalPrice", "taxAmount", "channelCommissionAmount", "cleaningFee", "securityDepositFee"}, hwAirbnbAmounts...)
	hwStayFlags   = []string{"isManuallyChecked", "isPaid"}
)

// updateReservation: PUT /v1/reservations/{id} with a reservation object [C]; the listing cannot
// change [C: "It's not possible to update the listingMapId"]. The reference does not say what
// becomes of a member the body leaves out; the fake takes the stricter reading, a replacement
// [I]: each member the update takes is set from the body, and one left out is cleared, so a
// client that sends only what it changes loses what the host set. arrivalDate and departureDate
// are required [C: required in the object]; the fake does not move stays, so other dates are
// refused [I]. A member of the wrong type, a 0/1 flag that is neither or an hour outside 0-23
// [I: as a listing's hours] is a 400 in the error envelope [C shape, I status]. The answer is
// the updated reservation [C].
func (h *hostaway) updateReservation(w http.ResponseWriter, r *http.Request) {
	var res *hwRes
	for _, x := range h.res {
		if strconv.Itoa(x.id) == r.PathValue("id") {
			res = x
		}
	}
	if res == nil {
		h.fail(w, http.StatusNotFound, "Reservation not found")
		return
	}
	var body map[string]json.RawMessage
	if decodeJSON(r.Body, &body) != nil || body == nil {
		h.fail(w, http.StatusBadRequest, "Malformed JSON body")
		return
	}
	if raw, ok := body["listingMapId"]; ok {
		var id int
		if json.Unmarshal(raw, &id) != nil || id != res.l.id {
			h.fail(w, http.StatusBadRequest, "It's not possible to update the listingMapId of a reservation")
			return
		}
	}
	for name, want := range map[string]string{"arrivalDate": res.s.checkIn.Format(dateLayout), "departureDate": res.s.checkOut().Format(dateLayout)} {
		var s string
		raw, ok := body[name]
		if !ok || json.Unmarshal(raw, &s) != nil {
			h.fail(w, http.StatusBadRequest, name+" is required (YYYY-MM-DD)")
			return
		}
		if s != want {
			h.fail(w, http.StatusBadRequest, "The sandbox does not move stays: "+name+" must stay "+want)
			return
		}
	}
	edits := map[string]any{}
	take := func(names []string, read func(json.RawMessage) (any, bool), what string) bool {
		for _, name := range names {
			raw, ok := body[name]
			if !ok || isNull(raw) {
				edits[name] = nil
				continue
			}
			v, ok := read(raw)
			if !ok {
				h.fail(w, http.StatusBadRequest, name+" must be "+what)
				return false
			}
			edits[name] = v
		}
		return true
	}
	if !take(hwStayStrings, hwString, "a string") || !take(hwStayInts, hwInt(0, 1<<30), "an integer") ||
		!take(hwStayHours, hwInt(0, 23), "an hour from 0 to 23") || !take(hwStayNumbers, hwNumber, "a number") ||
		!take(hwStayFlags, hwInt(0, 1), "0 or 1") || !take([]string{"customFieldValues"}, hwCustomFields, "a list of {customFieldId, value}") {
		return
	}
	if edits["customFieldValues"] == nil {
		edits["customFieldValues"] = []any{}
	}
	h.v.mu.Lock()
	res.edits = edits
	res.updatedOn = h.v.now().UTC().Truncate(time.Second)
	out := res.render(true, res.latest())
	h.v.mu.Unlock()
	h.one(w, out)
}

func hwString(raw json.RawMessage) (any, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return s, true
}

func hwNumber(raw json.RawMessage) (any, bool) {
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return nil, false
	}
	return f, true
}

// hwInt reads an integer within [lo, hi].
func hwInt(lo, hi int) func(json.RawMessage) (any, bool) {
	return func(raw json.RawMessage) (any, bool) {
		var n int
		if json.Unmarshal(raw, &n) != nil || n < lo || n > hi {
			return nil, false
		}
		return n, true
	}
}

// hwCustomFields reads a reservation's custom field values, [{customFieldId, value}] [C].
func hwCustomFields(raw json.RawMessage) (any, bool) {
	var items []map[string]json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		var id int
		var v any
		if json.Unmarshal(it["customFieldId"], &id) != nil || id <= 0 || json.Unmarshal(it["value"], &v) != nil {
			return nil, false
		}
		out = append(out, map[string]any{"customFieldId": id, "value": v})
	}
	return out, true
}
