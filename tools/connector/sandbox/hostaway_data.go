package sandbox

import (
	"fmt"
	"slices"
	"time"
)

// Hostaway seeded data, shapes from docs/vendors.md, "Hostaway" ([C] unless noted): ints everywhere,
// booleans as 0/1, UTC times "YYYY-MM-DD HH:MM:SS".

type hwListing struct {
	id                         int
	name, internal             string
	address, city, zip, cc, tz string
	lat, lng, price            float64
	capacity, bedrooms, baths  int
	// checkIn and checkOut are the listing's usual hours, 0-23, local to tz [C: Listing object].
	checkIn, checkOut int
	stays             []stay
}

type hwRes struct {
	id          int
	l           *hwListing
	s           *stay
	channelID   int
	channelName string
	code        string // channelReservationId / confirmationCode
	updatedOn   time.Time
	conv        *hwConv
	// status, when set, is the reservation's Hostaway status in place of the one its stay
	// implies (an inquiry's).
	status string
	// edits are the members a reservation update (PUT) or the seed set, overriding the
	// rendered ones; guarded by Vendor.mu.
	edits map[string]any
}

type hwConv struct {
	id       int
	res      *hwRes
	messages []hwMessage // guarded by Vendor.mu (send appends)
}

type hwMessage struct {
	id       int
	body     string
	incoming bool
	commType string
	at       time.Time
}

type hwReview struct {
	id     int
	res    *hwRes
	kind   string // guest-to-host | host-to-guest
	status string // published | awaiting | pending | expired [C]
	rating any    // 0–10 or nil
	text   string
	reply  any
	at     time.Time
}

var hwChannels = map[string]struct {
	id   int
	name string
}{
	"airbnb": {2018, "airbnbOfficial"}, "booking": {2005, "bookingcom"},
	"vrbo": {2002, "homeaway"}, "direct": {2000, "direct"},
}

