package hostex

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/tools/connector"
)

// maxRemarks is the longest host note Hostex takes: remarks has
// maxLength 500 [C: PATCH /reservations/{reservation_code}].
const maxRemarks = 500

var _ connector.StayUpdater = (*conn)(nil)

// StayFields are what Hostex lets the host change on a stay: the
// reservation's remarks (the host's note in the Hostex portal [C]) and
// the stay's check-in details, its lock code and expected arrival and
// departure times [C].
func (c *conn) StayFields() []string {
	return []string{connector.StayHostNote, connector.StayDoorCode, connector.StayArrivalTime, connector.StayDepartureTime}
}

// UpdateStay changes a reservation's details through up to two calls,
// each only when the update asks for it (Hostex OpenAPI v3, Reservations
// [C]): PATCH /reservations/{reservation_code} {remarks} sets the host's
// note, and PATCH /reservations/{stay_code}/check_in_details {lock_code,
// arrival_at, departure_at} the door code and times, where null removes
// one and a time is {hour, minute}. The check-in details belong to a
// stay, not to the reservation: hostgate names a reservation by its code,
// so it looks the stay up first and refuses, before writing anything, a
// reservation of several stays (several rooms), whose stays it cannot
// tell apart. Hostex answers each with the bare envelope [C]. Nothing is
// retried once sent; when the second call fails, the error says Hostex
// had already accepted the note.
func (c *conn) UpdateStay(ctx context.Context, u connector.StayUpdate) error {
	const op = "update stay"
	code := u.ReservationID
	if code == "" || strings.ContainsAny(code, "/?#") {
		return connector.Invalid(vendor, op, "bad reservation id (a Hostex reservation code)")
	}
	if u.HostNote == nil && u.DoorCode == nil && u.ArrivalTime == nil && u.DepartureTime == nil {
		return connector.Invalid(vendor, op, "nothing to change")
	}
	if u.HostNote != nil && utf8.RuneCountInString(*u.HostNote) > maxRemarks {
		return connector.Invalid(vendor, op, fmt.Sprintf("Hostex keeps a note of at most %d characters", maxRemarks))
	}
	details := map[string]any{}
	if u.DoorCode != nil {
		details["lock_code"] = nullIfEmpty(*u.DoorCode)
	}
	for _, t := range []struct {
		member string
		value  *string
	}{{"arrival_at", u.ArrivalTime}, {"departure_at", u.DepartureTime}} {
		if t.value == nil {
			continue
		}
		clock, err := clockOf(*t.value)
		if err != nil {
			return connector.Invalid(vendor, op, err.Error())
		}
		details[t.member] = clock
	}
	var stay string
	if len(details) > 0 {
		var err error
		if stay, err = c.stayCode(ctx, op, code); err != nil {
			return err
		}
	}
	note := false
	if u.HostNote != nil {
		r := connector.Request{Op: op, Method: http.MethodPatch, Path: "/reservations/" + url.PathEscape(code),
			Body: map[string]string{"remarks": *u.HostNote}, Write: true}
		if err := c.Do(ctx, r, nil); err != nil {
			return err
		}
		note = true
	}
	if len(details) > 0 {
		r := connector.Request{Op: op, Method: http.MethodPatch, Path: "/reservations/" + url.PathEscape(stay) + "/check_in_details",
			Body: details, Write: true}
		if err := c.Do(ctx, r, nil); err != nil {
			if note {
				return fmt.Errorf("%w; Hostex had already accepted the host note", err)
			}
			return err
		}
	}
	return nil
}

// nullIfEmpty is a value to send, or null to remove it: "Set to null to
// remove the lock code" [C].
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// clockOf turns "HH:MM" into Hostex's {hour, minute} (hour 0–23, minute
// 0–59 [C]); "" is null, which removes the time [C].
func clockOf(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return nil, fmt.Errorf("a time is HH:MM, 24-hour (e.g. 15:30), not %q", s)
	}
	return map[string]int{"hour": t.Hour(), "minute": t.Minute()}, nil
}

// stayCode finds the one stay of a reservation: its stays share the
// reservation code, and one has the reservation code as its stay code
// only when it is alone [C: GET /reservations, stay_code].
func (c *conn) stayCode(ctx context.Context, op, code string) (string, error) {
	var data struct {
		Reservations []wireReservation `json:"reservations"`
	}
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations",
		Query: url.Values{"reservation_code": {code}, "offset": {"0"}, "limit": {strconv.Itoa(maxPageSize)}}}
	if err := c.read(ctx, r, &data, "reservations"); err != nil {
		return "", err
	}
	if err := whole(op, "a reservation", data.Reservations); err != nil {
		return "", err
	}
	var stays []string
	for _, res := range data.Reservations {
		if res.ReservationCode == code {
			stays = append(stays, res.StayCode)
		}
	}
	switch {
	case len(stays) == 0:
		return "", connector.NotFound(vendor, op, "no reservation "+code)
	case len(stays) > 1:
		return "", connector.Invalid(vendor, op, fmt.Sprintf("this Hostex reservation has %d stays (rooms), each with its own check-in details; "+
			"hostgate cannot tell them apart, so ask the host to set the door code and times in Hostex", len(stays)))
	case stays[0] == "" || strings.ContainsAny(stays[0], "/?#"):
		return "", malformed(op, "a reservation without a usable stay_code")
	}
	return stays[0], nil
}
