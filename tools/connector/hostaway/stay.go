package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// A stay's details live on the reservation object: hostNote, doorCode and
// checkInTime/checkOutTime, the expected arrival and departure, each a
// whole hour [C: Reservation object]. They change through PUT
// /v1/reservations/{id}, which takes "a reservation object" [C: Update a
// reservation] and does not say whether a member left out is kept or
// cleared. So the client reads the reservation first and sends back every
// member of the reference's own update example as it read it, with the
// host's change applied: whichever way Hostaway reads a PUT, nothing the
// host set is dropped. Left out are the members the update example does
// not send (status, channel, fees: Hostaway's to keep) and the guest
// verification flags it deprecated [C: Changelog, 2025-08-07].
var stayMembers = []string{
	"listingMapId", "isManuallyChecked",
	"guestName", "guestFirstName", "guestLastName", "guestZipCode", "guestAddress", "guestCity", "guestCountry",
	"guestEmail", "guestPicture", "guestRecommendations", "guestTrips", "guestWork",
	"numberOfGuests", "adults", "children", "infants", "pets",
	"arrivalDate", "departureDate", "checkInTime", "checkOutTime", "phone",
	"totalPrice", "taxAmount", "channelCommissionAmount", "cleaningFee", "securityDepositFee", "isPaid", "currency",
	"hostNote", "guestNote", "guestLocale", "doorCode", "doorCodeVendor", "doorCodeInstruction", "comment",
	"airbnbExpectedPayoutAmount", "airbnbListingBasePrice", "airbnbListingCancellationHostFee",
	"airbnbListingCancellationPayout", "airbnbListingCleaningFee", "airbnbListingHostFee", "airbnbListingSecurityPrice",
	"airbnbOccupancyTaxAmountPaidToHost", "airbnbTotalPaidAmount", "airbnbTransientOccupancyTaxPaidAmount",
	"airbnbCancellationPolicy", "customerUserId", "customFieldValues",
}

// StayFields names the StayUpdate fields Hostaway keeps on a reservation.
func (h *Connector) StayFields() []string {
	return []string{connector.StayHostNote, connector.StayDoorCode, connector.StayArrivalTime, connector.StayDepartureTime}
}

// maxNote bounds a note or door code hostgate writes [I: the reference
// gives no length].
const maxNote = 5000

// UpdateStay changes a reservation's host note, door code and expected
// arrival and departure hours. It reads the reservation (GET
// /v1/reservations/{id}?includeResources=1, so that its custom field
// values come along [C: Reservation object]) and sends it back with the
// change (see stayMembers). An empty string clears a field (null). Times
// are whole hours, HH:00, read as the property's local time like a
// listing's check-in hours [I: the reference types them int and does not
// name their zone]. The write is not retried once sent.
func (h *Connector) UpdateStay(ctx context.Context, u connector.StayUpdate) error {
	const op = "update stay"
	id, err := ownID(u.ReservationID)
	if err != nil {
		return err
	}
	set := map[string]json.RawMessage{}
	for _, f := range []struct {
		name string
		v    *string
	}{{"hostNote", u.HostNote}, {"doorCode", u.DoorCode}} {
		if f.v == nil {
			continue
		}
		if len(*f.v) > maxNote {
			return connector.Invalid(Vendor, op, fmt.Sprintf("%s is longer than %d characters", f.name, maxNote))
		}
		set[f.name] = nullable(*f.v)
	}
	for _, f := range []struct {
		name, what string
		v          *string
	}{{"checkInTime", "the arrival time", u.ArrivalTime}, {"checkOutTime", "the departure time", u.DepartureTime}} {
		if f.v == nil {
			continue
		}
		hour, ok := wholeHour(*f.v)
		if !ok {
			return connector.Invalid(Vendor, op, f.what+" must be a whole hour, HH:00 (Hostaway keeps a stay's times in hours)")
		}
		set[f.name] = hour
	}
	if len(set) == 0 {
		return connector.Invalid(Vendor, op, "nothing to change")
	}
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations/" + id,
		Query: url.Values{"includeResources": {"1"}}})
	if err != nil {
		return err
	}
	var read map[string]json.RawMessage
	if json.Unmarshal(env.Result, &read) != nil || !readableReservation(env.Result) {
		return badResult(op)
	}
	body := make(map[string]json.RawMessage, len(stayMembers))
	for _, name := range stayMembers {
		if v, ok := read[name]; ok {
			body[name] = v
		}
	}
	if cf, ok := body["customFieldValues"]; ok {
		body["customFieldValues"] = customFields(cf)
	}
	for k, v := range set {
		body[k] = v
	}
	// Hostaway has made the change once it answers success; its echo is
	// not read, so that an answer of another shape is not reported as a
	// failed write the model might repeat.
	_, err = h.do(ctx, connector.Request{Op: op, Method: http.MethodPut, Path: "/reservations/" + id, Body: body, Write: true})
	return err
}

// readableReservation says whether a result is a reservation hostgate
// can write back: one with its id, listing and dates.
func readableReservation(raw json.RawMessage) bool {
	var r reservation
	return json.Unmarshal(raw, &r) == nil && r.readable()
}

// customFields keeps of each custom field value the two members a
// reservation update sends, customFieldId and value [C: Update a
// reservation's example]; the field's own description, which the read may
// carry along, is not the reservation's to send.
func customFields(raw json.RawMessage) json.RawMessage {
	var items []struct {
		ID    json.RawMessage `json:"customFieldId"`
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(raw, &items) != nil || items == nil {
		return raw
	}
	out := make([]map[string]json.RawMessage, 0, len(items))
	for _, it := range items {
		if len(it.ID) == 0 {
			continue
		}
		v := it.Value
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		out = append(out, map[string]json.RawMessage{"customFieldId": it.ID, "value": v})
	}
	b, _ := json.Marshal(out) // raw messages that decoded once encode again
	return b
}

// nullable is s as JSON, or null when it is empty (a cleared field).
func nullable(s string) json.RawMessage {
	if strings.TrimSpace(s) == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// wholeHour reads "HH:MM" as Hostaway's hour 0-23, or "" as null; ok is
// false for a time that is not on the hour.
func wholeHour(s string) (json.RawMessage, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return json.RawMessage("null"), true
	}
	hh, mm, found := strings.Cut(s, ":")
	n, err := strconv.Atoi(hh)
	if !found || err != nil || len(hh) != 2 || n < 0 || n > 23 || strings.TrimSuffix(mm, ":00") != "00" {
		return nil, false
	}
	return json.RawMessage(strconv.Itoa(n)), true
}
