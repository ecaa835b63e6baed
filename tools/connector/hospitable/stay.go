package hospitable

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/hostgate/hostgate/tools/connector"
)

// A stay's door code is the one detail of a reservation Hospitable's
// published API lets hostgate set: the smartlock_code enrichable shortcode
// (public.json, "Set an Enrichable Shortcode" [C]: PUT
// /reservations/{uuid}/enrichment/{key} {value}, a string of at most 255
// characters or null; keys guidebook, rental_agreement, smartlock_code and
// upsell; scope enrichment:write, "restricted to Vendors only"). Its value
// fills %smartlock_code% in the host's messaging rules for that stay. The
// API has no host note and no arrival or departure time to write, so
// StayFields names the door code only.

var _ connector.StayUpdater = (*conn)(nil)

// doorCodeKey is the shortcode a door code is [C: the enum's
// smartlock_code].
const doorCodeKey = "smartlock_code"

// maxShortcode is the longest value a shortcode takes [C].
const maxShortcode = 255

// StayFields names the fields UpdateStay takes: the door code.
func (c *conn) StayFields() []string { return []string{connector.StayDoorCode} }

// UpdateStay sets (or, with "", clears: null [C]) the door code of a
// reservation, by its UUID [C: "The UUID of the reservation"]. Hospitable
// takes it only from an approved vendor app holding enrichment:write [C];
// a host's personal access token is refused (403), and the error says so.
// The guest sees the code where the host's messages use %smartlock_code%.
func (c *conn) UpdateStay(ctx context.Context, u connector.StayUpdate) error {
	const op = "update stay"
	switch {
	case !uuidPattern.MatchString(u.ReservationID):
		return badID(op, "reservation")
	case u.HostNote != nil || u.ArrivalTime != nil || u.DepartureTime != nil:
		return connector.Invalid(vendor, op, "Hospitable's API sets only a stay's door code (its smartlock_code shortcode): no host note, arrival or departure time")
	case u.DoorCode == nil:
		return connector.Invalid(vendor, op, "nothing to change")
	case utf8.RuneCountInString(*u.DoorCode) > maxShortcode:
		return connector.Invalid(vendor, op, "a door code has at most 255 characters")
	}
	var value any // null clears the shortcode [C]
	if *u.DoorCode != "" {
		value = *u.DoorCode
	}
	r := connector.Request{Op: op, Method: http.MethodPut, Write: true,
		Path: "/reservations/" + url.PathEscape(u.ReservationID) + "/enrichment/" + doorCodeKey,
		Body: map[string]any{"value": value}}
	// The answer echoes the shortcode [C]; the write is done whatever its
	// shape, so nothing of it is read.
	err := c.Do(ctx, r, nil)
	var ae *connector.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusForbidden {
		ae.Code = "Hospitable takes a stay's door code only from an approved vendor app with the enrichment:write scope, not from a personal access token"
	}
	return err
}
