package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Hostex's write endpoints (OpenAPI v3 [C]): POST /availabilities, POST /listings/prices,
// POST /listings/restrictions and POST /reviews/{reservation_code}. Every one needs a writable
// token: a read-only personal token gets error_code 401 "Not authorized for this action" [C].
// Hostex answers the calendar writes with the bare envelope and applies them asynchronously
// [C]; the fake applies them at once [I].

// hostexChannelParams is the spec's ChannelTypeParam, the channel types the listing endpoints
// take [C]. hostex_direct, a reservation channel, is not among them.
var hostexChannelParams = []string{"airbnb", "booking.com", "agoda", "expedia", "vrbo", "trip.com",
	"booking_site", "tujia_intl", "houfy"}

// writable refuses a read-only token the way Hostex does [C].
func (h *hostex) writable(w http.ResponseWriter, c hostexCaller) bool {
	if !c.writable {
		h.envelope(w, 401, "Not authorized for this action", nil)
	}
	return c.writable
}

// bodyFailed answers a body that did not decode: 422 naming a field of the wrong type (Hostex's
// validation code, whose error_msg names the field [C]), else 400.
func (h *hostex) bodyFailed(w http.ResponseWriter, e *bodyError) {
	if e.wrongType != "" {
		h.envelope(w, 422, "The "+e.wrongType+" field has an invalid type.", nil)
		return
	}
	h.envelope(w, 400, "Malformed JSON body.", nil)
}

// writeDate checks one date of a calendar write: today or later [C: "must be either the current
// date or a future date"] and within three years [C].
func (h *hostex) writeDate(w http.ResponseWriter, field, s string) (time.Time, bool) {
	d, ok := parseDate(s)
	today := day(h.v.now())
	switch {
	case !ok:
		h.envelope(w, 422, "The "+field+" is not a valid date (YYYY-MM-DD).", nil)
	case d.Before(today):
		h.envelope(w, 422, "The "+field+" must be a date after or equal to today.", nil)
	case d.After(today.AddDate(3, 0, 0)):
		h.envelope(w, 422, "The "+field+" must be within 3 years from now.", nil)
	default:
		return d, true
	}
	return time.Time{}, false
}

// writeRange checks a start_date/end_date pair of a calendar write.
func (h *hostex) writeRange(w http.ResponseWriter, prefix, start, end string) ([]string, bool) {
	s, ok := h.writeDate(w, prefix+"start_date", start)
	if !ok {
		return nil, false
	}
	e, ok := h.writeDate(w, prefix+"end_date", end)
	if !ok {
		return nil, false
	}
	if e.Before(s) {
		h.envelope(w, 422, "The "+prefix+"end_date must be a date after or equal to start_date.", nil)
		return nil, false
	}
	return nightsBetween(s, e), true
}

