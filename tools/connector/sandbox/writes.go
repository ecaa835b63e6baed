package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"time"
)

// CalendarWrite is one calendar change a fake accepted, in vendor-neutral terms.
type CalendarWrite struct {
	// Property is the property written: the Hostex property id, the Hospitable property UUID,
	// the Hostaway listing id. For a Hostex listing write it is the property that owns the
	// listing.
	Property string
	// Listing is the channel listing a Hostex price or restriction write named, as
	// "channel_type:listing_id"; "" for every other write.
	Listing string
	// Dates are the nights changed, YYYY-MM-DD, ascending.
	Dates []string
	// Available is set when the write opened (true) or blocked (false) the nights.
	Available *bool
	// Price is set when the write set the nightly price, in the major unit of the property's
	// currency (dollars, euros), whatever unit the vendor's wire uses.
	Price *float64
	// MinStay is set when the write set the minimum stay, in nights.
	MinStay *int
	// At is the fake's clock when the write was accepted.
	At time.Time
}

// ReviewReply is a host's public reply to a review that a fake accepted.
type ReviewReply struct {
	// ReviewID names the review as the vendor's reply endpoint does: the Hostex reservation
	// code, the Hospitable review UUID.
	ReviewID string
	// Text is the reply.
	Text string
	// At is the fake's clock when the reply was accepted.
	At time.Time
}

// CalendarWrites returns, in order of acceptance, the calendar changes the vendor accepted: one
// per accepted request, or, where one request sets nights differently (Hospitable takes a value
// per date), one per group of nights set alike.
func (v *Vendor) CalendarWrites() []CalendarWrite {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]CalendarWrite, len(v.calWrites))
	for i, w := range v.calWrites {
		w.Dates = slices.Clone(w.Dates)
		out[i] = w
	}
	return out
}

// ReviewReplies returns, in order of acceptance, the review replies the vendor accepted.
func (v *Vendor) ReviewReplies() []ReviewReply {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.replies)
}

// nightSet is what the host last set on one night; nil fields were never set.
type nightSet struct {
	available *bool
	price     *float64
	minStay   *int
}

// calendarState holds the host's writes per calendar key (a property or a channel listing) and
// date. Guarded by Vendor.mu.
type calendarState map[string]map[string]nightSet

// at returns what was set on night d of key.
func (c calendarState) at(key string, d time.Time) nightSet {
	return c[key][d.Format(dateLayout)]
}

// recordWrite applies an accepted write under key and logs it; the caller holds Vendor.mu.
func (v *Vendor) recordWrite(key string, w CalendarWrite) {
	days := v.cal[key]
	if days == nil {
		days = map[string]nightSet{}
		v.cal[key] = days
	}
	for _, d := range w.Dates {
		n := days[d]
		if w.Available != nil {
			n.available = ptr(*w.Available)
		}
		if w.Price != nil {
			n.price = ptr(*w.Price)
		}
		if w.MinStay != nil {
			n.minStay = ptr(*w.MinStay)
		}
		days[d] = n
	}
	v.calWrites = append(v.calWrites, w)
}

// recordReply logs an accepted reply; the caller holds Vendor.mu.
func (v *Vendor) recordReply(reviewID, text string, at time.Time) {
	v.replies = append(v.replies, ReviewReply{ReviewID: reviewID, Text: text, At: at})
}

func ptr[T any](v T) *T { return &v }

// nightOpen decides whether a night is open: never under a stay; else as the host last set
// it; else open unless the seed blocked it. hostBlocked reports a block the host made or
// kept.
func nightOpen(booked, seedBlocked bool, set nightSet) (open, hostBlocked bool) {
	switch {
	case booked:
		return false, false
	case set.available != nil:
		return *set.available, !*set.available
	}
	return !seedBlocked, seedBlocked
}

// nightsBetween lists the dates from start to end, both included.
func nightsBetween(start, end time.Time) []string {
	var out []string
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(dateLayout))
	}
	return out
}

// bodyError says why a JSON request body could not be decoded: wrongType names the field
// whose value had the wrong JSON type ("" when the body was not JSON at all).
type bodyError struct{ wrongType string }

// decodeJSON reads a JSON body into dst. A value of the wrong type for a field is reported with
// the field's path, which the vendors' validators name in their messages; anything else that
// is not JSON is reported without one.
func decodeJSON(body io.Reader, dst any) *bodyError {
	err := json.NewDecoder(body).Decode(dst)
	if err == nil {
		return nil
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		field := ute.Field
		if field == "" {
			field = "body"
		}
		return &bodyError{wrongType: field}
	}
	return &bodyError{}
}
