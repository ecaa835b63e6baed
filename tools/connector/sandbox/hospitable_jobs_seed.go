package sandbox

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// The Hospitable seed behind the jobs of issue 11: a property east of UTC whose stays are laid
// by hand (a same-day turn, a one-night gap), guests' inquiries, and the payouts and
// transactions of the seeded stays. It draws from its own stream, so the rest of the seed is
// the same with or without it, and it lays nothing within three weeks of today on the new
// property, so the default windows of the other reads show what they showed before.

// HospitableAucklandPropertyID is the seeded Hospitable property in Auckland (timezone "+1300",
// check-in 14:00, check-out 10:00, priced in USD, listed on Airbnb and Hospitable Direct, so
// the one a quote can be made for). Its stays are laid by hand: see HospitableAucklandStays.
const HospitableAucklandPropertyID = "3c9e1f52-8a4d-4b7e-b2c6-0d5f7a9e1c48"

// HospitableAucklandStays describes the hand-laid stays of the Auckland property from the
// fake's today: a past stay, then from the first day S at least 24 days ahead three stays — S
// for 3 nights, S+3 for 2 (a same-day turn: the first one's check-out day), S+6 for 4 — which
// leave the night S+5 open (a one-night gap, never Friday or Saturday, whose minimum stay is 1),
// and a request to book at S+14 for 2 nights. It returns S.
func HospitableAucklandStays(today time.Time) time.Time {
	s := day(today).AddDate(0, 0, 24)
	for !hspOpenNight(s.AddDate(0, 0, 5), len(hspAucklandName)) {
		s = s.AddDate(0, 0, 1)
	}
	return s
}

const hspAucklandName = "Ponsonby Garden Villa"

// hspOpenNight reports whether a night with no stay on it stays open in the calendar with a
// minimum stay of one: not a Friday or Saturday (two nights there) and not one of the nights
// the host blocks (ownerBlocked).
func hspOpenNight(d time.Time, salt int) bool {
	wd := d.Weekday()
	return wd != time.Friday && wd != time.Saturday && (d.YearDay()+salt)%17 != 0
}

// hspInquiry is a guest's inquiry, the published Inquiry [C: public.json,
// components.schemas.Inquiry]: its id is also its conversation_id.
type hspInquiry struct {
	id          string
	prop        *hspProperty
	platform    string
	at          time.Time // inquiry_date
	checkIn     time.Time // the local date, at midnight UTC
	nights      int
	adults      int
	children    int
	first, last string
	messages    []hspMessage // guarded by Vendor.mu (send appends)
	noMessaging bool         // a Booking.com thread that does not take messages [C]
}

// hspPayout is money a channel paid out, the object of GET /payouts [C: public.json, All
// Payouts]: amounts in cents.
type hspPayout struct {
	id, platform, platformID, bankAccount, reference, currency string
	propID                                                     string // the property whose stays it pays
	at                                                         time.Time
	txs                                                        []*hspTransaction
}

// hspTransaction is one money movement, the object of GET /transactions [C: public.json, All
// Transactions]; res is nil for a movement of no stay (an adjustment).
type hspTransaction struct {
	id, platform, kind, details, reference, currency string
	cents                                            int
	at                                               time.Time
	res                                              *hspRes
	payout                                           *hspPayout
}

// hostCents is the stay's accommodation and the host's service fee, in cents; the host's
// revenue, what a payout carries, is their sum and the 85.00 cleaning fee.
func (res *hspRes) hostCents() (accom, fee int) {
	accom = int(res.s.nightly*float64(res.s.nights)*100 + 0.5)
	return accom, -accom * 3 / 100
}

func (res *hspRes) revenueCents() int {
	accom, fee := res.hostCents()
	return accom + fee + 8500
}

// seedJobs adds the Auckland property, the inquiries and the money; it runs after the rest of
// the seed.
func (h *hospitable) seedJobs(opts Options, now time.Time) {
	r := newRand(opts.Seed, 22)
	h.seedAuckland(r, now)
	h.seedInquiries(r, now)
	h.seedMoney(r, now)
}

