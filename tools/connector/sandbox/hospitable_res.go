package sandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var hspStatusFilters = map[string]string{
	"not_accepted": "not accepted", "request": "request", "accepted": "accepted",
	"cancelled": "cancelled", "checkpoint": "checkpoint",
}

// listReservations: GET /reservations [C]. properties[] is required (400 without it); with no
// start_date/end_date the result is the check-ins of the next two weeks [C]; date_query picks
// check-in (default) or check-out dates. Ordered by arrival [I].
func (h *hospitable) listReservations(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspReservationIncludes)
	if !ok || h.scopeRefused(w, inc, c) {
		return
	}
	q := r.URL.Query()
	ids, present, ok := queryArray(q, "properties")
	if !ok {
		h.invalid(w, "The properties field must be an array.")
		return
	}
	if !present {
		h.invalid(w, "The properties field is required.")
		return
	}
	want := map[string]bool{}
	for i, id := range ids {
		if h.property(id) == nil {
			h.invalid(w, "The selected properties."+strconv.Itoa(i)+" is invalid.")
			return
		}
		want[id] = true
	}
	pg, per, ok := h.pageParams(w, r, 100)
	if !ok {
		return
	}
	var lo, hi time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"start_date", &lo}, {"end_date", &hi}} {
		if s := q.Get(f.name); s != "" {
			t, ok := parseDate(s)
			if !ok {
				h.invalid(w, "The "+strings.ReplaceAll(f.name, "_", " ")+" field must be a valid date.")
				return
			}
			*f.dst = t
		}
	}
	if lo.IsZero() && hi.IsZero() {
		today := day(h.v.now())
		lo, hi = today, today.AddDate(0, 0, 14)
	}
	dateQuery := q.Get("date_query")
	if dateQuery != "" && dateQuery != "checkin" && dateQuery != "checkout" {
		h.invalid(w, "The selected date query is invalid.")
		return
	}
	statuses, _, ok := queryArray(q, "status")
	if !ok {
		h.invalid(w, "The status field must be an array.")
		return
	}
	wantStatus := map[string]bool{}
	for _, s := range statuses {
		cat, known := hspStatusFilters[s]
		if !known {
			h.invalid(w, "The selected status is invalid.")
			return
		}
		wantStatus[cat] = true
	}
	now := h.v.now()
	var items []any
	h.v.mu.Lock()
	for _, res := range h.res {
		d := res.s.checkIn
		if dateQuery == "checkout" {
			d = res.s.checkOut()
		}
		cat, _ := hspCategory(res.s)
		switch {
		case !want[res.prop.ID],
			!lo.IsZero() && d.Before(lo), !hi.IsZero() && d.After(hi),
			len(wantStatus) > 0 && !wantStatus[cat],
			q.Get("platform_id") != "" && q.Get("platform_id") != res.platformID,
			q.Get("conversation_id") != "" && q.Get("conversation_id") != res.convID:
			continue
		}
		items = append(items, res.render(inc, res.lastMessageAt(), now))
	}
	h.v.mu.Unlock()
	h.list(w, r, items, pg, per)
}

// lastMessageAt is the time of the newest message; the caller holds Vendor.mu.
func (res *hspRes) lastMessageAt() time.Time {
	if n := len(res.messages); n > 0 {
		return res.messages[n-1].at
	}
	return time.Time{}
}

// reservation finds a reservation by UUID or by platform code [T].
func (h *hospitable) reservation(id string) *hspRes {
	for _, res := range h.res {
		if res.id == id || res.platformID == id {
			return res
		}
	}
	return nil
}

func (h *hospitable) getReservation(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspOneResIncludes)
	if !ok || h.scopeRefused(w, inc, c) {
		return
	}
	res := h.reservation(r.PathValue("uuid"))
	if res == nil {
		h.fail(w, http.StatusNotFound, "Reservation not found.")
		return
	}
	h.v.mu.Lock()
	out := res.render(inc, res.lastMessageAt(), h.v.now())
	h.v.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// listMessages: GET /reservations/{uuid}/messages [C], oldest first and unpaged [I].
func (h *hospitable) listMessages(w http.ResponseWriter, r *http.Request, _ hspCaller) {
	res := h.reservation(r.PathValue("uuid"))
	if res == nil {
		h.fail(w, http.StatusNotFound, "Reservation not found.")
		return
	}
	h.v.mu.Lock()
	msgs := slices.Clone(res.messages)
	h.v.mu.Unlock()
	if msgs == nil {
		msgs = []hspMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": msgs})
}

var htmlTag = regexp.MustCompile(`<[a-zA-Z/!][^>]*>`)

// sendMessage: POST /reservations/{uuid}/messages {body, images?} → 201 [C]. Needs
// message:write (403 otherwise [T]); body is required and may not contain HTML, at most 3
// images [C], refused with 400 {status_code, reason_phrase, message} [C]; 2 per minute per
// reservation and 50 per 5 minutes overall [C], else 429 with Retry-After [T].
func (h *hospitable) sendMessage(w http.ResponseWriter, r *http.Request, c hspCaller) {
	if !c.canWrite {
		h.fail(w, http.StatusForbidden, "")
		return
	}
	res := h.reservation(r.PathValue("uuid"))
	if res == nil {
		h.fail(w, http.StatusNotFound, "Reservation not found.")
		return
	}
	body, ok := h.messageBody(w, r)
	if !ok {
		return
	}
	now := h.v.now()
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	if !h.sendAllowed(w, res.id, c.token, now) {
		return
	}
	h.nextMsgID++
	res.messages = append(res.messages, res.message(h.nextMsgID, false, body.Body, now))
	h.v.sent = append(h.v.sent, SentMessage{ConversationID: res.id, Body: body.Body, At: now})
	// The published 201 is an empty object [C: public.json, POST /reservations/{uuid}/messages,
	// example "Result": {}]: no id of the sent message.
	writeJSON(w, http.StatusCreated, map[string]any{})
}

// messageBody reads a message a client sends (to a reservation or an
// inquiry) and refuses it as Hospitable does: not JSON, no body, HTML, or
// more than three images [C]; false when it answered the refusal.
func (h *hospitable) messageBody(w http.ResponseWriter, r *http.Request) (hspMessageIn, bool) {
	var body hspMessageIn
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		h.invalid(w, "Malformed JSON body.")
		return body, false
	}
	switch {
	case strings.TrimSpace(body.Body) == "":
		h.invalid(w, "The body field is required.")
	case htmlTag.MatchString(body.Body):
		h.invalid(w, "The body field must not contain HTML.")
	case len(body.Images) > 3:
		h.invalid(w, "The images field must not have more than 3 items.")
	default:
		return body, true
	}
	return body, false
}

// hspMessageIn is the body of a sent message [C].
type hspMessageIn struct {
	Body   string   `json:"body"`
	Images []string `json:"images"`
}

// sendAllowed applies the published send limits [C]: 2 messages a minute
// per thread, 50 per 5 minutes per token; false when it answered the 429.
// The caller holds h.v.mu.
func (h *hospitable) sendAllowed(w http.ResponseWriter, thread, token string, now time.Time) bool {
	if !h.v.rateLimiting {
		return true
	}
	hit, wait := h.v.limits.allow(now,
		limitRule{key: "hospitable:send:" + thread, limit: 2, window: time.Minute},
		limitRule{key: "hospitable:send:" + token, limit: 50, window: 5 * time.Minute},
	)
	if hit != nil {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
		h.fail(w, http.StatusTooManyRequests, "")
		return false
	}
	return true
}
