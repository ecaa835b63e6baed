package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (h *hostex) property(id string) *hostexProperty {
	for _, p := range h.props {
		if strconv.Itoa(p.ID) == id {
			return p
		}
	}
	return nil
}

// availabilities: GET /availabilities?property_ids=1,2&start_date=&end_date= [C]; ≤100 ids,
// start within a year, end within three years.
func (h *hostex) availabilities(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	q := r.URL.Query()
	if q.Get("property_ids") == "" {
		h.envelope(w, 422, "The property_ids field is required.", nil)
		return
	}
	ids := strings.Split(q.Get("property_ids"), ",")
	if len(ids) > 100 {
		h.envelope(w, 422, "The property_ids may not have more than 100 items.", nil)
		return
	}
	for _, id := range ids {
		if _, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64); err != nil {
			h.envelope(w, 422, "The property_ids must be integers separated by commas.", nil)
			return
		}
	}
	start, ok1 := parseDate(q.Get("start_date"))
	end, ok2 := parseDate(q.Get("end_date"))
	today := day(h.v.now())
	switch {
	case !ok1 || !ok2:
		h.envelope(w, 422, "The start_date and end_date fields are required (YYYY-MM-DD).", nil)
		return
	case end.Before(start):
		h.envelope(w, 422, "The end_date must be a date after or equal to start_date.", nil)
		return
	case start.Before(today.AddDate(-1, 0, 0)) || start.After(today.AddDate(1, 0, 0)):
		h.envelope(w, 422, "The start_date must be within one year.", nil)
		return
	case end.After(today.AddDate(3, 0, 0)):
		h.envelope(w, 422, "The end_date must be within three years.", nil)
		return
	}
	type dayAvail struct {
		Date      string `json:"date"`
		Available bool   `json:"available"`
		Remarks   string `json:"remarks"`
	}
	type propAvail struct {
		ID             int        `json:"id"`
		Availabilities []dayAvail `json:"availabilities"`
	}
	out := []propAvail{}
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	for _, id := range ids {
		p := h.property(strings.TrimSpace(id))
		if p == nil {
			h.envelope(w, 404, "Property "+id+" not found.", nil)
			return
		}
		pa := propAvail{ID: p.ID, Availabilities: []dayAvail{}}
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			da := dayAvail{Date: d.Format(dateLayout)}
			seedBlocked := h.ownerBlocked(p, d)
			set := h.v.cal.at(strconv.Itoa(p.ID), d)
			da.Available, _ = nightOpen(occupied(p.stays, d) != nil, seedBlocked, set)
			// The seed's owner stays carry a remark; POST /availabilities takes none [C], so a
			// block made through the API has none either [I].
			if seedBlocked && set.available == nil {
				da.Remarks = "Owner stay"
			}
			pa.Availabilities = append(pa.Availabilities, da)
		}
		out = append(out, pa)
	}
	h.ok(w, map[string]any{"properties": out})
}