// updateAvailabilities: POST /availabilities {property_ids: [int], start_date, end_date | dates,
// available: bool} [C]; property_ids and available are required, and dates is required when
// start_date or end_date is missing (it is ignored when both are there) [C].
func (h *hostex) updateAvailabilities(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !h.writable(w, c) {
		return
	}
	var body struct {
		PropertyIDs []int    `json:"property_ids"`
		StartDate   string   `json:"start_date"`
		EndDate     string   `json:"end_date"`
		Dates       []string `json:"dates"`
		Available   *bool    `json:"available"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		h.bodyFailed(w, e)
		return
	}
	switch {
	case len(body.PropertyIDs) == 0:
		h.envelope(w, 422, "The property_ids field is required.", nil)
		return
	case body.Available == nil:
		h.envelope(w, 422, "The available field is required.", nil)
		return
	}
	var nights []string
	switch {
	case body.StartDate != "" && body.EndDate != "":
		var ok bool
		if nights, ok = h.writeRange(w, "", body.StartDate, body.EndDate); !ok {
			return
		}
	case len(body.Dates) > 0:
		for i, s := range body.Dates {
			d, ok := h.writeDate(w, "dates."+strconv.Itoa(i), s)
			if !ok {
				return
			}
			nights = append(nights, d.Format(dateLayout))
		}
		slices.Sort(nights)
		nights = slices.Compact(nights)
	default:
		h.envelope(w, 422, "The dates field is required when start_date or end_date is not present.", nil)
		return
	}
	var props []*hostexProperty
	for _, id := range body.PropertyIDs {
		p := h.property(strconv.Itoa(id))
		if p == nil {
			h.envelope(w, 404, "Property "+strconv.Itoa(id)+" not found.", nil)
			return
		}
		props = append(props, p)
	}
	now := h.v.now()
	h.v.mu.Lock()
	for _, p := range props {
		id := strconv.Itoa(p.ID)
		h.v.recordWrite(id, CalendarWrite{Property: id, Dates: slices.Clone(nights), Available: ptr(*body.Available), At: now})
	}
	h.v.mu.Unlock()
	h.ok(w, nil)
}

// listingOwner finds the property with a listing of this channel type and id.
func (h *hostex) listingOwner(channelType, listingID string) *hostexProperty {
	for _, p := range h.props {
		for _, ch := range p.Channels {
			if ch.ChannelType == channelType && ch.ListingID == listingID {
				return p
			}
		}
	}
	return nil
}

// listingTarget checks the channel_type and listing_id of a listing write [C: both required,
// channel_type from ChannelTypeParam, listing_id a string]; an unknown listing is 404 [I].
func (h *hostex) listingTarget(w http.ResponseWriter, channelType, listingID *string) (*hostexProperty, string, bool) {
	switch {
	case channelType == nil || *channelType == "":
		h.envelope(w, 422, "The channel_type field is required.", nil)
	case !slices.Contains(hostexChannelParams, *channelType):
		h.envelope(w, 422, "The selected channel_type is invalid.", nil)
	case listingID == nil || *listingID == "":
		h.envelope(w, 422, "The listing_id field is required.", nil)
	default:
		p := h.listingOwner(*channelType, *listingID)
		if p == nil {
			h.envelope(w, 404, "Listing "+*listingID+" not found.", nil)
			return nil, "", false
		}
		return p, *channelType + ":" + *listingID, true
	}
	return nil, "", false
}

// updatePrices: POST /listings/prices {channel_type, listing_id, prices: [{start_date, end_date,
// price}]}, all required; price is an integer in the currency's major unit [C]. A price below 1
// is refused [I].
func (h *hostex) updatePrices(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !h.writable(w, c) {
		return
	}
	var body struct {
		ChannelType *string `json:"channel_type"`
		ListingID   *string `json:"listing_id"`
		Prices      []struct {
			StartDate string `json:"start_date"`
			EndDate   string `json:"end_date"`
			Price     *int   `json:"price"`
		} `json:"prices"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		h.bodyFailed(w, e)
		return
	}
	p, key, ok := h.listingTarget(w, body.ChannelType, body.ListingID)
	if !ok {
		return
	}
	if len(body.Prices) == 0 {
		h.envelope(w, 422, "The prices field is required.", nil)
		return
	}
	writes := make([]CalendarWrite, 0, len(body.Prices))
	for i, item := range body.Prices {
		prefix := "prices." + strconv.Itoa(i) + "."
		nights, ok := h.writeRange(w, prefix, item.StartDate, item.EndDate)
		if !ok {
			return
		}
		if item.Price == nil || *item.Price < 1 {
			h.envelope(w, 422, "The "+prefix+"price field is required and must be at least 1.", nil)
			return
		}
		writes = append(writes, CalendarWrite{Property: strconv.Itoa(p.ID), Listing: key, Dates: nights,
			Price: ptr(float64(*item.Price))})
	}
	h.recordAll(key, writes)
	h.ok(w, nil)
}