// hwTime is Hostaway's UTC timestamp format [C].
func hwTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (h *hostaway) seed(opts Options) {
	r := newRand(opts.Seed, 3)
	now := h.v.now()
	h.listings = []*hwListing{
		{id: HostawayListingID, name: "Brickell Bay Sky Suite", internal: "MIA-01", address: "1200 Brickell Bay Dr, Miami, FL 33131, United States", city: "Miami", zip: "33131", cc: "US", tz: "America/New_York", lat: 25.7617, lng: -80.1896, price: 211.62, capacity: 4, bedrooms: 1, baths: 1, checkIn: 16, checkOut: 11},
		{id: 41287, name: "Music Row Retreat", internal: "BNA-02", address: "1509 16th Ave S, Nashville, TN 37212, United States", city: "Nashville", zip: "37212", cc: "US", tz: "America/Chicago", lat: 36.1445, lng: -86.7924, price: 178, capacity: 6, bedrooms: 3, baths: 2, checkIn: 16, checkOut: 11},
		{id: 43055, name: "Capitol Hill Craftsman", internal: "SEA-03", address: "418 15th Ave E, Seattle, WA 98112, United States", city: "Seattle", zip: "98112", cc: "US", tz: "America/Los_Angeles", lat: 47.6225, lng: -122.3127, price: 194.5, capacity: 5, bedrooms: 2, baths: 1, checkIn: 15, checkOut: 10},
		{id: 44912, name: "Alberta Arts Cottage", internal: "PDX-04", address: "2815 NE Alberta St, Portland, OR 97211, United States", city: "Portland", zip: "97211", cc: "US", tz: "America/Los_Angeles", lat: 45.5590, lng: -122.6370, price: 142, capacity: 3, bedrooms: 1, baths: 1, checkIn: 16, checkOut: 11},
	}
	resID, convID, msgID, reviewID := 31_000_000+r.IntN(10_000), 5_200_000+r.IntN(10_000), 90_000_000, 640_000+r.IntN(1000)
	for _, l := range h.listings {
		l.stays = planStays(r, now, l.price, l.name)
		for i := range l.stays {
			s := &l.stays[i]
			ch := hwChannels[s.channel]
			resID += 1 + r.IntN(30)
			res := &hwRes{id: resID, l: l, s: s, channelID: ch.id, channelName: ch.name, code: s.code}
			if s.channel != "airbnb" {
				res.code = fmt.Sprintf("%d", 4_100_000_000+r.IntN(100_000_000))
			}
			res.updatedOn = s.bookedAt.Add(time.Duration(r.IntN(72)) * time.Hour)
			if !s.cancelledAt.IsZero() {
				res.updatedOn = s.cancelledAt
			}
			if !res.updatedOn.Before(now) {
				res.updatedOn = s.bookedAt.Add(now.Sub(s.bookedAt) / 2).Truncate(time.Second)
			}
			if len(s.messages) > 0 {
				convID += 1 + r.IntN(20)
				c := &hwConv{id: convID, res: res}
				for _, m := range s.messages {
					msgID += 1 + r.IntN(300)
					comm := "channel"
					if s.channel == "direct" {
						comm = "email"
					}
					c.messages = append(c.messages, hwMessage{id: msgID, body: m.body, incoming: m.fromGuest, commType: comm, at: m.at})
				}
				res.conv = c
				h.convs = append(h.convs, c)
			}
			if rv := s.review; rv != nil {
				if rv.guestDone {
					reviewID += 1 + r.IntN(9)
					var reply any
					if rv.reply != "" {
						reply = rv.reply
					}
					h.reviews = append(h.reviews, &hwReview{id: reviewID, res: res, kind: "guest-to-host", status: "published", rating: rv.score * 2, text: rv.text, reply: reply, at: rv.at})
				} else {
					// The guest has not written yet: Hostaway lists the review as awaiting,
					// pending or expired [C: the statuses of GET /reviews], with no rating or text
					// [C: the example]. Which status when is not documented [I]: awaiting before
					// the stay ends, pending during the channels' usual 14-day window after it,
					// expired later. Ids apart from the seeded ones, so those stay as they were.
					st := "pending"
					switch co := s.checkOut(); {
					case co.After(now):
						st = "awaiting"
					case now.Sub(co) > 14*24*time.Hour:
						st = "expired"
					}
					h.reviews = append(h.reviews, &hwReview{id: 900_000 + res.id, res: res, kind: "guest-to-host", status: st, at: s.checkOut()})
				}
				reviewID += 1 + r.IntN(9)
				hr := &hwReview{id: reviewID, res: res, kind: "host-to-guest", status: "awaiting", at: s.checkOut()}
				if rv.hostText != "" {
					hr.status, hr.rating, hr.text, hr.at = "published", 10, rv.hostText, rv.hostAt
				}
				h.reviews = append(h.reviews, hr)
			}
			h.res = append(h.res, res)
		}
	}
	h.nextMsgID = msgID + 1000
	h.seedJobs(now) // before the bulk, which has no charges or tasks
	h.seedBulk(opts, now, resID)
	slices.SortFunc(h.reviews, func(a, b *hwReview) int { return a.id - b.id })
}

// seedBulk adds the Options.Bulk reservations with ids after lastID, the highest seeded one,
// and booking codes no seeded booking has.
func (h *hostaway) seedBulk(opts Options, now time.Time, lastID int) {
	bases := make([]float64, len(h.listings))
	for i, l := range h.listings {
		bases[i] = l.price
	}
	for _, b := range planBulk(opts.Bulk, now, bases) {
		ch := hwChannels[b.s.channel]
		res := &hwRes{id: lastID + 1 + b.n, l: h.listings[b.prop], s: b.s, channelID: ch.id, channelName: ch.name,
			code: b.s.code, updatedOn: b.s.bookedAt}
		if b.s.channel != "airbnb" {
			res.code = fmt.Sprintf("%d", 4_300_000_000+b.n)
		}
		h.res = append(h.res, res)
	}
}

func hwStatus(s *stay) string {
	switch s.status {
	case "cancelled":
		return "cancelled"
	case "request":
		return "pending"
	}
	return "new"
}

