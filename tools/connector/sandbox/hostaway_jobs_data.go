package sandbox

import (
	"fmt"
	"time"
)

// Hostaway seed for the jobs hosts hand an agent (issue 11): inquiries, guest charges, tasks,
// and the details a host keeps on a stay. All of it is laid out from the clock alone, with no
// draw from the seeded generator, so the rest of the seed is what it was. The stays themselves
// already have what a host's turnover and gap questions need: the plan leaves 0 to 3 nights
// between stays, so each listing has same-day turns and one-night gaps, and the calendar never
// blocks a lone free night between two stays (hostaway_calendar.go).

// hwInquiry is one seeded inquiry or request: a reservation in one of Hostaway's inquiry
// statuses [C: Reservation statuses], which does not block the calendar [C: "inquiry …
// doesn't block the calendar"; I: nor do the others here], so its stay is not the listing's.
type hwInquiry struct {
	listing           int
	status, channel   string
	in, nights        int // check-in, days from today
	adults, pets      int
	first, last, code string
	ago               time.Duration // received this long before now
	messages          []string      // guest first, then host, alternating
}

var hwInquiries = []hwInquiry{
	{41287, "inquiry", "airbnb", 40, 3, 2, 1, "Maren", "Holt", "HMQ8KD4TNX", 3 * time.Hour,
		[]string{"Hi! We're two adults with a small, well-behaved dog. Would Music Row Retreat work for us, and is there a pet fee?"}},
	{43055, "inquiryPreapproved", "airbnb", 52, 4, 3, 0, "Kenji", "Watanabe", "HMW3RZ7PLQ", 26 * time.Hour,
		[]string{"Hello, we're in town for a conference. Is there a desk to work at?",
			"Hi Kenji, yes: a desk and fast Wi-Fi in the second bedroom. I've pre-approved you, so you can book whenever you're ready."}},
	{44912, "unconfirmed", "vrbo", 65, 3, 2, 0, "Lucía", "Ferreira", "4391027734", 5 * time.Hour,
		[]string{"We just sent a booking request for three nights. Could we check in a little early, around 1pm?"}},
	// An inquiry the host let lapse: not an open one.
	{HostawayListingID, "inquiryTimedout", "airbnb", 20, 2, 1, 0, "Owen", "Price", "HMT6YV2CJA", 10 * 24 * time.Hour,
		[]string{"Is the pool heated in winter?"}},
}

// hwUsers are the account's users a task may be assigned to [I: the fake's; Hostaway's are
// read with GET /users].
var hwUsers = []int{3101, 3102, 3103}

// hwCharge is a guest charge [C: Guest charge object].
type hwCharge struct {
	id        int
	res       *hwRes
	kind      string // charge | preAuth
	title     string
	amount    float64
	status    string // paid | awaiting | failed …
	scheduled time.Time
	charged   time.Time // zero unless paid
}

// hwTask is a task [C: Task object], kept as its members so that an update can replace
// them as a PUT of a task object does; guarded by Vendor.mu.
type hwTask struct {
	fields map[string]any
}

// seedJobs adds the inquiries, the host's stay details, guest charges and tasks.
func (h *hostaway) seedJobs(now time.Time) {
	today := day(now)
	// The host's details on each listing's next stay: a door code, its instructions and a
	// guest's note, which a stay update must keep.
	for _, l := range h.listings {
		for _, res := range h.res {
			if res.l == l && res.s.status == "accepted" && res.s.checkIn.After(today) {
				res.edits = map[string]any{
					"doorCode":            "4711",
					"doorCodeVendor":      "Schlage",
					"doorCodeInstruction": "Keypad on the side gate; press the lock button to leave.",
					"guestNote":           "Arriving late, around 10pm.",
					"comment":             "Returning guest.",
				}
				break
			}
		}
	}
	h.seedCharges(now)
	h.seedTasks(now)
	for k, in := range hwInquiries {
		l := h.listing(fmt.Sprint(in.listing))
		at := now.Add(-in.ago).Truncate(time.Minute)
		s := &stay{checkIn: today.AddDate(0, 0, in.in), nights: in.nights, adults: in.adults, pets: in.pets,
			first: in.first, last: in.last, phone: fmt.Sprintf("+1555%07d", 4_200_000+k), channel: in.channel,
			status: in.status, bookedAt: at, nightly: l.price, code: in.code}
		ch := hwChannels[in.channel]
		res := &hwRes{id: 32_500_000 + 17*k, l: l, s: s, channelID: ch.id, channelName: ch.name, code: in.code,
			updatedOn: at, status: in.status}
		c := &hwConv{id: 5_900_000 + 13*k, res: res}
		for i, body := range in.messages {
			c.messages = append(c.messages, hwMessage{id: 95_000_000 + 100*k + i, body: body, incoming: i%2 == 0,
				commType: "channel", at: at.Add(time.Duration(i*40) * time.Minute)})
		}
		res.conv = c
		h.convs = append(h.convs, c)
		h.res = append(h.res, res)
	}
}