// listingCalendar: POST /listings/calendar {start_date, end_date, listings:[{channel_type,
// listing_id}]} [C]; channel_type is one of ChannelTypeParam [C], which has no hostex_direct.
// The one-year cap on the range is [I]. Prices and minimum stays reflect the listing's writes,
// inventory the property's availability.
func (h *hostex) listingCalendar(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	var body struct {
		StartDate string          `json:"start_date"`
		EndDate   string          `json:"end_date"`
		Listings  []hostexChannel `json:"listings"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		h.bodyFailed(w, e)
		return
	}
	start, ok1 := parseDate(body.StartDate)
	end, ok2 := parseDate(body.EndDate)
	if !ok1 || !ok2 || end.Before(start) || end.Sub(start) > 366*24*time.Hour || len(body.Listings) == 0 {
		h.envelope(w, 422, "start_date, end_date (at most one year apart) and listings are required.", nil)
		return
	}
	out := []map[string]any{}
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	for _, l := range body.Listings {
		if !slices.Contains(hostexChannelParams, l.ChannelType) {
			h.envelope(w, 422, "The selected listings.channel_type is invalid.", nil)
			return
		}
		p := h.listingOwner(l.ChannelType, l.ListingID)
		if p == nil {
			h.envelope(w, 404, "Listing "+l.ListingID+" not found.", nil)
			return
		}
		key := l.ChannelType + ":" + l.ListingID
		cal := []map[string]any{}
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			inv := 0
			if open, _ := nightOpen(occupied(p.stays, d) != nil, h.ownerBlocked(p, d), h.v.cal.at(strconv.Itoa(p.ID), d)); open {
				inv = 1
			}
			set := h.v.cal.at(key, d)
			minStay := 1
			if d.Weekday() == time.Friday || d.Weekday() == time.Saturday {
				minStay = 2
			}
			if set.minStay != nil {
				minStay = *set.minStay
			}
			price := nightlyPrice(p.base, d)
			if set.price != nil {
				price = *set.price
			}
			cal = append(cal, map[string]any{
				"date": d.Format(dateLayout), "price": price, "inventory": inv,
				"restrictions": map[string]any{
					"closed_on_arrival": false, "closed_on_departure": false,
					"min_stay_on_arrival": minStay, "max_stay_on_arrival": 30,
				},
			})
		}
		out = append(out, map[string]any{"channel_type": l.ChannelType, "listing_id": l.ListingID, "calendar": cal})
	}
	h.ok(w, map[string]any{"listings": out})
}

func (h *hostex) guest(c *hostexConv) hostexGuest {
	if c.res == nil {
		return c.inq.guest
	}
	s := c.res.s
	return hostexGuest{Name: s.name(), Phone: s.phone, Email: s.email()}
}

// about is what a conversation is about: its channel, property and dates.
func (c *hostexConv) about() (channelType string, p *hostexProperty, checkIn, checkOut time.Time) {
	if c.res == nil {
		return c.inq.channelType, c.inq.prop, c.inq.checkIn, c.inq.checkIn.AddDate(0, 0, c.inq.nights)
	}
	return c.res.channelType, c.res.prop, c.res.s.checkIn, c.res.s.checkOut()
}

// activity is the conversation's item of activities [C: GET /conversations/{id}]: a reservation,
// or an inquiry, which has no reservation_code.
func (c *hostexConv) activity() map[string]any {
	ch, p, in, out := c.about()
	a := map[string]any{
		"activity_type": "inquiry", "reservation_code": nil,
		"check_in_date": in.Format(dateLayout), "check_out_date": out.Format(dateLayout),
		"listing_id": p.listing(ch),
		"property":   map[string]any{"id": p.ID, "title": p.Title},
	}
	if c.res != nil {
		a["activity_type"], a["reservation_code"] = "reservation", c.res.code
	}
	return a
}

// listConversations: GET /conversations?offset=&limit= [C], most recent activity first [I].
func (h *hostex) listConversations(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	offset, limit, ok := h.offsetLimit(w, r, true)
	if !ok {
		return
	}
	h.v.mu.Lock()
	all := slices.Clone(h.convs)
	slices.SortStableFunc(all, func(a, b *hostexConv) int { return b.lastAt().Compare(a.lastAt()) })
	out := []map[string]any{}
	for _, c := range slicePage(all, offset, limit) {
		ch, p, in, co := c.about()
		out = append(out, map[string]any{
			"id": c.id, "channel_type": ch, "last_message_at": hostexTime(c.lastAt()),
			"guest": h.guest(c), "property_title": p.Title,
			"check_in_date": in.Format(dateLayout), "check_out_date": co.Format(dateLayout),
		})
	}
	h.v.mu.Unlock()
	h.ok(w, map[string]any{"conversations": out})
}

func (h *hostex) conv(id string) *hostexConv {
	for _, c := range h.convs {
		if c.id == id {
			return c
		}
	}
	return nil
}

// getConversation: GET /conversations/{id} returns the conversation with its messages [C],
// oldest first [I].
func (h *hostex) getConversation(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	c := h.conv(r.PathValue("id"))
	if c == nil {
		h.envelope(w, 404, "Conversation not found.", nil)
		return
	}
	h.v.mu.Lock()
	msgs := slices.Clone(c.messages)
	h.v.mu.Unlock()
	ch, _, _, _ := c.about()
	h.ok(w, map[string]any{
		"id": c.id, "channel_type": ch, "guest": h.guest(c), "note": "",
		"activities": []map[string]any{c.activity()},
		"messages":   msgs,
	})
}

// sendMessage: POST /conversations/{id} {message?, jpeg_base64?} [C]. Needs a writable token
// (else error_code 401 "Not authorized for this action" [C]) and respects the per-thread
// limits [C]: 5/5 s, 10/60 s, 30/30 min, 60/2 h, 120/24 h.
func (h *hostex) sendMessage(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !c.writable {
		h.envelope(w, 401, "Not authorized for this action", nil)
		return
	}
	conv := h.conv(r.PathValue("id"))
	if conv == nil {
		h.envelope(w, 404, "Conversation not found.", nil)
		return
	}
	var body struct {
		Message    string `json:"message"`
		JPEGBase64 string `json:"jpeg_base64"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		h.bodyFailed(w, e)
		return
	}
	if strings.TrimSpace(body.Message) == "" && body.JPEGBase64 == "" {
		h.envelope(w, 422, "The message field is required when jpeg_base64 is not present.", nil)
		return
	}
	now := h.v.now()
	key := "hostex:thread:" + conv.id
	const msg = "Too many requests. Try again in 60 seconds."
	if !h.allow(w, now, msg,
		limitRule{key: key, limit: 5, window: 5 * time.Second, label: "5s", scope: "endpoint"},
		limitRule{key: key, limit: 10, window: time.Minute, label: "1m", scope: "endpoint"},
		limitRule{key: key, limit: 30, window: 30 * time.Minute, label: "30m", scope: "endpoint"},
		limitRule{key: key, limit: 60, window: 2 * time.Hour, label: "2h", scope: "endpoint"},
		limitRule{key: key, limit: 120, window: 24 * time.Hour, label: "24h", scope: "endpoint"},
	) {
		return
	}
	h.v.mu.Lock()
	h.nextMsgID++
	m := hostexMessage{ID: strconv.Itoa(h.nextMsgID), SenderRole: "host", DisplayType: "Text",
		Content: body.Message, CreatedAt: hostexTime(now), at: now}
	if body.Message == "" {
		// An image: the spec's display_type enum has no "Image"; FileAttachment is its nearest [I].
		m.DisplayType = "FileAttachment"
	}
	conv.messages = append(conv.messages, m)
	h.v.sent = append(h.v.sent, SentMessage{ConversationID: conv.id, Body: body.Message, At: now})
	h.v.mu.Unlock()
	h.ok(w, nil) // the spec's CommonResponse: envelope only [I]
}