func (h *hospitable) seedAuckland(r *rand.Rand, now time.Time) {
	today := day(now)
	p := &hspProperty{
		ID: HospitableAucklandPropertyID, Name: hspAucklandName, PublicName: hspAucklandName,
		Picture: "https://assets.hospitable.example/properties/5/cover.jpg",
		Address: hspAddress{Number: "112", Street: "Ponsonby Road", City: "Auckland", State: "Auckland", Country: "NZ",
			Postcode: "1011", Coordinates: hspCoordinates{-36.8566, 174.7466}, Display: "112 Ponsonby Road, 1011 Auckland, NZ"},
		Timezone: "+1300", Listed: true, Amenities: []string{"wifi", "kitchen", "garden", "shower"},
		Checkin: "14:00", Checkout: "10:00", Currency: "USD", Capacity: hspCapacity{5, 2, 3, 1.5}, Tags: []string{},
		PropertyType: "villa", RoomType: "entire_home",
		zone: time.FixedZone("+1300", 13*3600), base: 210, checkinHour: 14, checkoutHour: 10,
		// Hospitable Direct is where a quote's booking link leads [C: public.json, "Generate a
		// quote" is for a Direct property]; its listing's platform is "direct" [I].
		listings: []hspListing{{"airbnb", fmt.Sprintf("%d", 24_488_000+r.IntN(900_000))}, {"direct", HospitableAucklandPropertyID}},
	}
	s := HospitableAucklandStays(today)
	type laid struct {
		checkIn          time.Time
		nights, adults   int
		children         int
		first, last      string
		channel, status  string
		bookedDaysBefore int
	}
	for _, l := range []laid{
		{today.AddDate(0, 0, -10), 4, 2, 0, "Hemi", "Walker", "airbnb", "accepted", 30},
		{s, 3, 2, 1, "Olivia", "Brown", "airbnb", "accepted", 40},
		{s.AddDate(0, 0, 3), 2, 2, 0, "Ethan", "Clarke", "booking", "accepted", 35},
		{s.AddDate(0, 0, 6), 4, 3, 0, "Sophie", "Martin", "direct", "accepted", 28},
		{s.AddDate(0, 0, 14), 2, 2, 0, "Ana", "Tupou", "direct", "request", 20},
	} {
		booked := l.checkIn.AddDate(0, 0, -l.bookedDaysBefore).Add(9*time.Hour + 15*time.Minute)
		if !booked.Before(now) {
			booked = now.Add(-time.Duration(l.bookedDaysBefore) * time.Hour).Truncate(time.Minute)
		}
		p.stays = append(p.stays, stay{checkIn: l.checkIn, nights: l.nights, adults: l.adults, children: l.children,
			first: l.first, last: l.last, phone: fmt.Sprintf("+6421%07d", r.IntN(10_000_000)), channel: l.channel,
			status: l.status, bookedAt: booked, nightly: p.base, code: "HM" + seededCode(r, 8)})
	}
	for j := range p.stays {
		st := &p.stays[j]
		res := &hspRes{id: seededUUID(r), convID: seededUUID(r), prop: p, s: st,
			platform: hspPlatforms[st.channel], guestID: fmt.Sprintf("%d", 10_000_000+r.IntN(90_000_000)),
			platformID: hspPlatformID(r, st)}
		p.res = append(p.res, res)
	}
	h.props = append(h.props, p)
	h.res = append(h.res, p.res...)
}

// hspPlatformID is a stay's reservation code in its channel's style.
func hspPlatformID(r *rand.Rand, s *stay) string {
	switch s.channel {
	case "airbnb":
		return s.code
	case "booking":
		return fmt.Sprintf("%010d", 3_000_000_000+r.IntN(1_000_000_000))
	case "vrbo":
		return "HA-" + seededCode(r, 6)
	}
	return "DIR-" + seededCode(r, 6)
}

func (h *hospitable) seedInquiries(r *rand.Rand, now time.Time) {
	today := day(now)
	berlin, sedona, auckland := h.property(HospitablePropertyID), h.property("e2c8a5d1-9f37-4b6e-a0d4-3b7f1c9e5a02"), h.property(HospitableAucklandPropertyID)
	gap := HospitableAucklandStays(today).AddDate(0, 0, 5)
	type thread struct {
		fromGuest bool
		body      string
		after     time.Duration
	}
	msgID := 52_000_000 + r.IntN(1_000_000)
	for _, q := range []struct {
		prop           *hspProperty
		platform       string
		ago            time.Duration
		checkIn        time.Time
		nights, adults int
		children       int
		first, last    string
		noMessaging    bool
		thread         []thread
	}{
		{prop: berlin, platform: "airbnb", ago: 3 * time.Hour, checkIn: today.AddDate(0, 0, 45), nights: 3, adults: 2,
			first: "Lukas", last: "Brandt", thread: []thread{
				{true, "Hi! Is the apartment free for a long weekend? Does the building have a lift?", 0}}},
		{prop: auckland, platform: "direct", ago: 26 * time.Hour, checkIn: gap, nights: 1, adults: 2,
			first: "Aroha", last: "Ngata", thread: []thread{
				{true, "Kia ora! Could we stay just the one night? We have a wedding nearby.", 0},
				{false, "Hi Aroha, that night is free. I'll send you a quote.", 40 * time.Minute}}},
		{prop: sedona, platform: "booking", ago: 50 * time.Hour, checkIn: today.AddDate(0, 0, 33), nights: 2, adults: 1, children: 1,
			first: "Maya", last: "Patel", noMessaging: true, thread: []thread{
				{true, "Is there parking for a camper van?", 0}}},
	} {
		in := &hspInquiry{id: seededUUID(r), prop: q.prop, platform: q.platform, at: now.Add(-q.ago).Truncate(time.Minute),
			checkIn: q.checkIn, nights: q.nights, adults: q.adults, children: q.children, first: q.first, last: q.last,
			noMessaging: q.noMessaging}
		for _, m := range q.thread {
			msgID += 1 + r.IntN(500)
			in.messages = append(in.messages, in.message(msgID, m.fromGuest, m.body, in.at.Add(m.after)))
		}
		h.inquiries = append(h.inquiries, in)
	}
}

