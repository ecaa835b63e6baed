package sandbox

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// defaultSeed is used when Options.Seed is 0, so the data is deterministic either way.
const defaultSeed = 20260521

// Seeded data uses math/rand/v2 (PCG) on purpose: it must be reproducible. Secrets (tokens,
// codes) come from crypto/rand in tokens.go.
func newRand(seed int64, stream uint64) *rand.Rand {
	if seed == 0 {
		seed = defaultSeed
	}
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// day truncates t to midnight UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

const dateLayout = "2006-01-02"

// seededUUID returns a version-4-shaped UUID drawn from r.
func seededUUID(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// seededCode returns n characters of uppercase letters and digits.
func seededCode(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

var firstNames = []string{"Dana", "Marcus", "Priya", "Tomás", "Aiko", "Jonas", "Chloé", "Samuel",
	"Fatima", "Liam", "Ingrid", "Mateo", "Grace", "Oluwaseun", "Hannah", "Wei", "Elena", "Noah",
	"Zara", "Benjamin"}

var lastNames = []string{"Hughes", "Okafor", "Raman", "García", "Tanaka", "Becker", "Dubois",
	"Whitfield", "Haddad", "O'Connor", "Lindqvist", "Rossi", "Kim", "Adeyemi", "Schultz", "Chen",
	"Petrova", "Silva", "Ahmed", "Novak"}

var channels = []string{"airbnb", "airbnb", "airbnb", "booking", "booking", "vrbo", "direct"}

// stay is the vendor-neutral seed of one booking; each fake renders it in its own shape.
type stay struct {
	checkIn     time.Time // midnight UTC
	nights      int
	adults      int
	children    int
	pets        int
	first, last string
	phone       string
	channel     string // airbnb, booking, vrbo, direct
	status      string // accepted, cancelled, request
	bookedAt    time.Time
	cancelledAt time.Time // zero unless cancelled
	nightly     float64
	code        string // channel confirmation code
	messages    []seedMessage
	review      *seedReview
}

func (s *stay) checkOut() time.Time { return s.checkIn.AddDate(0, 0, s.nights) }
func (s *stay) guests() int         { return s.adults + s.children }
func (s *stay) name() string        { return s.first + " " + s.last }
func (s *stay) total() float64      { return s.nightly*float64(s.nights) + 85 }
func (s *stay) email() string {
	return fmt.Sprintf("%s.%s@guest.example", lower(s.first), lower(s.last))
}

type seedMessage struct {
	fromGuest bool
	body      string
	at        time.Time
}

type seedReview struct {
	score     int // guest's overall rating, 1–5
	text      string
	at        time.Time
	hostText  string // "" = host has not reviewed the guest
	hostAt    time.Time
	reply     string // "" = host has not replied publicly
	replyAt   time.Time
	guestDone bool // false = the guest has not reviewed yet
}

// planStays lays out about six months of bookings for one property around now: back-to-back
// stays with short gaps from ~80 days ago to ~100 days ahead, a few cancelled, one request.
func planStays(r *rand.Rand, now time.Time, nightly float64, property string) []stay {
	today := day(now)
	cursor := today.AddDate(0, 0, -80+r.IntN(5))
	end := today.AddDate(0, 0, 100)
	var out []stay
	requested := false
	for cursor.Before(end) {
		s := stay{
			checkIn:  cursor.AddDate(0, 0, r.IntN(4)),
			nights:   1 + r.IntN(6),
			adults:   1 + r.IntN(3),
			children: r.IntN(3) / 2,
			pets:     r.IntN(8) / 7,
			first:    firstNames[r.IntN(len(firstNames))],
			last:     lastNames[r.IntN(len(lastNames))],
			phone:    fmt.Sprintf("+1555%07d", r.IntN(10_000_000)),
			channel:  channels[r.IntN(len(channels))],
			status:   "accepted",
			nightly:  nightly + float64(r.IntN(40)) - 20,
			code:     "HM" + seededCode(r, 8),
		}
		s.bookedAt = s.checkIn.AddDate(0, 0, -3-r.IntN(60)).Add(time.Duration(8+r.IntN(12))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
		if !s.bookedAt.Before(now) {
			// Far-future stays were booked some time in the last few weeks.
			s.bookedAt = now.Add(-time.Duration(2+r.IntN(24*30)) * time.Hour).Truncate(time.Minute)
		}
		switch {
		case r.IntN(10) == 0:
			s.status = "cancelled"
			s.cancelledAt = s.bookedAt.Add(time.Duration(1+r.IntN(72)) * time.Hour)
			if !s.cancelledAt.Before(now) {
				s.cancelledAt = now.Add(-time.Hour)
			}
		case !requested && s.checkIn.After(today.AddDate(0, 0, 20)) && r.IntN(3) == 0:
			s.status = "request"
			requested = true
		}
		s.messages = planMessages(r, now, &s, property)
		s.review = planReview(r, now, &s)
		out = append(out, s)
		cursor = s.checkOut()
	}
	return out
}

// bulkStay is one Options.Bulk reservation: its ordinal n (unique within a fake), the index of
// its property, and its stay, allocated on its own so that pointers to it stay valid.
type bulkStay struct {
	n, prop int
	s       *stay
}

// planBulk lays out the Options.Bulk reservations over properties whose nightly base prices are
// bases. It draws nothing from a seeded generator, so the normal seed is the same with or
// without it. Codes start "HM0", which no seeded code does (their alphabet has no 0).
func planBulk(n int, now time.Time, bases []float64) []bulkStay {
	if n <= 0 || len(bases) == 0 {
		return nil
	}
	today := day(now)
	out := make([]bulkStay, n)
	for i := range out {
		p := i % len(bases)
		out[i] = bulkStay{n: i, prop: p, s: &stay{
			checkIn:  today.AddDate(0, 0, i*30/n),
			nights:   1 + i%5,
			adults:   1 + i%3,
			first:    firstNames[i%len(firstNames)],
			last:     fmt.Sprintf("Bulk%05d", i+1),
			phone:    fmt.Sprintf("+1555%07d", i%10_000_000),
			channel:  channels[i%len(channels)],
			status:   "accepted",
			nightly:  bases[p],
			code:     fmt.Sprintf("HM0%07d", i+1),
			bookedAt: now.Add(-time.Duration(1+i%(24*30)) * time.Hour).Truncate(time.Minute),
		}}
	}
	return out
}

// planMessages writes a short guest thread for bookings near now; none for the distant ones.
func planMessages(r *rand.Rand, now time.Time, s *stay, property string) []seedMessage {
	today := day(now)
	if s.checkIn.Before(today.AddDate(0, 0, -30)) || s.checkIn.After(today.AddDate(0, 0, 60)) {
		return nil
	}
	t := s.bookedAt.Add(time.Duration(5+r.IntN(30)) * time.Minute)
	all := []seedMessage{
		{true, fmt.Sprintf("Hi! We're really looking forward to staying at %s. Is early check-in possible?", property), t},
		{false, fmt.Sprintf("Hi %s, thanks for booking! Check-in is from 4pm; I'll let you know the day before if the place is ready earlier.", s.first), t.Add(time.Duration(20+r.IntN(90)) * time.Minute)},
	}
	if s.status == "request" {
		all = all[:1]
		all[0].body = fmt.Sprintf("Hello, is %s available for our dates? We are %d adults.", property, s.adults)
	}
	if s.status == "accepted" {
		eve := s.checkIn.Add(-6 * time.Hour) // 18:00 UTC the day before
		all = append(all,
			seedMessage{true, "Could you send the door code and parking instructions?", eve},
			seedMessage{false, "Of course! The lock code arrives by message on the morning of check-in, and street parking is free after 6pm.", eve.Add(time.Duration(10+r.IntN(40)) * time.Minute)},
		)
	}
	var out []seedMessage
	for _, m := range all {
		if m.at.Before(now) {
			out = append(out, m)
		}
	}
	return out
}

var reviewTexts = []string{
	"Spotless, quiet and exactly as pictured. Would stay again.",
	"Great location and a very responsive host. The bed was super comfortable.",
	"Lovely place, though the Wi-Fi was a little slow in the evenings.",
	"Perfect for a weekend away. Check-in instructions were clear.",
	"Good value. The kitchen had everything we needed.",
	"Nice stay overall, but street noise kept us up one night.",
}

// planReview seeds reviews for finished, accepted stays.
func planReview(r *rand.Rand, now time.Time, s *stay) *seedReview {
	if s.status != "accepted" || !s.checkOut().Before(day(now)) {
		return nil
	}
	rv := &seedReview{score: 3 + r.IntN(3), text: reviewTexts[r.IntN(len(reviewTexts))]}
	rv.at = s.checkOut().Add(time.Duration(24+r.IntN(96)) * time.Hour)
	rv.guestDone = rv.at.Before(now) && r.IntN(7) != 0
	if r.IntN(10) != 0 {
		rv.hostAt = s.checkOut().Add(time.Duration(10+r.IntN(30)) * time.Hour)
		if rv.hostAt.Before(now) {
			rv.hostText = fmt.Sprintf("%s was a wonderful guest: clear communication and left the place tidy.", s.first)
		}
	}
	if rv.guestDone && r.IntN(5) < 2 {
		rv.replyAt = rv.at.Add(time.Duration(2+r.IntN(40)) * time.Hour)
		if rv.replyAt.Before(now) {
			rv.reply = fmt.Sprintf("Thank you %s, it was a pleasure hosting you!", s.first)
		}
	}
	return rv
}

// occupied reports the stay (not cancelled) that covers night d, if any.
func occupied(stays []stay, d time.Time) *stay {
	for i := range stays {
		s := &stays[i]
		if s.status != "cancelled" && !d.Before(s.checkIn) && d.Before(s.checkOut()) {
			return s
		}
	}
	return nil
}

// ownerBlocked marks a few deterministic nights per property as blocked by the host.
func ownerBlocked(stays []stay, d time.Time, salt int) bool {
	return occupied(stays, d) == nil && (d.YearDay()+salt)%17 == 0
}

// nightlyPrice is the seeded price for a night: weekends cost 20% more.
func nightlyPrice(base float64, d time.Time) float64 {
	if wd := d.Weekday(); wd == time.Friday || wd == time.Saturday {
		return float64(int(base*1.2*100)) / 100
	}
	return base
}

// lower makes an ASCII, lowercase, letters-and-digits version of s for emails and codes.
func lower(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if a, ok := asciiFold[c]; ok {
			c = a
		}
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		}
	}
	return string(out)
}

var asciiFold = map[rune]rune{'á': 'a', 'à': 'a', 'ã': 'a', 'é': 'e', 'è': 'e', 'í': 'i', 'ó': 'o', 'ö': 'o', 'ú': 'u', 'ü': 'u', 'ç': 'c', 'ñ': 'n'}

// parseDate parses YYYY-MM-DD, reporting ok=false when s is empty or malformed.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}
