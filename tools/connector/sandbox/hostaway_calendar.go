package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// calendar: GET /v1/listings/{id}/calendar?startDate=&endDate= [C]. Missing dates default to
// today and 30 days on [I].
func (h *hostaway) calendar(w http.ResponseWriter, r *http.Request) {
	l := h.listing(r.PathValue("id"))
	if l == nil {
		h.fail(w, http.StatusNotFound, "Listing not found")
		return
	}
	q := r.URL.Query()
	start := day(h.v.now())
	if s := q.Get("startDate"); s != "" {
		t, ok := parseDate(s)
		if !ok {
			h.fail(w, http.StatusBadRequest, "Invalid startDate")
			return
		}
		start = t
	}
	end := start.AddDate(0, 0, 30)
	if s := q.Get("endDate"); s != "" {
		t, ok := parseDate(s)
		if !ok || t.Before(start) {
			h.fail(w, http.StatusBadRequest, "Invalid endDate")
			return
		}
		end = t
	}
	days := []map[string]any{}
	h.v.mu.Lock()
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		days = append(days, h.day(l, d))
	}
	h.v.mu.Unlock()
	h.one(w, days)
}

// day renders one calendar day object [C] with the host's writes applied; the caller holds
// Vendor.mu. Its id is stable per listing and date [I].
func (h *hostaway) day(l *hwListing, d time.Time) map[string]any {
	set := h.v.cal.at(strconv.Itoa(l.id), d)
	booked := occupied(l.stays, d)
	open, _ := nightOpen(booked != nil, ownerBlocked(l.stays, d, l.id) && !loneNight(l.stays, d), set)
	status, resv := "available", []any{}
	switch {
	case booked != nil:
		status = "reserved"
		for _, res := range h.res {
			if res.s == booked {
				resv = append(resv, map[string]any{"id": res.id, "status": hwStatus(booked), "guestName": booked.name(),
					"arrivalDate": booked.checkIn.Format(dateLayout), "departureDate": booked.checkOut().Format(dateLayout)})
			}
		}
	case !open:
		status = "blocked"
	}
	minStay := 1
	if d.Weekday() == time.Friday || d.Weekday() == time.Saturday {
		minStay = 2
	}
	if set.minStay != nil {
		minStay = *set.minStay
	}
	price := nightlyPrice(l.price, d)
	if set.price != nil {
		price = *set.price
	}
	avail := status == "available"
	return map[string]any{
		"id": l.id*100_000 + int(d.Unix()/86400), "date": d.Format(dateLayout),
		"isAvailable": b01(avail), "isProcessed": 1, "status": status, "price": price,
		"minimumStay": minStay, "maximumStay": 30, "closedOnArrival": 0, "closedOnDeparture": 0,
		"note": nil, "countAvailableUnits": b01(avail), "availableUnitsToSell": b01(avail),
		"countPendingUnits": 0, "countBlockingReservations": b01(status == "reserved"),
		"countBlockedUnits": b01(status == "blocked"), "countReservedUnits": b01(status == "reserved"),
		"desiredUnitsToSell": nil, "reservations": resv,
	}
}

// loneNight reports a free night between two stays, which the seed never blocks: a one-night
// gap a host wants filled is the classic job for an agent, and the tests need one that shows.
func loneNight(stays []stay, d time.Time) bool {
	return occupied(stays, d) == nil && occupied(stays, d.AddDate(0, 0, -1)) != nil && occupied(stays, d.AddDate(0, 0, 1)) != nil
}

// hwHorizon is how far ahead the fake takes calendar writes [I]: Hostaway documents no limit.
const hwHorizon = 3 // years