// updateRestrictions: POST /listings/restrictions {channel_type, listing_id, restrictions:
// [{start_date, end_date, closed_on_arrival?, min_stay_on_arrival?, ...}]} [C]. The fake keeps
// min_stay_on_arrival (at least 1 [I]) and checks the other fields' types only.
func (h *hostex) updateRestrictions(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !h.writable(w, c) {
		return
	}
	var body struct {
		ChannelType  *string `json:"channel_type"`
		ListingID    *string `json:"listing_id"`
		Restrictions []struct {
			StartDate             string  `json:"start_date"`
			EndDate               string  `json:"end_date"`
			ClosedOnArrival       *bool   `json:"closed_on_arrival"`
			ClosedOnDeparture     *bool   `json:"closed_on_departure"`
			MinStayOnArrival      *int    `json:"min_stay_on_arrival"`
			MaxStayOnArrival      *int    `json:"max_stay_on_arrival"`
			MinStayThrough        *int    `json:"min_stay_through"`
			MaxStayThrough        *int    `json:"max_stay_through"`
			MinAdvanceReservation *string `json:"min_advance_reservation"`
			MaxAdvanceReservation *string `json:"max_advance_reservation"`
			ExactStayOnArrival    *int    `json:"exact_stay_on_arrival"`
		} `json:"restrictions"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		h.bodyFailed(w, e)
		return
	}
	p, key, ok := h.listingTarget(w, body.ChannelType, body.ListingID)
	if !ok {
		return
	}
	if len(body.Restrictions) == 0 {
		h.envelope(w, 422, "The restrictions field is required.", nil)
		return
	}
	writes := make([]CalendarWrite, 0, len(body.Restrictions))
	for i, item := range body.Restrictions {
		prefix := "restrictions." + strconv.Itoa(i) + "."
		nights, ok := h.writeRange(w, prefix, item.StartDate, item.EndDate)
		if !ok {
			return
		}
		if item.MinStayOnArrival != nil && *item.MinStayOnArrival < 1 {
			h.envelope(w, 422, "The "+prefix+"min_stay_on_arrival must be at least 1.", nil)
			return
		}
		cw := CalendarWrite{Property: strconv.Itoa(p.ID), Listing: key, Dates: nights}
		if item.MinStayOnArrival != nil {
			cw.MinStay = ptr(*item.MinStayOnArrival)
		}
		writes = append(writes, cw)
	}
	h.recordAll(key, writes)
	h.ok(w, nil)
}

// recordAll applies a request's writes, stamped with the fake's clock.
func (h *hostex) recordAll(key string, writes []CalendarWrite) {
	now := h.v.now()
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	for _, cw := range writes {
		cw.At = now
		h.v.recordWrite(key, cw)
	}
}

func (h *hostex) reservation(code string) *hostexRes {
	for _, res := range h.res {
		if res.code == code {
			return res
		}
	}
	return nil
}

// review: POST /reviews/{reservation_code} {host_review_score?, host_review_content?,
// host_reply_content?} creates the host's review of the guest or the host's public reply [C].
// The spec requires no field; the fake wants at least one [I]. A reply needs the guest's
// review, a stay not yet reviewed takes neither (422 [I]), and a second reply or host review is
// a duplicate (409, Hostex's code for one [C]; that a reply cannot be replaced is [I]).
func (h *hostex) review(w http.ResponseWriter, r *http.Request, c hostexCaller) {
	if !h.writable(w, c) {
		return
	}
	code := r.PathValue("code")
	res := h.reservation(code)
	if res == nil {
		h.envelope(w, 404, "Reservation not found.", nil)
		return
	}
	var body struct {
		HostReviewScore   *float64 `json:"host_review_score"`
		HostReviewContent *string  `json:"host_review_content"`
		HostReplyContent  *string  `json:"host_reply_content"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		h.bodyFailed(w, e)
		return
	}
	reply, hostReview := body.HostReplyContent != nil, body.HostReviewContent != nil || body.HostReviewScore != nil
	switch {
	case !reply && !hostReview:
		h.envelope(w, 422, "One of host_review_score, host_review_content or host_reply_content is required.", nil)
		return
	case reply && strings.TrimSpace(*body.HostReplyContent) == "":
		h.envelope(w, 422, "The host_reply_content field must not be empty.", nil)
		return
	case body.HostReviewScore != nil && (*body.HostReviewScore < 0 || *body.HostReviewScore > 5):
		h.envelope(w, 422, "The host_review_score must be between 0 and 5.", nil)
		return
	case res.s.review == nil:
		h.envelope(w, 422, "This reservation cannot be reviewed yet.", nil)
		return
	}
	now := h.v.now()
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	rv := res.s.review
	switch {
	case reply && !rv.guestDone:
		h.envelope(w, 422, "The guest has not reviewed this stay yet.", nil)
		return
	case reply && rv.reply != "":
		h.envelope(w, 409, "The review already has a reply.", nil)
		return
	case hostReview && rv.hostText != "":
		h.envelope(w, 409, "The host has already reviewed this guest.", nil)
		return
	}
	if hostReview {
		rv.hostText, rv.hostAt = "Reviewed.", now
		if body.HostReviewContent != nil {
			rv.hostText = *body.HostReviewContent
		}
	}
	if reply {
		rv.reply, rv.replyAt = *body.HostReplyContent, now
		h.v.recordReply(code, rv.reply, now)
	}
	h.ok(w, nil)
}
