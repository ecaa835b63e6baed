package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Hostex's writes to a reservation (OpenAPI v3, Reservations [C]): PATCH
// /reservations/{reservation_code} updates its basic information, PATCH
// /reservations/{stay_code}/check_in_details a stay's check-in details. Both need a writable
// token and answer the bare envelope ("The request has been successfully submitted." [C]); the
// fake applies them at once [I]. A member may be left out; the fake ignores members the
// schema does not have, as a Laravel validator does [I].

// hostexBody decodes a JSON object body into its members; anything else is refused as Hostex
// refuses a body that is not JSON, 400 [C: Errors].
func (h *hostex) hostexBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&m); err != nil || m == nil {
		h.envelope(w, 400, "Malformed JSON body.", nil)
		return nil, false
	}
	return m, true
}

func isJSONNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// invalid answers a failed validation rule, 422, whose message names the field [C: Errors].
func (h *hostex) invalid(w http.ResponseWriter, field, rule string) {
	h.envelope(w, 422, "The "+field+" "+rule, nil)
}

// stringMember reads member name as a string of at most maxLen characters (0: no bound);
// present is false when the body lacks it. null is refused unless nullable.
func (h *hostex) stringMember(w http.ResponseWriter, m map[string]json.RawMessage, name string, maxLen int, nullable bool) (val *string, present, ok bool) {
	raw, present := m[name]
	if !present {
		return nil, false, true
	}
	if isJSONNull(raw) {
		if !nullable {
			h.invalid(w, name, "field must be a string.")
			return nil, true, false
		}
		return nil, true, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		h.invalid(w, name, "field must be a string.")
		return nil, true, false
	}
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		h.invalid(w, name, "may not be greater than "+strconv.Itoa(maxLen)+" characters.")
		return nil, true, false
	}
	return &s, true, true
}

// numberMember checks that member name, when present, is a number in [lo, hi] (an integer
// when integer is set).
func (h *hostex) numberMember(w http.ResponseWriter, m map[string]json.RawMessage, name string, integer bool, lo, hi float64) (*float64, bool) {
	raw, present := m[name]
	if !present {
		return nil, true
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || isJSONNull(raw) {
		h.invalid(w, name, "field must be a number.")
		return nil, false
	}
	if integer && f != float64(int64(f)) {
		h.invalid(w, name, "field must be an integer.")
		return nil, false
	}
	if f < lo || f > hi {
		h.invalid(w, name, "field must be between "+strconv.FormatFloat(lo, 'f', -1, 64)+" and "+strconv.FormatFloat(hi, 'f', -1, 64)+".")
		return nil, false
	}
	return &f, true
}

// updateReservation: PATCH /reservations/{reservation_code} {remarks ≤ 500, creator ≤ 50,
// custom_channel_id, check_in_date, check_out_date, number_of_guests 1–99, guest_name ≤ 100,
// mobile ≤ 50, email, currency, rate_amount and commission_amount 0–999999}, none required [C].
// The fake checks every member and keeps the remarks, the host's note; the others are
// accepted and not modelled [I].
func (h *hostex) updateReservation(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !h.writable(w, c) {
		return
	}
	res := h.reservation(r.PathValue("code"))
	if res == nil {
		h.envelope(w, 404, "Reservation not found.", nil)
		return
	}
	m, ok := h.hostexBody(w, r)
	if !ok {
		return
	}
	remarks, _, ok := h.stringMember(w, m, "remarks", 500, false)
	if !ok {
		return
	}
	for _, f := range []struct {
		name   string
		maxLen int
	}{{"creator", 50}, {"guest_name", 100}, {"mobile", 50}, {"email", 0}, {"currency", 0}} {
		if _, _, ok := h.stringMember(w, m, f.name, f.maxLen, false); !ok {
			return
		}
	}
	for _, name := range []string{"check_in_date", "check_out_date"} {
		s, present, ok := h.stringMember(w, m, name, 0, false)
		if !ok {
			return
		}
		if _, valid := parseDate(deref(s)); present && !valid {
			h.invalid(w, name, "is not a valid date (YYYY-MM-DD).")
			return
		}
	}
	for _, f := range []struct {
		name    string
		integer bool
		lo, hi  float64
	}{{"custom_channel_id", true, 1, 1 << 53}, {"number_of_guests", true, 1, 99}, {"rate_amount", false, 0, 999999}, {"commission_amount", false, 0, 999999}} {
		if _, ok := h.numberMember(w, m, f.name, f.integer, f.lo, f.hi); !ok {
			return
		}
	}
	if remarks != nil {
		h.v.mu.Lock()
		res.remarks = *remarks
		h.v.mu.Unlock()
	}
	h.ok(w, nil)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var hostexClockPat = regexp.MustCompile(`^\d\d:\d\d$`)

// clockMember reads arrival_at or departure_at: null, or {hour 0–23, minute 0–59}, both
// required [C].
func (h *hostex) clockMember(w http.ResponseWriter, m map[string]json.RawMessage, name string) (val *hostexClock, present, ok bool) {
	raw, present := m[name]
	if !present || isJSONNull(raw) {
		return nil, present, true
	}
	var parts map[string]json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || parts == nil {
		h.invalid(w, name, "field must be an object.")
		return nil, true, false
	}
	for _, p := range []string{"hour", "minute"} {
		if _, has := parts[p]; !has {
			h.invalid(w, name+"."+p, "field is required.")
			return nil, true, false
		}
	}
	hour, ok := h.numberMember(w, parts, "hour", true, 0, 23)
	if !ok {
		return nil, true, false
	}
	minute, ok := h.numberMember(w, parts, "minute", true, 0, 59)
	if !ok {
		return nil, true, false
	}
	return &hostexClock{Hour: int(*hour), Minute: int(*minute)}, true, true
}

// updateCheckInDetails: PATCH /reservations/{stay_code}/check_in_details {lock_code: string |
// null, lock_code_visible_after: "HH:mm" | null, arrival_at, departure_at: {hour, minute} |
// null, deposit: integer ≥ 0}; null removes a value [C]. A seeded booking has one stay, so its
// stay_code is its reservation_code.
func (h *hostex) updateCheckInDetails(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !h.writable(w, c) {
		return
	}
	res := h.reservation(r.PathValue("code"))
	if res == nil {
		h.envelope(w, 404, "Stay not found.", nil)
		return
	}
	m, ok := h.hostexBody(w, r)
	if !ok {
		return
	}
	lock, hasLock, ok := h.stringMember(w, m, "lock_code", 0, true)
	if !ok {
		return
	}
	visible, hasVisible, ok := h.stringMember(w, m, "lock_code_visible_after", 0, true)
	if !ok {
		return
	}
	if visible != nil && !hostexClockPat.MatchString(*visible) {
		h.invalid(w, "lock_code_visible_after", "format is invalid (HH:mm).")
		return
	}
	arrival, hasArrival, ok := h.clockMember(w, m, "arrival_at")
	if !ok {
		return
	}
	departure, hasDeparture, ok := h.clockMember(w, m, "departure_at")
	if !ok {
		return
	}
	deposit, ok := h.numberMember(w, m, "deposit", true, 0, 1<<31)
	if !ok {
		return
	}
	h.v.mu.Lock()
	d := &res.checkIn
	if hasLock {
		d.lockCode = lock
	}
	if hasVisible {
		d.lockVisibleAfter = visible
	}
	if hasArrival {
		d.arrival = arrival
	}
	if hasDeparture {
		d.departure = departure
	}
	if deposit != nil {
		d.deposit = ptr(int(*deposit))
	}
	h.v.mu.Unlock()
	h.ok(w, nil)
}