// seedCharges charges the direct bookings through Hostaway's payments [I: the split]: half
// when booked and the rest a week before arrival (paid once that day has passed, awaiting
// until then), or all at once when booked within the week; and one failed damage-deposit hold.
func (h *hostaway) seedCharges(now time.Time) {
	id := 7_700_000
	add := func(c *hwCharge) {
		id += 3
		c.id = id
		h.charges = append(h.charges, c)
	}
	failed := false
	for _, res := range h.res {
		s := res.s
		if s.channel != "direct" || s.status != "accepted" {
			continue
		}
		total := round2(s.total())
		paidAt := s.bookedAt.Add(10 * time.Minute)
		balanceAt := s.checkIn.AddDate(0, 0, -7).Add(12 * time.Hour)
		if !balanceAt.After(paidAt.Add(time.Hour)) {
			add(&hwCharge{res: res, kind: "charge", title: "Accommodation payment", amount: total, status: "paid", scheduled: paidAt, charged: paidAt})
			continue
		}
		deposit := round2(total / 2)
		add(&hwCharge{res: res, kind: "charge", title: "Accommodation payment (deposit)", amount: deposit, status: "paid", scheduled: paidAt, charged: paidAt})
		balance := &hwCharge{res: res, kind: "charge", title: "Accommodation payment (balance)", amount: round2(total - deposit), status: "awaiting", scheduled: balanceAt}
		if balanceAt.Before(now) {
			balance.status, balance.charged = "paid", balanceAt
		}
		add(balance)
		if !failed && s.checkOut().Before(now) {
			failed = true
			add(&hwCharge{res: res, kind: "preAuth", title: "Damage deposit", amount: 250, status: "failed", scheduled: s.checkIn.Add(-24 * time.Hour)})
		}
	}
}

// seedTasks gives every stay that ends from a week ago to three weeks on its turnover
// cleaning, from check-out to the listing's check-in hour that day, and Miami a repair.
func (h *hostaway) seedTasks(now time.Time) {
	today := day(now)
	id := 2_400_000
	for li, l := range h.listings {
		loc := hwLocation(l.tz)
		for _, res := range h.res {
			s := res.s
			co := s.checkOut()
			if res.l != l || s.status != "accepted" || co.Before(today.AddDate(0, 0, -7)) || co.After(today.AddDate(0, 0, 21)) {
				continue
			}
			start := time.Date(co.Year(), co.Month(), co.Day(), l.checkOut, 0, 0, 0, loc)
			end := time.Date(co.Year(), co.Month(), co.Day(), l.checkIn, 0, 0, 0, loc)
			status := "pending"
			switch {
			case end.Before(now):
				status = "completed"
			case start.Before(now):
				status = "inProgress"
			case co.Before(today.AddDate(0, 0, 3)):
				status = "confirmed"
			}
			id += 7
			h.tasks = append(h.tasks, &hwTask{fields: hwNewTask(id, map[string]any{
				"listingMapId": l.id, "channelId": res.channelID, "reservationId": res.id,
				"assigneeUserId": hwUsers[li%2], "title": "Turnover cleaning",
				"description":  fmt.Sprintf("Clean and reset after %s (%d guests).", s.name(), s.guests()),
				"canStartFrom": hwTime(start), "shouldEndBy": hwTime(end), "status": status,
				"categoriesMap": []any{1},
			})})
		}
	}
	miami := h.listings[0]
	due := day(now).AddDate(0, 0, 3)
	id += 7
	h.tasks = append(h.tasks, &hwTask{fields: hwNewTask(id, map[string]any{
		"listingMapId": miami.id, "assigneeUserId": hwUsers[2], "title": "Replace the smoke detector batteries",
		"description": "The hallway detector chirps.", "status": "confirmed", "priority": 2, "cost": 25,
		"costCurrency": "USD", "costDescription": "Batteries",
		"shouldEndBy":   hwTime(time.Date(due.Year(), due.Month(), due.Day(), 17, 0, 0, 0, hwLocation(miami.tz))),
		"categoriesMap": []any{2},
	})})
}

