package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Hospitable wire shapes, from docs/vendors.md, "Hospitable" (the spec examples, [C] unless noted).

type hspCoordinates struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type hspAddress struct {
	Number      string         `json:"number"`
	Street      string         `json:"street"`
	City        string         `json:"city"`
	State       string         `json:"state"`
	Country     string         `json:"country"`
	Postcode    string         `json:"postcode"`
	Coordinates hspCoordinates `json:"coordinates"`
	Display     string         `json:"display"`
}

type hspCapacity struct {
	Max       int     `json:"max"`
	Bedrooms  int     `json:"bedrooms"`
	Beds      int     `json:"beds"`
	Bathrooms float64 `json:"bathrooms"`
}

type hspListing struct {
	Platform   string `json:"platform"`
	PlatformID string `json:"platform_id"`
}

type hspProperty struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	PublicName   string       `json:"public_name"`
	Picture      string       `json:"picture"`
	Address      hspAddress   `json:"address"`
	Timezone     string       `json:"timezone"` // an offset such as "+0200", not an IANA name [C]
	Listed       bool         `json:"listed"`
	Amenities    []string     `json:"amenities"`
	Checkin      string       `json:"checkin"` // live names; the spec says "check-in" [T]
	Checkout     string       `json:"checkout"`
	Currency     string       `json:"currency"`
	Capacity     hspCapacity  `json:"capacity"`
	Listings     []hspListing `json:"listings,omitempty"` // only with include=listings
	Tags         []string     `json:"tags"`
	PropertyType string       `json:"property_type"`
	RoomType     string       `json:"room_type"`
	listings     []hspListing // what include=listings shows
	zone         *time.Location
	base         float64
	stays        []stay
	res          []*hspRes
	reviews      []*hspReview
	checkinHour  int
	checkoutHour int
}

// hspRes is one seeded Hospitable reservation.
type hspRes struct {
	id         string
	convID     string
	prop       *hspProperty
	s          *stay
	platform   string
	platformID string
	guestID    string
	messages   []hspMessage // guarded by Vendor.mu (send appends)
	// shortcodes are the enrichable shortcodes a vendor set on the reservation (PUT
	// /reservations/{uuid}/enrichment/{key}); nil values were cleared. Guarded by Vendor.mu.
	shortcodes map[string]*string
}

type hspSender struct {
	FirstName string `json:"first_name"`
	FullName  string `json:"full_name"`
	Locale    string `json:"locale"`
}

type hspMessage struct {
	Platform       string              `json:"platform"`
	PlatformID     int                 `json:"platform_id"`
	ConversationID string              `json:"conversation_id"`
	ReservationID  *string             `json:"reservation_id"` // null in an inquiry's thread [C]
	ContentType    string              `json:"content_type"`
	Body           string              `json:"body"`
	Attachments    []map[string]string `json:"attachments"`
	SenderType     string              `json:"sender_type"`
	SenderRole     *string             `json:"sender_role"`
	Sender         hspSender           `json:"sender"`
	CreatedAt      string              `json:"created_at"`
	at             time.Time
}

type hspReview struct {
	id  string
	res *hspRes
	rv  *seedReview
}

var hspPlatforms = map[string]string{"airbnb": "airbnb", "booking": "booking", "vrbo": "homeaway", "direct": "direct"}