// updateCalendar: PUT /v1/listings/{id}/calendar with a calendar day object plus startDate and
// endDate, which define the dates to update [C]; isAvailable blocks (0) or opens (1) a
// single-unit listing, minimumStay and maximumStay must be positive integers, price is a float
// [C]. The answer is the affected calendar days [C]. Booleans may be 0/1 or true/false [I];
// absent fields are left as they were [I]; a body that changes nothing, a negative price and
// nights in the past are refused [I]. Errors are 400 {"status":"fail","result":…} [C shape].
func (h *hostaway) updateCalendar(w http.ResponseWriter, r *http.Request) {
	l := h.listing(r.PathValue("id"))
	if l == nil {
		h.fail(w, http.StatusNotFound, "Listing not found")
		return
	}
	var body map[string]json.RawMessage
	if decodeJSON(r.Body, &body) != nil || body == nil {
		h.fail(w, http.StatusBadRequest, "Malformed JSON body")
		return
	}
	today := day(h.v.now())
	var start, end time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"startDate", &start}, {"endDate", &end}} {
		var s string
		t, ok := time.Time{}, false
		if json.Unmarshal(body[f.name], &s) == nil {
			t, ok = parseDate(s)
		}
		if !ok {
			h.fail(w, http.StatusBadRequest, f.name+" is required (YYYY-MM-DD)")
			return
		}
		*f.dst = t
	}
	switch {
	case end.Before(start):
		h.fail(w, http.StatusBadRequest, "endDate must not be before startDate")
		return
	case start.Before(today):
		h.fail(w, http.StatusBadRequest, "Dates in the past can not be updated")
		return
	case end.After(today.AddDate(hwHorizon, 0, 0)):
		h.fail(w, http.StatusBadRequest, "endDate is too far in the future")
		return
	}
	cw := CalendarWrite{Property: strconv.Itoa(l.id), Dates: nightsBetween(start, end)}
	changes := 0
	if raw, ok := body["isAvailable"]; ok {
		b, ok := hwBool(raw)
		if !ok {
			h.fail(w, http.StatusBadRequest, "isAvailable must be 0 or 1")
			return
		}
		cw.Available, changes = &b, changes+1
	}
	if raw, ok := body["price"]; ok && !isNull(raw) {
		var p float64
		if json.Unmarshal(raw, &p) != nil || p < 0 {
			h.fail(w, http.StatusBadRequest, "price must be a non-negative number")
			return
		}
		cw.Price, changes = &p, changes+1
	}
	for _, name := range []string{"minimumStay", "maximumStay"} {
		raw, ok := body[name]
		if !ok || isNull(raw) {
			continue
		}
		var n int
		if json.Unmarshal(raw, &n) != nil || n < 1 {
			h.fail(w, http.StatusBadRequest, name+" must be a positive integer")
			return
		}
		if name == "minimumStay" {
			cw.MinStay = &n
		}
		changes++
	}
	for _, name := range []string{"closedOnArrival", "closedOnDeparture"} {
		if raw, ok := body[name]; ok && !isNull(raw) {
			if _, ok := hwBool(raw); !ok {
				h.fail(w, http.StatusBadRequest, name+" must be 0 or 1")
				return
			}
			changes++
		}
	}
	if raw, ok := body["note"]; ok && !isNull(raw) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			h.fail(w, http.StatusBadRequest, "note must be a string")
			return
		}
		changes++
	}
	if changes == 0 {
		h.fail(w, http.StatusBadRequest, "Nothing to update")
		return
	}
	cw.At = h.v.now()
	h.v.mu.Lock()
	h.v.recordWrite(cw.Property, cw)
	days := make([]map[string]any, 0, len(cw.Dates))
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		days = append(days, h.day(l, d))
	}
	h.v.mu.Unlock()
	h.one(w, days)
}

// hwBool reads a Hostaway boolean: 0/1 [C], or true/false [I].
func hwBool(raw json.RawMessage) (bool, bool) {
	switch strings.TrimSpace(string(raw)) {
	case "0", "false":
		return false, true
	case "1", "true":
		return true, true
	}
	return false, false
}

// methodNotAllowed answers another method on a write path [I]: Hostaway documents no status
// for it, and its errors are {"status":"fail","result":…} [C].
func (h *hostaway) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	h.fail(w, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed")
}