// hwNewTask is a task object with every published member [C: Task object], set sets some.
func hwNewTask(id int, set map[string]any) map[string]any {
	t := map[string]any{
		"id": id, "listingMapId": nil, "channelId": nil, "reservationId": nil, "autoTaskId": nil,
		"assigneeUserId": nil, "canBePickedByGroupId": nil, "supervisorUserId": nil, "createdByUserId": hwUsers[0],
		"isUpdatedManually": 0, "checklistTemplateId": nil, "reservationUnitId": 0, "title": "", "description": nil,
		"canStartFrom": nil, "canStartFromEvent": nil, "canStartFromEventDelta": 0,
		"shouldEndBy": nil, "shouldEndByEvent": nil, "shouldEndByEventDelta": 0, "status": "pending",
		"resolutionNote": nil, "feedbackScore": nil, "feedbackNote": nil, "startedAt": nil, "confirmedAt": nil,
		"completedAt": nil, "priority": nil, "cost": nil, "costCurrency": nil, "costDescription": nil, "color": nil,
		"expense": nil, "rank": 0, "checklistItems": []any{}, "customFieldValue": []any{}, "categoriesMap": nil,
	}
	for k, v := range set {
		t[k] = v
	}
	return t
}

// hwLocation is a listing's time zone, UTC when the system does not know it.
func hwLocation(tz string) *time.Location {
	if loc, err := time.LoadLocation(tz); tz != "" && err == nil {
		return loc
	}
	return time.UTC
}

// render builds a guest charge object [C: Guest charge object]: chargeDate is a date, the
// scheduled date a time, and a paid charge carries its one transaction [C: Guest charge
// transaction object].
func (c *hwCharge) render() map[string]any {
	var charged, txs any = nil, []any{}
	if !c.charged.IsZero() {
		charged = c.charged.UTC().Format(dateLayout)
		txs = []any{map[string]any{"id": c.id*10 + 1, "reservationId": c.res.id, "paymentProviderInvoiceId": nil,
			"amount": c.amount, "currency": "USD", "status": "paid", "paymentProvider": "stripe",
			"paymentProviderMessage": "Charged successfully.", "balanceTransactionId": fmt.Sprintf("txn_sandbox%d", c.id)}}
	}
	var captured, release any
	if c.kind == "preAuth" {
		release = hwTime(c.res.s.checkOut().Add(72 * time.Hour))
	}
	trigger, delta := "reservation", 0
	if c.scheduled.After(c.res.s.bookedAt.Add(time.Hour)) {
		trigger, delta = "arrival", -int(c.res.s.checkIn.Sub(c.scheduled).Hours())
	}
	return map[string]any{
		"id": c.id, "listingMapId": c.res.l.id, "reservationId": c.res.id, "autopaymentId": nil, "type": c.kind,
		"title": c.title, "description": c.title + " for " + c.res.s.name(), "currency": "USD",
		"paymentMethod": "credit_card_online", "amount": c.amount, "capturedAmount": captured, "status": c.status,
		"paymentProvider": "stripe", "paymentProviderMessage": nil, "paymentProviderInvoiceId": nil,
		"paymentProviderChargeId": nil, "scheduledDate": hwTime(c.scheduled), "chargeDate": charged,
		"holdReleaseDate": release, "isManual": 0, "autoChargeId": nil, "triggerEvent": trigger,
		"triggerTimeDelta": delta, "flatFee": nil, "percentageFee": nil, "transactions": txs,
	}
}