func (l *hwListing) render() map[string]any {
	return map[string]any{
		"id": l.id, "propertyTypeId": 1, "name": l.name, "externalListingName": l.name,
		"internalListingName": l.internal, "description": "A comfortable, fully equipped home in " + l.city + ".",
		"address": l.address, "city": l.city, "zipcode": l.zip, "countryCode": l.cc, "lat": l.lat, "lng": l.lng,
		"price": l.price, "currencyCode": "USD", "personCapacity": l.capacity, "bedroomsNumber": l.bedrooms,
		"bathroomsNumber": l.baths, "roomType": "entire_home", "checkInTimeStart": l.checkIn, "checkInTimeEnd": 22,
		"checkOutTime": l.checkOut, "timeZoneName": l.tz, "instantBookable": 1, "specialStatus": nil,
		"listingImages": []any{}, "listingAmenities": []any{},
	}
}

// statusText is the reservation's Hostaway status.
func (res *hwRes) statusText() string {
	if res.status != "" {
		return res.status
	}
	return hwStatus(res.s)
}

// render builds a reservation; fees and custom fields stay empty unless includeResources=1 [C].
// It carries every member a reservation update takes [C: Update a reservation's example], so
// that a client can send them back; the caller holds Vendor.mu (edits).
func (res *hwRes) render(withResources bool, latest time.Time) map[string]any {
	s := res.s
	var cancelled any
	if !s.cancelledAt.IsZero() {
		cancelled = hwTime(s.cancelledAt)
	}
	finance, custom := []any{}, []any{}
	if withResources {
		finance = []any{
			map[string]any{"name": "baseRate", "title": "Base rate", "type": "price", "value": round2(s.nightly * float64(s.nights)), "isIncludedInTotalPrice": 1},
			map[string]any{"name": "cleaningFeeValue", "title": "Cleaning fee", "type": "fee", "value": 85, "isIncludedInTotalPrice": 1},
		}
		custom = []any{map[string]any{"customFieldId": 1201, "value": "Sandbox", "customField": map[string]any{"name": "Source"}}}
	}
	total := round2(s.total())
	out := map[string]any{
		"id": res.id, "listingMapId": res.l.id, "listingName": res.l.name, "channelId": res.channelID,
		"channelName": res.channelName, "hostawayReservationId": res.id,
		"reservationId":        fmt.Sprintf("%s-%d-%d-%s", HostawayAccountID, res.l.id, res.channelID, res.code),
		"channelReservationId": res.code, "confirmationCode": res.code, "isManuallyChecked": 0,
		"reservationDate": hwTime(s.bookedAt), "guestName": s.name(), "guestFirstName": s.first,
		"guestLastName": s.last, "guestZipCode": nil, "guestAddress": nil, "guestCity": nil, "guestCountry": nil,
		"guestEmail": s.email(), "guestPicture": nil, "guestRecommendations": nil, "guestTrips": nil, "guestWork": nil,
		"phone": s.phone, "numberOfGuests": s.guests(),
		"adults": s.adults, "children": s.children, "infants": 0, "pets": s.pets,
		"arrivalDate": s.checkIn.Format(dateLayout), "departureDate": s.checkOut().Format(dateLayout),
		"checkInTime": res.l.checkIn, "checkOutTime": res.l.checkOut, "nights": s.nights, "totalPrice": total,
		"taxAmount": nil, "channelCommissionAmount": nil, "cleaningFee": 85, "securityDepositFee": nil,
		"currency": "USD", "status": res.statusText(), "cancellationDate": cancelled, "isPaid": b01(s.status == "accepted"),
		"insertedOn": hwTime(s.bookedAt), "updatedOn": hwTime(res.updatedOn), "latestActivityOn": hwTime(latest),
		"customFieldValues": custom, "financeField": finance, "hostNote": nil, "guestNote": nil, "guestLocale": nil,
		"doorCode": nil, "doorCodeVendor": nil, "doorCodeInstruction": nil, "comment": nil, "customerUserId": nil,
		"airbnbCancellationPolicy": nil,
	}
	for _, name := range hwAirbnbAmounts {
		out[name] = nil
	}
	if res.channelName == "airbnbOfficial" {
		// Airbnb's own figures [C: Reservation object]; the fake's are the stay's price less a 3% host fee [I].
		out["airbnbExpectedPayoutAmount"] = round2(total * 0.97)
		out["airbnbListingBasePrice"] = round2(s.nightly)
		out["airbnbListingCleaningFee"] = 85
		out["airbnbListingHostFee"] = round2(total * 0.03)
		out["airbnbTotalPaidAmount"] = total
		out["airbnbCancellationPolicy"] = "moderate"
	}
	for k, v := range res.edits {
		if k == "customFieldValues" && !withResources {
			continue
		}
		out[k] = v
	}
	return out
}