// listReviews: GET /reviews [C]. review_status defaults to "reviewed"; the check-out window
// defaults to the last 180 days and may not exceed 180 days. How the three statuses split the
// reviews is [I]: reviewed = both sides reviewed; pending_host_review = no host review yet;
// pending_guest_review = host reviewed, guest not yet.
func (h *hostex) listReviews(w http.ResponseWriter, r *http.Request, _ hostexCaller) {
	offset, limit, ok := h.offsetLimit(w, r, true)
	if !ok || !h.intParams(w, r, "property_id") {
		return
	}
	q := r.URL.Query()
	status := q.Get("review_status")
	if status == "" {
		status = "reviewed"
	}
	if !slices.Contains([]string{"pending_guest_review", "pending_host_review", "reviewed"}, status) {
		h.envelope(w, 422, "The selected review_status is invalid.", nil)
		return
	}
	today := day(h.v.now())
	lo, hi := today.AddDate(0, 0, -180), today
	if s := q.Get("start_check_out_date"); s != "" {
		t, ok := parseDate(s)
		if !ok {
			h.envelope(w, 422, "The start_check_out_date is not a valid date.", nil)
			return
		}
		lo, hi = t, t.AddDate(0, 0, 180)
	}
	if s := q.Get("end_check_out_date"); s != "" {
		t, ok := parseDate(s)
		if !ok {
			h.envelope(w, 422, "The end_check_out_date is not a valid date.", nil)
			return
		}
		hi = t
		if q.Get("start_check_out_date") == "" {
			lo = t.AddDate(0, 0, -180)
		}
	}
	if hi.Before(lo) || hi.Sub(lo) > 180*24*time.Hour {
		h.envelope(w, 422, "The check-out date range may not exceed 180 days.", nil)
		return
	}
	out := []map[string]any{}
	h.v.mu.Lock() // replies and host reviews change the seeded reviews
	defer h.v.mu.Unlock()
	for _, res := range h.sortedByCheckOut() {
		rv, s := res.s.review, res.s
		if rv == nil || s.checkOut().Before(lo) || s.checkOut().After(hi) ||
			q.Get("reservation_code") != "" && q.Get("reservation_code") != res.code ||
			q.Get("property_id") != "" && q.Get("property_id") != strconv.Itoa(res.prop.ID) {
			continue
		}
		var host, guest, reply any
		if rv.hostText != "" {
			host = map[string]any{"score": 5, "content": rv.hostText, "created_at": hostexTime(rv.hostAt)}
		}
		if rv.guestDone {
			guest = map[string]any{"score": rv.score, "content": rv.text, "created_at": hostexTime(rv.at)}
		}
		if rv.reply != "" {
			reply = map[string]any{"content": rv.reply, "created_at": hostexTime(rv.replyAt)}
		}
		st := "reviewed"
		switch {
		case host == nil:
			st = "pending_host_review"
		case guest == nil:
			st = "pending_guest_review"
		}
		if st != status {
			continue
		}
		out = append(out, map[string]any{
			"reservation_code": res.code, "property_id": res.prop.ID, "channel_type": res.channelType,
			"listing_id": res.prop.listing(res.channelType), "check_in_date": s.checkIn.Format(dateLayout),
			"check_out_date": s.checkOut().Format(dateLayout), "host_review": host, "guest_review": guest,
			"host_reply": reply,
		})
	}
	h.ok(w, map[string]any{"reviews": slicePage(out, offset, limit)})
}

func (h *hostex) sortedByCheckOut() []*hostexRes {
	all := slices.Clone(h.res)
	slices.SortStableFunc(all, func(a, b *hostexRes) int { return b.s.checkOut().Compare(a.s.checkOut()) })
	return all
}