func (h *hospitable) seed(opts Options) {
	r := newRand(opts.Seed, 2)
	now := h.v.now()
	type seedProp struct {
		id, name, number, street, city, state, country, postcode string
		lat, lng                                                 float64
		tz                                                       string
		offset                                                   int // hours
		currency                                                 string
		base                                                     float64
		capacity                                                 hspCapacity
		kind                                                     string
	}
	props := []seedProp{
		{HospitablePropertyID, "Kastanienallee Altbau Apartment", "14", "Kastanienallee", "Berlin", "BE", "DE", "10435", 52.5386, 13.4098, "+0100", 1, "EUR", 135, hspCapacity{4, 2, 2, 1}, "apartment"},
		{"7d3f0c6a-2e91-4b5d-8a47-c1f9e6b20d38", "Alfama Tile House", "23", "Rua de São Miguel", "Lisboa", "Lisboa", "PT", "1100-544", 38.7114, -9.1299, "+0000", 0, "EUR", 118, hspCapacity{3, 1, 2, 1}, "house"},
		{"b41e9a27-6c05-4f8d-9e13-5a2c7d0f4b86", "Blue Ridge Cabin Retreat", "87", "Town Mountain Rd", "Asheville", "NC", "US", "28804", 35.6189, -82.5313, "-0500", -5, "USD", 196, hspCapacity{6, 3, 4, 2}, "cabin"},
		{"e2c8a5d1-9f37-4b6e-a0d4-3b7f1c9e5a02", "Red Rock Casita", "40", "Soldier Pass Rd", "Sedona", "AZ", "US", "86336", 34.8831, -111.7849, "-0700", -7, "USD", 229, hspCapacity{2, 1, 1, 1.5}, "guesthouse"},
	}
	msgID := 41_000_000 + r.IntN(1_000_000)
	for i, sp := range props {
		p := &hspProperty{
			ID: sp.id, Name: sp.name, PublicName: sp.name,
			Picture: fmt.Sprintf("https://assets.hospitable.example/properties/%d/cover.jpg", i+1),
			Address: hspAddress{Number: sp.number, Street: sp.street, City: sp.city, State: sp.state,
				Country: sp.country, Postcode: sp.postcode, Coordinates: hspCoordinates{sp.lat, sp.lng},
				Display: fmt.Sprintf("%s %s, %s %s, %s", sp.number, sp.street, sp.postcode, sp.city, sp.country)},
			Timezone: sp.tz, Listed: true, Amenities: []string{"wifi", "kitchen", "heating", "shower"},
			Checkin: "15:00", Checkout: "11:00", Currency: sp.currency, Capacity: sp.capacity, Tags: []string{},
			PropertyType: sp.kind, RoomType: "entire_home",
			zone: time.FixedZone(sp.tz, sp.offset*3600), base: sp.base, checkinHour: 15, checkoutHour: 11,
			listings: []hspListing{{"airbnb", fmt.Sprintf("%d", 24_488_000+r.IntN(900_000))}, {"booking", fmt.Sprintf("%d", 7_100_000+r.IntN(90_000))}},
		}
		p.stays = planStays(r, now, sp.base, sp.name)
		for j := range p.stays {
			s := &p.stays[j]
			res := &hspRes{id: seededUUID(r), convID: seededUUID(r), prop: p, s: s,
				platform: hspPlatforms[s.channel], guestID: fmt.Sprintf("%d", 10_000_000+r.IntN(90_000_000))}
			switch s.channel {
			case "airbnb":
				res.platformID = s.code
			case "booking":
				res.platformID = fmt.Sprintf("%010d", 3_000_000_000+r.IntN(1_000_000_000))
			case "vrbo":
				res.platformID = "HA-" + seededCode(r, 6)
			default:
				res.platformID = "DIR-" + seededCode(r, 6)
			}
			for _, m := range s.messages {
				msgID += 1 + r.IntN(500)
				res.messages = append(res.messages, res.message(msgID, m.fromGuest, m.body, m.at))
			}
			p.res = append(p.res, res)
			// Hospitable has reviews from Airbnb and its own direct bookings only [C: public.json,
			// GET /properties/{uuid}/reviews and Review.platform].
			if s.review != nil && s.review.guestDone && (s.channel == "airbnb" || s.channel == "direct") {
				p.reviews = append(p.reviews, &hspReview{id: seededUUID(r), res: res, rv: s.review})
			}
		}
		slices.SortFunc(p.reviews, func(a, b *hspReview) int { return b.rv.at.Compare(a.rv.at) })
		h.props = append(h.props, p)
		h.res = append(h.res, p.res...)
	}
	h.nextMsgID = msgID + 1000
	h.seedBulk(opts, now)
	h.seedJobs(opts, now)
	slices.SortStableFunc(h.res, func(a, b *hspRes) int { return a.s.checkIn.Compare(b.s.checkIn) })
}

