package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (h *hostaway) conv(id string) *hwConv {
	for _, c := range h.convs {
		if strconv.Itoa(c.id) == id {
			return c
		}
	}
	return nil
}

// listConversations: GET /v1/conversations?reservationId=&limit=&offset= [C], most recent
// message first [I].
func (h *hostaway) listConversations(w http.ResponseWriter, r *http.Request) {
	p, limit, offset, ok := h.paging(w, r, 0)
	if !ok {
		return
	}
	if !h.hwInts(w, r.URL.Query(), "reservationId") {
		return
	}
	rid := r.URL.Query().Get("reservationId")
	withResources := r.URL.Query().Get("includeResources") == "1"
	h.v.mu.Lock()
	convs := slices.Clone(h.convs)
	last := func(c *hwConv) time.Time { return c.messages[len(c.messages)-1].at }
	slices.SortStableFunc(convs, func(a, b *hwConv) int { return last(b).Compare(last(a)) })
	var all []map[string]any
	for _, c := range convs {
		if rid == "" || rid == strconv.Itoa(c.res.id) {
			all = append(all, c.render(withResources))
		}
	}
	h.v.mu.Unlock()
	h.list(w, p, all, limit, offset)
}

func (h *hostaway) getConversation(w http.ResponseWriter, r *http.Request) {
	c := h.conv(r.PathValue("id"))
	if c == nil {
		h.fail(w, http.StatusNotFound, "Conversation not found")
		return
	}
	h.v.mu.Lock()
	out := c.render(r.URL.Query().Get("includeResources") == "1")
	h.v.mu.Unlock()
	h.one(w, out)
}

// listMessages: GET /v1/conversations/{id}/messages?limit=&offset= [C], oldest first [I].
func (h *hostaway) listMessages(w http.ResponseWriter, r *http.Request) {
	c := h.conv(r.PathValue("id"))
	if c == nil {
		h.fail(w, http.StatusNotFound, "Conversation not found")
		return
	}
	p, limit, offset, ok := h.paging(w, r, 0)
	if !ok {
		return
	}
	h.v.mu.Lock()
	all := make([]map[string]any, 0, len(c.messages))
	for _, m := range c.messages {
		all = append(all, m.render(c))
	}
	h.v.mu.Unlock()
	h.list(w, p, all, limit, offset)
}

var hwCommTypes = []string{"email", "channel", "sms", "whatsapp"}

// sendMessage: POST /v1/conversations/{id}/messages {body, communicationType} [C];
// communicationType is one of email, channel, sms, whatsapp and defaults to "email" [C]; another
// value is refused [I: the status].
func (h *hostaway) sendMessage(w http.ResponseWriter, r *http.Request) {
	c := h.conv(r.PathValue("id"))
	if c == nil {
		h.fail(w, http.StatusNotFound, "Conversation not found")
		return
	}
	var body struct {
		Body              string `json:"body"`
		CommunicationType string `json:"communicationType"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		h.fail(w, http.StatusBadRequest, "Malformed JSON body")
		return
	}
	if strings.TrimSpace(body.Body) == "" {
		h.fail(w, http.StatusBadRequest, "Message body is required")
		return
	}
	if body.CommunicationType == "" {
		body.CommunicationType = "email"
	}
	if !slices.Contains(hwCommTypes, body.CommunicationType) {
		h.fail(w, http.StatusBadRequest, "Invalid communicationType")
		return
	}
	now := h.v.now()
	h.v.mu.Lock()
	h.nextMsgID++
	m := hwMessage{id: h.nextMsgID, body: body.Body, commType: body.CommunicationType, at: now}
	c.messages = append(c.messages, m)
	h.v.sent = append(h.v.sent, SentMessage{ConversationID: strconv.Itoa(c.id), Body: body.Body, CommunicationType: body.CommunicationType, At: now})
	out := m.render(c)
	h.v.mu.Unlock()
	h.one(w, out)
}

// multi reads an array parameter sent as name[]=a&name[]=b, name=a&name=b or name=a,b.
func multi(q url.Values, name string) []string {
	var out []string
	for _, v := range append(q[name], q[name+"[]"]...) {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// hwReviewStatuses are a review's published statuses [C: Get reviews list, statuses].
var hwReviewStatuses = []string{"awaiting", "pending", "scheduled", "submitted", "published", "expired"}

// listReviews: GET /v1/reviews [C] with listingMapIds[] (the brackets are [I]), reservationId,
// type (guest-to-host, host-to-guest [C]), statuses[], departureDateStart/End, sortBy (id,
// guestName, arrivalDate, departureDate [C]), sortOrder (asc or desc [C]), limit, offset; a
// value outside those is refused [I: the status]. Unwritten reviews (awaiting, pending,
// expired) are listed too [C].
func (h *hostaway) listReviews(w http.ResponseWriter, r *http.Request) {
	p, limit, offset, ok := h.paging(w, r, 0)
	if !ok {
		return
	}
	q := r.URL.Query()
	listings, statuses := multi(q, "listingMapIds"), multi(q, "statuses")
	for _, id := range listings {
		if _, err := strconv.Atoi(id); err != nil {
			h.fail(w, http.StatusBadRequest, "Invalid listingMapIds")
			return
		}
	}
	for _, st := range statuses {
		if !slices.Contains(hwReviewStatuses, st) {
			h.fail(w, http.StatusBadRequest, "Invalid statuses")
			return
		}
	}
	if !h.hwInts(w, q, "reservationId") || !h.hwDates(w, q, "departureDateStart", "departureDateEnd") ||
		!h.hwOneOf(w, q, "type", "guest-to-host", "host-to-guest") || !h.hwOneOf(w, q, "sortOrder", "asc", "desc", "Asc", "Desc") {
		return
	}
	lo, hasLo := parseDate(q.Get("departureDateStart"))
	hi, hasHi := parseDate(q.Get("departureDateEnd"))
	var rows []*hwReview
	for _, rv := range h.reviews {
		co := rv.res.s.checkOut()
		if len(listings) > 0 && !slices.Contains(listings, strconv.Itoa(rv.res.l.id)) ||
			len(statuses) > 0 && !slices.Contains(statuses, rv.status) ||
			q.Get("reservationId") != "" && q.Get("reservationId") != strconv.Itoa(rv.res.id) ||
			q.Get("type") != "" && q.Get("type") != rv.kind ||
			hasLo && co.Before(lo) || hasHi && co.After(hi) {
			continue
		}
		rows = append(rows, rv)
	}
	by := q.Get("sortBy")
	if by != "" && !slices.Contains([]string{"id", "guestName", "arrivalDate", "departureDate"}, by) {
		h.fail(w, http.StatusBadRequest, "sortBy must be one of: id, guestName, arrivalDate, departureDate")
		return
	}
	slices.SortStableFunc(rows, func(a, b *hwReview) int {
		c := a.id - b.id
		switch by {
		case "departureDate":
			c = a.res.s.checkOut().Compare(b.res.s.checkOut())
		case "arrivalDate":
			c = a.res.s.checkIn.Compare(b.res.s.checkIn)
		case "guestName":
			c = strings.Compare(a.res.s.name(), b.res.s.name())
		}
		if strings.EqualFold(q.Get("sortOrder"), "desc") {
			c = -c
		}
		return c
	})
	all := make([]map[string]any, 0, len(rows))
	for _, rv := range rows {
		all = append(all, rv.render())
	}
	h.list(w, p, all, limit, offset)
}
