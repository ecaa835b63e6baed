package connector

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// ValidDate reports whether s is empty or a YYYY-MM-DD date.
func ValidDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// KnownStatus reports whether s is one of the normalized reservation
// statuses (StatusInquiry, ...).
func KnownStatus(s string) bool {
	switch s {
	case StatusInquiry, StatusPending, StatusConfirmed, StatusCancelled, StatusDeclined, StatusOther:
		return true
	}
	return false
}

// Problem says what is wrong with the query before any vendor is called —
// a date that is not YYYY-MM-DD, a status that is not a normalized one — or
// "" when nothing is. The text suits an APIError's Code.
func (q ReservationQuery) Problem() string {
	switch {
	case !ValidDate(q.Range.From) || !ValidDate(q.Range.To):
		return "dates must be YYYY-MM-DD"
	case q.Status != "" && !KnownStatus(q.Status):
		return "unknown status " + q.Status
	}
	return ""
}

// SetRange puts the query's date range into v under a vendor's parameter
// names: checkIn's from and to names, or checkOut's when the range is of
// check-out dates. An empty end is left out.
func (q ReservationQuery) SetRange(v url.Values, checkIn, checkOut [2]string) {
	names := checkIn
	if q.ByCheckOut {
		names = checkOut
	}
	if q.Range.From != "" {
		v.Set(names[0], q.Range.From)
	}
	if q.Range.To != "" {
		v.Set(names[1], q.Range.To)
	}
}

// Window resolves r for a calendar read at now: an empty From is now's UTC
// date, and an empty To makes the window defaultDays days long. Both ends
// are included. It fails when a date is not YYYY-MM-DD, when the range ends
// before it starts, or when it covers more than maxDays days; the error's
// text suits an APIError's Code.
func (r DateRange) Window(now time.Time, defaultDays, maxDays int) (from, to string, err error) {
	if !ValidDate(r.From) || !ValidDate(r.To) {
		return "", "", errors.New("dates must be YYYY-MM-DD")
	}
	start := now.UTC().Truncate(24 * time.Hour)
	if r.From != "" {
		start, _ = time.Parse(time.DateOnly, r.From)
	}
	end := start.AddDate(0, 0, defaultDays-1)
	if r.To != "" {
		end, _ = time.Parse(time.DateOnly, r.To)
	}
	switch {
	case end.Before(start):
		return "", "", errors.New("the range ends before it starts")
	case end.Sub(start) >= time.Duration(maxDays)*24*time.Hour:
		return "", "", fmt.Errorf("a calendar range is at most %d days", maxDays)
	}
	return start.Format(time.DateOnly), end.Format(time.DateOnly), nil
}