// seedBulk adds the Options.Bulk reservations, with UUIDs and platform codes no seeded booking
// has.
func (h *hospitable) seedBulk(opts Options, now time.Time) {
	bases := make([]float64, len(h.props))
	for i, p := range h.props {
		bases[i] = p.base
	}
	for _, b := range planBulk(opts.Bulk, now, bases) {
		p := h.props[b.prop]
		res := &hspRes{id: fmt.Sprintf("b0000000-0000-4000-8000-%012x", b.n), convID: fmt.Sprintf("c0000000-0000-4000-8000-%012x", b.n),
			prop: p, s: b.s, platform: hspPlatforms[b.s.channel], guestID: strconv.Itoa(99_000_000 + b.n)}
		switch b.s.channel {
		case "airbnb":
			res.platformID = b.s.code
		case "booking":
			res.platformID = strconv.Itoa(4_200_000_000 + b.n)
		case "vrbo":
			res.platformID = fmt.Sprintf("HA-B%06d", b.n)
		default:
			res.platformID = fmt.Sprintf("DIR-B%06d", b.n)
		}
		p.res = append(p.res, res)
		h.res = append(h.res, res)
	}
}

// message renders one message of this reservation's thread.
func (res *hspRes) message(id int, fromGuest bool, body string, at time.Time) hspMessage {
	m := hspMessage{
		Platform: res.platform, PlatformID: id, ConversationID: res.convID, ReservationID: &res.id,
		ContentType: "text/plain", Body: body, Attachments: []map[string]string{},
		SenderType: "guest", Sender: hspSender{res.s.first, res.s.name(), "en"},
		CreatedAt: at.UTC().Format(time.RFC3339), at: at,
	}
	if !fromGuest {
		role := "host"
		m.SenderType, m.SenderRole = "host", &role
		m.Sender = hspSender{"Sam", "Sam Carter", "en"}
	}
	return m
}

// localTime is midnight-based local time of a date at hour h in the property's zone.
func (p *hspProperty) localTime(d time.Time, h int) string {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, h, 0, 0, 0, p.zone).Format("2006-01-02T15:04:05-07:00")
}

// money renders an amount in cents [C: financial amounts are in cents].
func money(cents int, currency string) map[string]any {
	sym, sign, abs := map[string]string{"USD": "$", "EUR": "€"}[currency], "", cents
	if cents < 0 {
		sign, abs = "-", -cents
	}
	return map[string]any{"amount": cents, "formatted": fmt.Sprintf("%s%s%d.%02d", sign, sym, abs/100, abs%100)}
}

func hspCategory(s *stay) (category string, sub any) {
	switch s.status {
	case "cancelled":
		return "cancelled", nil
	case "request":
		return "request", "request to book"
	}
	return "accepted", nil
}

