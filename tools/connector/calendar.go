package connector

import (
	"fmt"
	"math"
	"time"
)

// The window of a calendar read: DefaultCalendarDays when the caller names
// no end, at most MaxCalendarDays (a range every vendor's calendar
// endpoint accepts; that Hostex's listing calendar takes a year is [I]).
const (
	DefaultCalendarDays = 30
	MaxCalendarDays     = 366
)

// MaxChangeNights bounds one calendar change. No vendor documents a bound
// of its own on the nights of one request [I]; a year keeps one mistaken
// call from rewriting a whole calendar.
const MaxChangeNights = 366

// Nights checks a calendar change before any vendor is called and returns
// its first and last night. A vendor adds its own limits (whole prices,
// how far ahead) after it. "Today" is the vendor's to judge in the
// property's time zone, which may be behind UTC, so a change may start on
// yesterday's UTC date. The problem text suits an APIError's Code.
func (c CalendarChange) Nights(now time.Time) (from, to time.Time, problem string) {
	switch {
	case c.Available == nil && c.Price == nil && c.MinStay == nil:
		return from, to, "nothing to change: set available, price or min_stay"
	case c.Range.From == "":
		return from, to, "the change needs the first night (from)"
	case !ValidDate(c.Range.From) || !ValidDate(c.Range.To):
		return from, to, "dates must be YYYY-MM-DD"
	case c.MinStay != nil && (*c.MinStay < 1 || *c.MinStay > math.MaxInt32):
		return from, to, "min_stay must be at least 1 night"
	case c.Price != nil && (!(c.Price.Amount > 0) || math.IsInf(c.Price.Amount, 0)):
		return from, to, "the price must be a positive amount"
	}
	from, _ = time.Parse(time.DateOnly, c.Range.From)
	to = from
	if c.Range.To != "" {
		to, _ = time.Parse(time.DateOnly, c.Range.To)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case to.Before(from):
		return from, to, "the range ends before it starts"
	case from.Before(today.AddDate(0, 0, -1)):
		return from, to, "nights in the past cannot be changed"
	case to.Sub(from) >= MaxChangeNights*24*time.Hour:
		return from, to, fmt.Sprintf("a change covers at most %d nights", MaxChangeNights)
	}
	return from, to, ""
}
