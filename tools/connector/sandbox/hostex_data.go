package sandbox

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"
)

// Hostex wire shapes, written from docs/vendors.md, "Hostex" (fields [C] from the OpenAPI spec unless noted).

type hostexChannel struct {
	ChannelType string `json:"channel_type"`
	ListingID   string `json:"listing_id"`
}

type hostexProperty struct {
	ID        int             `json:"id"`
	Title     string          `json:"title"`
	Address   string          `json:"address"`
	Longitude string          `json:"longitude"` // strings on the wire [C]
	Latitude  string          `json:"latitude"`
	Channels  []hostexChannel `json:"channels"`

	base  float64
	stays []stay
}

// listing returns the property's listing id on a channel type.
func (p *hostexProperty) listing(channelType string) string {
	for _, c := range p.Channels {
		if c.ChannelType == channelType {
			return c.ListingID
		}
	}
	return strconv.Itoa(p.ID)
}

// hostexRes is one seeded reservation with its Hostex identifiers.
type hostexRes struct {
	prop        *hostexProperty
	s           *stay
	code        string // reservation_code (== stay_code: one stay per booking)
	channelID   string
	channelType string
	convID      string // "" = no conversation
	// waitPay marks a request awaiting the guest's payment (wait_pay) rather than the host's
	// acceptance (wait_accept).
	waitPay bool
	// What the host keeps on the stay, changed by PATCH /reservations/{code} and
	// PATCH /reservations/{stay_code}/check_in_details; guarded by Vendor.mu.
	remarks string
	checkIn hostexCheckIn
}

// hostexCheckIn is a stay's check_in_details [C: GET /reservations]; nil is null.
type hostexCheckIn struct {
	arrival, departure *hostexClock
	lockCode           *string
	lockVisibleAfter   *string
	deposit            *int
}

// newHostexRes is a reservation of stay s at p, its guests expected at four in the afternoon.
func newHostexRes(p *hostexProperty, s *stay) *hostexRes {
	return &hostexRes{prop: p, s: s, channelType: hostexChannelTypes[s.channel],
		checkIn: hostexCheckIn{arrival: &hostexClock{16, 0}}}
}

// status is the reservation's status in GET /reservations' enum [C].
func (res *hostexRes) status() string {
	if st := hostexStatus(res.s); st == "wait_accept" && res.waitPay {
		return "wait_pay"
	}
	return hostexStatus(res.s)
}

type hostexMessage struct {
	ID          string  `json:"id"`
	SenderRole  string  `json:"sender_role"`
	DisplayType string  `json:"display_type"`
	Content     string  `json:"content"`
	Attachment  *string `json:"attachment"`
	CreatedAt   string  `json:"created_at"`
	at          time.Time
}

// hostexConv is a conversation about a reservation (res) or, with res nil, about a guest's
// inquiry that no reservation followed (inq).
type hostexConv struct {
	id       string
	res      *hostexRes
	inq      *hostexInquiry
	messages []hostexMessage // guarded by Vendor.mu (send appends)
}

func (c *hostexConv) lastAt() time.Time {
	if n := len(c.messages); n > 0 {
		return c.messages[n-1].at
	}
	if c.res == nil {
		return c.inq.at
	}
	return c.res.s.bookedAt
}

var hostexChannelTypes = map[string]string{
	"airbnb": "airbnb", "booking": "booking_site", "vrbo": "vrbo", "direct": "hostex_direct",
}

// hostexTime is Hostex's timestamp style: "2026-03-26T18:37:50+00:00".
func hostexTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

