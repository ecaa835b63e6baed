package sandbox

import (
	"strconv"
	"time"
)

// The Hostex seed's fixed stays for the jobs hosts hand an agent (turnovers, gap nights,
// inquiries). They are the same for every Seed, dated in days after the UTC date of
// Options.Now, and come after every planned stay (those check out by day 108), so they change
// none of the planned ones.
const (
	// HostexSameDayTurn is the day on which a stay of HostexPropertyID checks out and the next
	// one checks in.
	HostexSameDayTurn = 113
	// HostexOpenGapNight is the one open night of HostexPropertyID between two stays: the stay
	// before checks out that day and the one after checks in the next; the calendar has it
	// available, with reserved nights on both sides.
	HostexOpenGapNight = 115
	// HostexInquiryConversationID is the conversation of a guest's inquiry that no reservation
	// followed (its activity_type is "inquiry"), about property 12590331.
	HostexInquiryConversationID = "1299001"
	// HostexAwaitingPaymentCode is the reservation code of a booking request awaiting the
	// guest's payment (status wait_pay), at property 12304518, with a conversation.
	HostexAwaitingPaymentCode = "0-4300000104-jobs04"
	// HostexAwaitingAcceptanceCode is the reservation code of a booking request awaiting the
	// host's acceptance (status wait_accept), at property 12377702, with a conversation.
	HostexAwaitingAcceptanceCode = "0-HMJOBS0005-jobs05"
)

// hostexJob is one fixed stay with its Hostex identifiers.
type hostexJob struct {
	s         stay
	code      string
	channelID string
	waitPay   bool
	convID    string // "" = no conversation
}

// hostexJobStays returns the fixed stays of the property with this id, laid out from now's
// UTC date. They draw nothing from the seeded generator.
func hostexJobStays(propID int, now time.Time) []hostexJob {
	today := day(now)
	at := func(d int) time.Time { return today.AddDate(0, 0, d) }
	ago := func(hours int) time.Time { return now.Add(-time.Duration(hours) * time.Hour).Truncate(time.Minute) }
	guest := func(first, last, phone, channel string, adults int) stay {
		return stay{first: first, last: last, phone: phone, channel: channel, adults: adults, status: "accepted"}
	}
	var out []hostexJob
	add := func(j hostexJob, checkIn, nights int, nightly float64, booked int) {
		j.s.checkIn, j.s.nights, j.s.nightly, j.s.bookedAt = at(checkIn), nights, nightly, ago(booked)
		out = append(out, j)
	}
	switch propID {
	case HostexPropertyID:
		// A same-day turn on HostexSameDayTurn, then one open night, HostexOpenGapNight.
		a := hostexJob{s: guest("Nadia", "Brooks", "+15550100201", "airbnb", 2), code: "0-HMJOBS0001-jobs01", channelID: "HMJOBS0001"}
		a.s.code = "HMJOBS0001"
		add(a, HostexSameDayTurn-3, 3, 189, 400)
		add(hostexJob{s: guest("Tobias", "Wren", "+15550100202", "booking", 3), code: "0-4300000102-jobs02", channelID: "4300000102"},
			HostexSameDayTurn, HostexOpenGapNight-HostexSameDayTurn, 199, 300)
		add(hostexJob{s: guest("Ines", "Carvalho", "+15550100203", "direct", 2), code: "0-DJ0000103-jobs03", channelID: "DJ0000103"},
			HostexOpenGapNight+1, 4, 179, 200)
	case 12304518:
		j := hostexJob{s: guest("Omar", "Lindgren", "+15550100204", "booking", 2), code: HostexAwaitingPaymentCode,
			channelID: "4300000104", waitPay: true, convID: "1299002"}
		j.s.status = "request"
		j.s.messages = []seedMessage{{true, "We sent the booking request for Zilker Bungalow. How do we pay?", ago(5)}}
		add(j, 112, 3, 215, 6)
	case 12377702:
		j := hostexJob{s: guest("Yara", "Haddad", "+15550100205", "airbnb", 2), code: HostexAwaitingAcceptanceCode,
			channelID: "HMJOBS0005", convID: "1299003"}
		j.s.status, j.s.code = "request", "HMJOBS0005"
		j.s.messages = []seedMessage{{true, "Hello! We'd love to book LoDo Skyline Flat; we arrive late, around 11pm. Is that all right?", ago(9)}}
		add(j, 111, 2, 164, 10)
	}
	return out
}

// addJob adds a fixed stay's reservation, and its conversation when it has one.
func (h *hostex) addJob(p *hostexProperty, s *stay, j hostexJob) {
	res := newHostexRes(p, s)
	res.code, res.channelID, res.waitPay, res.convID = j.code, j.channelID, j.waitPay, j.convID
	h.res = append(h.res, res)
	if j.convID != "" {
		h.convs = append(h.convs, &hostexConv{id: j.convID, res: res, messages: jobMessages(j.convID, s.messages)})
	}
}

// hostexInquiry is a guest's inquiry that no reservation followed: it exists only as a
// conversation [C: a conversation's activity_type is "inquiry" or "reservation"].
type hostexInquiry struct {
	prop        *hostexProperty
	channelType string
	checkIn     time.Time
	nights      int
	guest       hostexGuest
	at          time.Time
}

// addInquiry seeds the conversation HostexInquiryConversationID.
func (h *hostex) addInquiry(now time.Time) {
	p := h.property("12590331")
	at := now.Add(-3 * time.Hour).Truncate(time.Minute)
	inq := &hostexInquiry{prop: p, channelType: "airbnb", checkIn: day(now).AddDate(0, 0, 118), nights: 3, at: at,
		guest: hostexGuest{Name: "Keiko Sato", Phone: "+15550100206", Email: "keiko.sato@guest.example"}}
	msgs := []seedMessage{{true, "Hi! Is Jones Street Carriage House free for three nights? We are two adults and a baby.", at}}
	h.convs = append(h.convs, &hostexConv{id: HostexInquiryConversationID, inq: inq, messages: jobMessages(HostexInquiryConversationID, msgs)})
}

// jobMessages renders a fixed conversation's messages with ids derived from its own.
func jobMessages(convID string, msgs []seedMessage) []hostexMessage {
	out := make([]hostexMessage, 0, len(msgs))
	for i, m := range msgs {
		role := "host"
		if m.fromGuest {
			role = "guest"
		}
		out = append(out, hostexMessage{ID: convID + "0" + strconv.Itoa(i+1), SenderRole: role, DisplayType: "Text",
			Content: m.body, CreatedAt: hostexTime(m.at), at: m.at})
	}
	return out
}

// ownerBlocked is the seed's host block of a night (seed.go), except on the open night between
// the fixed stays, which stays open whatever the date.
func (h *hostex) ownerBlocked(p *hostexProperty, d time.Time) bool {
	if p.ID == HostexPropertyID && d.Equal(h.openNight) {
		return false
	}
	return ownerBlocked(p.stays, d, p.ID)
}