// render builds a reservation; includes is the parsed include= list. The caller holds
// Vendor.mu (messages and review responses change).
func (res *hspRes) render(includes map[string]bool, lastMsg, now time.Time) map[string]any {
	s, p := res.s, res.prop
	cat, sub := hspCategory(s)
	var last any
	if !lastMsg.IsZero() {
		last = lastMsg.UTC().Format(time.RFC3339)
	}
	history := []map[string]any{{"category": "request", "sub_category": nil, "changed_at": s.bookedAt.UTC().Format(time.RFC3339)}}
	if cat == "accepted" {
		history = append(history, map[string]any{"category": "accepted", "sub_category": nil, "changed_at": s.bookedAt.Add(time.Minute).UTC().Format(time.RFC3339)})
	}
	if cat == "cancelled" {
		history = append(history, map[string]any{"category": "cancelled", "sub_category": nil, "changed_at": s.cancelledAt.UTC().Format(time.RFC3339)})
	}
	out := map[string]any{
		"id": res.id, "conversation_id": res.convID, "platform": res.platform, "platform_id": res.platformID,
		"booking_date":    s.bookedAt.UTC().Format(time.RFC3339),
		"arrival_date":    p.localTime(s.checkIn, 0),
		"departure_date":  p.localTime(s.checkOut(), 0),
		"nights":          s.nights,
		"check_in":        p.localTime(s.checkIn, p.checkinHour),
		"check_out":       p.localTime(s.checkOut(), p.checkoutHour),
		"last_message_at": last,
		"status":          cat, // deprecated in favour of reservation_status [C]
		"reservation_status": map[string]any{
			"current": map[string]any{"category": cat, "sub_category": sub}, "history": history,
		},
		"guests": map[string]any{"total": s.guests(), "adult_count": s.adults, "child_count": s.children,
			"infant_count": 0, "pet_count": s.pets},
	}
	if includes["guest"] {
		out["guest"] = map[string]any{"id": res.guestID, "first_name": s.first, "last_name": s.last,
			"email": s.email(), "phone_numbers": []string{s.phone}}
	}
	if includes["properties"] {
		out["properties"] = []map[string]any{{"id": p.ID, "name": p.Name, "public_name": p.PublicName}}
	}
	if includes["listings"] {
		out["listings"] = p.listings
	}
	if includes["financials"] {
		accom, fee := res.hostCents()
		out["financials"] = map[string]any{
			"currency": p.Currency,
			"host": map[string]any{
				"accommodation": money(accom, p.Currency),
				"host_fees":     []map[string]any{merge(money(fee, p.Currency), "label", "Host Service Fee", "category", "Host Service Fee")},
				"revenue":       merge(money(accom+fee+8500, p.Currency), "label", "Host payout", "category", "revenue"),
			},
			"guest": map[string]any{"total_price": money(int(s.total()*100+0.5), p.Currency)},
		}
	}
	if includes["review"] {
		out["review"] = nil
		for _, rv := range p.reviews {
			if rv.res == res {
				out["review"] = rv.render(nil, now)
			}
		}
	}
	return out
}

func merge(m map[string]any, kv ...string) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// render builds a review object, the published Review [C: public.json, components.schemas.Review]:
// id, platform, public{rating, review, response}, private{feedback}, reviewed_at, responded_at,
// can_respond (false once responded to or after the response window), guest with
// include=guest, and reservation{id, code, check_in, check_out} with include=reservations [C:
// the endpoint's includes; that it comes only with the include is [I], as seen by third parties
// [T]]. The caller holds Vendor.mu.
func (rv *hspReview) render(inc map[string]bool, now time.Time) map[string]any {
	var resp, respondedAt any
	if rv.rv.reply != "" {
		resp, respondedAt = rv.rv.reply, rv.rv.replyAt.UTC().Format(time.RFC3339)
	}
	out := map[string]any{
		"id": rv.id, "platform": rv.res.platform,
		"public":      map[string]any{"rating": rv.rv.score, "review": rv.rv.text, "response": resp},
		"private":     map[string]any{"feedback": nil},
		"reviewed_at": rv.rv.at.UTC().Format(time.RFC3339), "responded_at": respondedAt,
		"can_respond": rv.canRespond(now),
	}
	if inc["guest"] {
		out["guest"] = map[string]any{"first_name": rv.res.s.first, "last_name": rv.res.s.last}
	}
	if inc["reservations"] {
		p := rv.res.prop
		out["reservation"] = map[string]any{"id": rv.res.id, "code": rv.res.platformID,
			"check_in": p.localTime(rv.res.s.checkIn, p.checkinHour), "check_out": p.localTime(rv.res.s.checkOut(), p.checkoutHour)}
	}
	return out
}