func (h *hostex) seed(opts Options) {
	r := newRand(opts.Seed, 1)
	now := h.v.now()
	props := []struct {
		id              int
		title, address  string
		lat, lng        string
		base            float64
		airbnb, booking string
	}{
		{HostexPropertyID, "Railyard Loft", "1021 Tchoupitoulas St, New Orleans, LA 70130, US", "29.9423", "-90.0683", 189, "53012345", "8810234"},
		{12304518, "Zilker Bungalow", "2104 Barton Hills Dr, Austin, TX 78704, US", "30.2558", "-97.7710", 215, "49877120", "9021577"},
		{12377702, "LoDo Skyline Flat", "1550 Wynkoop St, Denver, CO 80202, US", "39.7523", "-105.0003", 164, "61220459", "8917340"},
		{12590331, "Jones Street Carriage House", "118 W Jones St, Savannah, GA 31401, US", "32.0719", "-81.0943", 242, "70458813", "9140062"},
	}
	convID := 1234567
	for _, p := range props {
		hp := &hostexProperty{
			ID: p.id, Title: p.title, Address: p.address, Latitude: p.lat, Longitude: p.lng, base: p.base,
			Channels: []hostexChannel{
				{"airbnb", p.airbnb},
				{"booking_site", p.booking},
				{"vrbo", fmt.Sprintf("%d", 3_100_000+p.id%100_000)},
				{"hostex_direct", strconv.Itoa(p.id)},
			},
		}
		// The fixed stays of hostex_jobs.go follow the planned ones in the same slice (so the
		// calendar sees them) and draw nothing from r, so the planned seed is unchanged.
		planned := planStays(r, now, p.base, p.title)
		jobs := hostexJobStays(p.id, now)
		hp.stays = make([]stay, 0, len(planned)+len(jobs))
		hp.stays = append(hp.stays, planned...)
		for _, j := range jobs {
			hp.stays = append(hp.stays, j.s)
		}
		h.props = append(h.props, hp)
		for i := range planned {
			s := &hp.stays[i]
			res := newHostexRes(hp, s)
			switch s.channel {
			case "airbnb":
				res.channelID = s.code
			case "booking":
				res.channelID = fmt.Sprintf("%010d", r.IntN(1_000_000_000)+3_000_000_000)
			case "vrbo":
				res.channelID = "HA-" + seededCode(r, 6)
			default:
				res.channelID = fmt.Sprintf("D%08d", r.IntN(100_000_000))
			}
			res.code = fmt.Sprintf("0-%s-%s", res.channelID, lower(seededCode(r, 6)))
			if len(s.messages) > 0 {
				convID += 1 + r.IntN(40)
				res.convID = strconv.Itoa(convID)
				h.addConv(r, res)
			}
			h.res = append(h.res, res)
		}
		for i, j := range jobs {
			h.addJob(hp, &hp.stays[len(planned)+i], j)
		}
	}
	h.nextMsgID = 880_000_000 + r.IntN(1_000_000)
	h.addInquiry(now)
	h.openNight = day(now).AddDate(0, 0, HostexOpenGapNight)
	h.seedBulk(opts, now)
	// Default order of GET /reservations: booked_at, newest first [C].
	sort.SliceStable(h.res, func(i, j int) bool { return h.res[i].s.bookedAt.After(h.res[j].s.bookedAt) })
}

// seedBulk adds the Options.Bulk reservations, with channel ids no seeded booking has.
func (h *hostex) seedBulk(opts Options, now time.Time) {
	bases := make([]float64, len(h.props))
	for i, p := range h.props {
		bases[i] = p.base
	}
	for _, b := range planBulk(opts.Bulk, now, bases) {
		res := newHostexRes(h.props[b.prop], b.s)
		switch b.s.channel {
		case "airbnb":
			res.channelID = b.s.code
		case "booking":
			res.channelID = strconv.Itoa(4_200_000_000 + b.n)
		case "vrbo":
			res.channelID = fmt.Sprintf("HA-B%06d", b.n)
		default:
			res.channelID = fmt.Sprintf("DB%07d", b.n)
		}
		res.code = fmt.Sprintf("0-%s-bk%04x", res.channelID, b.n%0x10000)
		h.res = append(h.res, res)
	}
}

func (h *hostex) addConv(r *rand.Rand, res *hostexRes) {
	c := &hostexConv{id: res.convID, res: res}
	for _, m := range res.s.messages {
		role := "host"
		if m.fromGuest {
			role = "guest"
		}
		c.messages = append(c.messages, hostexMessage{
			ID: strconv.Itoa(700_000_000 + r.IntN(100_000_000)), SenderRole: role, DisplayType: "Text",
			Content: m.body, CreatedAt: hostexTime(m.at), at: m.at,
		})
	}
	h.convs = append(h.convs, c)
}