// hwAirbnbAmounts are the reservation's Airbnb money members [C: Reservation object].
var hwAirbnbAmounts = []string{"airbnbExpectedPayoutAmount", "airbnbListingBasePrice", "airbnbListingCancellationHostFee",
	"airbnbListingCancellationPayout", "airbnbListingCleaningFee", "airbnbListingHostFee", "airbnbListingSecurityPrice",
	"airbnbOccupancyTaxAmountPaidToHost", "airbnbTotalPaidAmount", "airbnbTransientOccupancyTaxPaidAmount"}

// latest is the newest of the reservation's update and its last message; caller holds Vendor.mu.
func (res *hwRes) latest() time.Time {
	t := res.updatedOn
	if res.conv != nil {
		if n := len(res.conv.messages); n > 0 && res.conv.messages[n-1].at.After(t) {
			t = res.conv.messages[n-1].at
		}
	}
	return t
}

func (m hwMessage) render(c *hwConv) map[string]any {
	return map[string]any{
		"id": m.id, "accountId": 81234, "conversationId": c.id, "reservationId": c.res.id,
		"listingMapId": c.res.l.id, "body": m.body, "communicationType": m.commType, "status": "sent",
		"isIncoming": b01(m.incoming), "isSeen": 1, "sentUsingHostaway": b01(!m.incoming),
		"date": hwTime(m.at), "insertedOn": hwTime(m.at), "updatedOn": hwTime(m.at), "attachments": []any{},
	}
}

// render builds a conversation object [C: the published conversation object]. It has no
// channelId of its own: the channel is its Reservation's, a supplementary resource sent with
// includeResources=1 [C: GET /conversations], as is conversationMessages, which holds the
// latest message [C: the object's table].
func (c *hwConv) render(withResources bool) map[string]any {
	var sent, received any
	for _, m := range c.messages {
		if m.incoming {
			received = hwTime(m.at)
		} else {
			sent = hwTime(m.at)
		}
	}
	last := c.messages[len(c.messages)-1]
	s := c.res.s
	out := map[string]any{
		"id": c.id, "accountId": 81234, "listingMapId": c.res.l.id, "reservationId": c.res.id,
		"type": "host-guest-email", "recipientName": s.name(), "recipientEmail": s.email(), "recipientPicture": nil,
		"hasUnreadMessages": b01(last.incoming), "isArchived": 0, "isStarred": 0,
		"messageSentOn": sent, "messageReceivedOn": received,
	}
	if withResources {
		out["conversationMessages"] = []map[string]any{last.render(c)} // "the latest message" [C]
		out["Reservation"] = c.res.render(false, c.res.latest())
	}
	return out
}

// render builds a review object [C: the published review object]: it has no submission time,
// only the stay's arrivalDate and departureDate, and an unwritten review has a null rating and
// publicReview.
func (rv *hwReview) render() map[string]any {
	s := rv.res.s
	var cats []map[string]any
	if n, ok := rv.rating.(int); ok {
		cats = []map[string]any{{"category": "cleanliness", "rating": n}, {"category": "communication", "rating": min(10, n+1)}}
	}
	text := any(rv.text)
	if rv.text == "" {
		text = nil
	}
	return map[string]any{
		"id": rv.id, "accountId": 81234, "listingMapId": rv.res.l.id, "reservationId": rv.res.id,
		"channelId": rv.res.channelID, "type": rv.kind, "status": rv.status, "rating": rv.rating,
		"publicReview": text, "privateFeedback": nil, "revieweeResponse": rv.reply,
		"arrivalDate": hwTime(s.checkIn), "departureDate": hwTime(s.checkOut()),
		"guestName": s.name(), "listingName": rv.res.l.name,
		"autoReviewId": nil, "timeDelta": nil, "scheduledDateTime": nil, "externalReviewId": nil,
		"externalReservationId": nil, "isRevieweeRecommended": nil, "isCancelled": 0, "autoReviewTemplateId": nil,
		"reviewCategory": cats,
	}
}
