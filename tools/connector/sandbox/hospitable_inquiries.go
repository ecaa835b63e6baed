package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Hospitable's inquiries (public.json, tag Inquiries [C]): GET /inquiries (properties[]
// required, like reservations), GET /inquiries/{uuid} (include=messages gives the thread) and
// POST /inquiries/{uuid}/messages. An inquiry's id is its conversation_id [C]. Once an inquiry
// has become a reservation, both answer 410 with a Location header naming the reservation [C];
// the fake answers so for the conversation id of every seeded reservation [I].

// The includes each inquiry endpoint lists [C: the parameter's text and "Available includes"].
var (
	hspInquiryIncludes    = []string{"financials", "guest", "properties", "listings", "user"}
	hspOneInquiryIncludes = []string{"financials", "guest", "properties", "listings", "user", "messages"}
)

func (h *hospitable) inquiry(id string) *hspInquiry {
	for _, in := range h.inquiries {
		if in.id == id {
			return in
		}
	}
	return nil
}

// render builds the published Inquiry [C: components.schemas.Inquiry]: guest is required, and
// properties is one Property object, not a list as on a reservation [C]. The caller holds
// Vendor.mu.
func (in *hspInquiry) render(inc map[string]bool) map[string]any {
	p := in.prop
	out := map[string]any{
		"id": in.id, "platform": in.platform, "inquiry_date": in.at.UTC().Format(time.RFC3339),
		"arrival_date":   p.localTime(in.checkIn, 0),
		"departure_date": p.localTime(in.checkIn.AddDate(0, 0, in.nights), 0),
		"guests": map[string]any{"total": in.adults + in.children, "adult_count": in.adults, "child_count": in.children,
			"infant_count": 0, "pet_count": 0},
		"guest": map[string]any{"first_name": in.first, "last_name": in.last},
	}
	if inc["properties"] {
		out["properties"] = map[string]any{"id": p.ID, "name": p.Name, "public_name": p.PublicName, "timezone": p.Timezone, "currency": p.Currency}
	}
	if inc["listings"] {
		out["listings"] = p.listings
	}
	if inc["user"] {
		out["user"] = map[string]any{"id": "1f0c7b9e-5d3a-4e8b-9a62-c4d1e7f0b3a5", "email": "host@hostgate-sandbox.example", "name": "Sam Carter"}
	}
	if inc["financials"] {
		out["financials"] = map[string]any{"currency": p.Currency}
	}
	if inc["messages"] {
		msgs := slices.Clone(in.messages)
		if msgs == nil {
			msgs = []hspMessage{}
		}
		out["messages"] = msgs
	}
	return out
}

// lastMessageAt is the time of the newest message; the caller holds Vendor.mu.
func (in *hspInquiry) lastMessageAt() time.Time {
	if n := len(in.messages); n > 0 {
		return in.messages[n-1].at
	}
	return in.at
}

// listInquiries: GET /inquiries [C]; properties[] is required as on reservations, and
// last_message_at keeps the inquiries whose last message is after it [C]. Newest first [I].
func (h *hospitable) listInquiries(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspInquiryIncludes)
	if !ok || h.scopeRefused(w, inc, c) {
		return
	}
	q := r.URL.Query()
	ids, present, ok := queryArray(q, "properties")
	switch {
	case !ok:
		h.invalid(w, "The properties field must be an array.")
		return
	case !present:
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
	var after time.Time
	if s := q.Get("last_message_at"); s != "" {
		t, err := time.Parse(time.DateTime, s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				h.invalid(w, "The last message at field must be a valid date.")
				return
			}
		}
		after = t
	}
	pg, per, ok := h.pageParams(w, r, 100)
	if !ok {
		return
	}
	var items []any
	h.v.mu.Lock()
	for _, in := range h.inquiries {
		if want[in.prop.ID] && (after.IsZero() || in.lastMessageAt().After(after)) {
			items = append(items, in.render(inc))
		}
	}
	h.v.mu.Unlock()
	h.list(w, r, items, pg, per)
}

// gone answers 410 for an inquiry that has become a reservation [C: public.json, GET
// /inquiries/{uuid} and POST /inquiries/{uuid}/messages, 410 with a location header]; it
// reports whether it did. path is what follows the reservation's URL ("" or "/messages").
func (h *hospitable) gone(w http.ResponseWriter, r *http.Request, id, path string) bool {
	for _, res := range h.res {
		if res.convID == id {
			w.Header().Set("Location", h.v.rootURL(r)+"/v2/reservations/"+res.id+path)
			h.trace(w)
			writeJSON(w, http.StatusGone, map[string]any{"status_code": http.StatusGone,
				"reason_phrase": "This Inquiry is now a Reservation and can be retrieved by the Reservation API. See the location header."})
			return true
		}
	}
	return false
}

// getInquiry: GET /inquiries/{uuid} [C]; include=messages needs message:read [C], which every
// sandbox token holds.
func (h *hospitable) getInquiry(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspOneInquiryIncludes)
	if !ok || h.scopeRefused(w, inc, c) {
		return
	}
	id := r.PathValue("uuid")
	in := h.inquiry(id)
	if in == nil {
		if !h.gone(w, r, id, "") {
			h.fail(w, http.StatusNotFound, "Inquiry not found.")
		}
		return
	}
	h.v.mu.Lock()
	out := in.render(inc)
	h.v.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// sendInquiryMessage: POST /inquiries/{uuid}/messages {body, images?} → 201 {} [C], as on a
// reservation: message:write, a body without HTML, at most 3 images; 2 a minute to one inquiry
// and 50 in 5 minutes [C], the latter counted with the reservations' sends [I]. A Booking.com
// thread that does not take messages is a 400 [C].
func (h *hospitable) sendInquiryMessage(w http.ResponseWriter, r *http.Request, c hspCaller) {
	if !c.canWrite {
		h.fail(w, http.StatusForbidden, "")
		return
	}
	id := r.PathValue("uuid")
	in := h.inquiry(id)
	if in == nil {
		if !h.gone(w, r, id, "/messages") {
			h.fail(w, http.StatusNotFound, "Inquiry not found.")
		}
		return
	}
	body, ok := h.messageBody(w, r)
	if !ok {
		return
	}
	if in.noMessaging {
		// The published 400 of a Booking.com thread [C].
		h.invalid(w, "Messaging is not enabled for this Booking.com thread.")
		return
	}
	now := h.v.now()
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	if !h.sendAllowed(w, in.id, c.token, now) {
		return
	}
	h.nextMsgID++
	in.messages = append(in.messages, in.message(h.nextMsgID, false, body.Body, now))
	h.v.sent = append(h.v.sent, SentMessage{ConversationID: in.id, Body: body.Body, At: now})
	writeJSON(w, http.StatusCreated, map[string]any{})
}