// Rendered shapes.

type hostexMoney struct {
	Currency string  `json:"currency"`
	Amount   float64 `json:"amount"`
}

type hostexRateDetail struct {
	Type        string  `json:"type"`
	Description string  `json:"description"`
	Currency    string  `json:"currency"`
	Amount      float64 `json:"amount"`
}

type hostexGuest struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	IsBooker bool   `json:"is_booker,omitempty"`
}

type hostexClock struct {
	Hour   int `json:"hour"`
	Minute int `json:"minute"`
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

var hostexCommission = map[string]float64{"airbnb": 0.03, "booking_site": 0.15, "vrbo": 0.05}

func hostexStatus(s *stay) string {
	switch s.status {
	case "cancelled":
		return "cancelled"
	case "request":
		return "wait_accept"
	}
	return "accepted"
}

// render builds the reservation object of GET /reservations.
func (res *hostexRes) render(now time.Time) map[string]any {
	s := res.s
	today := day(now)
	stayStatus := "checked_out" // [T] seen in a real payload
	switch {
	case s.status == "cancelled":
		stayStatus = "cancelled"
	case today.Before(s.checkIn):
		stayStatus = "checkin_pending"
	case today.Before(s.checkOut()):
		stayStatus = "checked_in"
	}
	var cancelled any
	if !s.cancelledAt.IsZero() {
		cancelled = hostexTime(s.cancelledAt)
	}
	var conv any
	if res.convID != "" {
		conv = res.convID
	}
	creator := ""
	if res.channelType == "hostex_direct" {
		creator = "host@hostgate-sandbox.example"
	}
	total := round2(s.total())
	commission := round2(total * hostexCommission[res.channelType])
	return map[string]any{
		"reservation_code": res.code, "stay_code": res.code, "channel_id": res.channelID,
		"property_id": res.prop.ID, "channel_type": res.channelType, "listing_id": res.prop.listing(res.channelType),
		"check_in_date": s.checkIn.Format(dateLayout), "check_out_date": s.checkOut().Format(dateLayout),
		"number_of_guests": s.guests(), "number_of_adults": s.adults, "number_of_children": s.children,
		"number_of_infants": 0, "number_of_pets": s.pets, "status": res.status(), "stay_status": stayStatus,
		"guest_name": s.name(), "guest_phone": s.phone, "guest_email": s.email(),
		"guests":       []hostexGuest{{Name: s.name(), Phone: s.phone, Email: s.email(), IsBooker: true}},
		"cancelled_at": cancelled, "booked_at": hostexTime(s.bookedAt), "created_at": hostexTime(s.bookedAt),
		"creator": creator, "conversation_id": conv, "tags": []string{}, "remarks": res.remarks, "channel_remarks": "",
		"in_reservation_box": false,
		// One stay per booking, so the stay's rate is the order's [C: rates.rate is the stay's,
		// rates.total_rate the whole order's].
		"rates": map[string]any{
			"total_rate":       hostexMoney{"USD", total},
			"total_commission": hostexMoney{"USD", commission},
			"rate":             hostexMoney{"USD", total},
			"commission":       hostexMoney{"USD", commission},
			"details": []hostexRateDetail{
				{"ACCOMMODATION", "Room revenue", "USD", round2(s.nightly * float64(s.nights))},
				{"CLEANING_FEE", "Cleaning fee", "USD", 85},
			},
		},
		"check_in_details": res.checkIn.render(),
	}
}

// render is the check_in_details object; unset members are null [C].
func (c hostexCheckIn) render() map[string]any {
	out := map[string]any{"arrival_at": nil, "departure_at": nil, "lock_code": nil}
	if c.arrival != nil {
		out["arrival_at"] = *c.arrival
	}
	if c.departure != nil {
		out["departure_at"] = *c.departure
	}
	if c.lockCode != nil {
		out["lock_code"] = *c.lockCode
	}
	if c.lockVisibleAfter != nil {
		out["lock_code_visible_after"] = *c.lockVisibleAfter
	}
	if c.deposit != nil {
		out["deposit"] = *c.deposit
	}
	return out
}