// message renders one message of the inquiry's thread: a thread with no reservation yet
// [C: Message.reservation_id is a string or null].
func (in *hspInquiry) message(id int, fromGuest bool, body string, at time.Time) hspMessage {
	m := hspMessage{Platform: in.platform, PlatformID: id, ConversationID: in.id, ContentType: "text/plain", Body: body,
		Attachments: []map[string]string{}, SenderType: "guest", Sender: hspSender{in.first, in.first + " " + in.last, "en"},
		CreatedAt: at.UTC().Format(time.RFC3339), at: at}
	if !fromGuest {
		role := "host"
		m.SenderType, m.SenderRole = "host", &role
		m.Sender = hspSender{"Sam", "Sam Carter", "en"}
	}
	return m
}

// seedMoney pays out every accepted stay the day after its check-in, once that day is past:
// Airbnb, Vrbo and direct bookings one payout a stay, Booking.com one a week for each
// property [I]. The newest Airbnb payout of the Berlin property also carries a resolution
// adjustment, which is no stay's.
func (h *hospitable) seedMoney(r *rand.Rand, now time.Time) {
	today := day(now)
	weekly := map[string]*hspPayout{}
	for _, p := range h.props {
		for j := range p.stays {
			st, res := &p.stays[j], p.res[j]
			paid := st.checkIn.AddDate(0, 0, 1).Add(14 * time.Hour)
			if st.status != "accepted" || !paid.Before(today) {
				continue
			}
			var po *hspPayout
			if st.channel == "booking" {
				y, w := paid.ISOWeek()
				key := fmt.Sprintf("%s/%d-%d", p.ID, y, w)
				if po = weekly[key]; po == nil {
					po = h.newPayout(r, p, res.platform)
					weekly[key] = po
				}
			} else {
				po = h.newPayout(r, p, res.platform)
			}
			po.at = later(po.at, paid)
			tx := &hspTransaction{id: seededUUID(r), platform: res.platform, kind: "Reservation",
				details:   fmt.Sprintf("%s · %s – %s", st.name(), st.checkIn.Format(dateLayout), st.checkOut().Format(dateLayout)),
				reference: res.platformID, currency: p.Currency, cents: res.revenueCents(), at: paid, res: res, payout: po}
			po.txs = append(po.txs, tx)
		}
	}
	for _, po := range h.payouts {
		for _, tx := range po.txs {
			tx.at = po.at // a transaction is dated by the payout that carries it [I]
		}
	}
	if po := h.newestPayout(HospitablePropertyID, "airbnb"); po != nil {
		po.txs = append(po.txs, &hspTransaction{id: seededUUID(r), platform: po.platform, kind: "Resolution Adjustment",
			details: "Resolution Center: a broken wine glass set", reference: "RC-" + seededCode(r, 8),
			currency: po.currency, cents: 4500, at: po.at, payout: po})
	}
	for _, po := range h.payouts {
		h.transactions = append(h.transactions, po.txs...)
	}
	newestFirst := func(a, b time.Time, x, y string) int { return cmp.Or(b.Compare(a), cmp.Compare(x, y)) }
	slices.SortStableFunc(h.payouts, func(a, b *hspPayout) int { return newestFirst(a.at, b.at, a.id, b.id) })
	slices.SortStableFunc(h.transactions, func(a, b *hspTransaction) int { return newestFirst(a.at, b.at, a.id, b.id) })
}

// newestPayout is the latest payout of a property's stays through one platform, or nil.
func (h *hospitable) newestPayout(propID, platform string) *hspPayout {
	var out *hspPayout
	for _, po := range h.payouts {
		if po.propID == propID && po.platform == platform && (out == nil || po.at.After(out.at)) {
			out = po
		}
	}
	return out
}

func (h *hospitable) newPayout(r *rand.Rand, p *hspProperty, platform string) *hspPayout {
	bank := map[string]string{"EUR": "DE89 •••• •••• 4821", "USD": "•••• 0934"}[p.Currency]
	po := &hspPayout{id: seededUUID(r), platform: platform, platformID: fmt.Sprintf("%d", 700_000_000+r.IntN(100_000_000)),
		bankAccount: bank, reference: "HSP-" + seededCode(r, 10), currency: p.Currency, propID: p.ID}
	h.payouts = append(h.payouts, po)
	return po
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// cents is a payout's amount: the sum of its transactions.
func (po *hspPayout) cents() int {
	n := 0
	for _, tx := range po.txs {
		n += tx.cents
	}
	return n
}
