package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hostgate/hostgate/tools/connector"
)

// listing is the part of a Hostaway listing hostgate uses [C: Listing
// object]. Only its id is needed to read it; name is required in the
// published object, and externalListingName (the same) stands in for it.
type listing struct {
	ID              intval `json:"id"`
	Name            string `json:"name"`
	ExternalName    string `json:"externalListingName"`
	Address         string `json:"address"`
	City            string `json:"city"`
	CountryCode     string `json:"countryCode"`
	Lat             numval `json:"lat"`
	Lng             numval `json:"lng"`
	CurrencyCode    string `json:"currencyCode"`
	PersonCapacity  numval `json:"personCapacity"`
	BedroomsNumber  numval `json:"bedroomsNumber"`
	BathroomsNumber numval `json:"bathroomsNumber"`
	TimeZoneName    string `json:"timeZoneName"`
	// CheckInTimeStart and CheckOutTime are whole hours, 0-23, in the
	// listing's own time zone, the one exception to Hostaway's UTC times
	// [C: Introduction; Listing object].
	CheckInTimeStart numval `json:"checkInTimeStart"`
	CheckOutTime     numval `json:"checkOutTime"`
}

func (l listing) property() connector.Property {
	name := l.Name
	if name == "" {
		name = l.ExternalName
	}
	return connector.Property{
		ID:        qid(l.ID),
		Vendor:    Vendor,
		Name:      name,
		Address:   l.Address,
		City:      l.City,
		Country:   l.CountryCode,
		Latitude:  l.Lat.ptr(),
		Longitude: l.Lng.ptr(),
		Timezone:  l.TimeZoneName,
		Bedrooms:  l.BedroomsNumber.intPtr(),
		Bathrooms: l.BathroomsNumber.ptr(),
		MaxGuests: l.PersonCapacity.intPtr(),
		Currency:  l.CurrencyCode,
		// The earliest check-in hour is the one a host means by "check-in
		// time" (checkInTimeEnd is the latest arrival).
		CheckInTime:  hourText(l.CheckInTimeStart),
		CheckOutTime: hourText(l.CheckOutTime),
	}
}

// hourText writes a Hostaway hour (0-23) as HH:MM; "" when it is absent
// or out of range, rather than a time the listing does not have.
func hourText(h numval) string {
	if !h.Set || h.V < 0 || h.V > 23 || h.V != float64(int(h.V)) {
		return ""
	}
	return fmt.Sprintf("%02d:00", int(h.V))
}

// ListProperties returns every listing: GET /v1/listings, limit/offset [C].
func (h *Connector) ListProperties(ctx context.Context) ([]connector.Property, error) {
	const op = "list listings"
	var out []connector.Property
	err := h.pages(ctx, op, "/listings", nil, func(raw json.RawMessage) (int, bool, error) {
		page, err := decodeList(op, raw, func(l listing) bool { return l.ID != 0 })
		if err != nil {
			return 0, false, err
		}
		for _, l := range page {
			out = append(out, l.property())
		}
		return len(page), true, nil
	})
	return out, err
}

// GetProperty returns one listing: GET /v1/listings/{id} [C].
func (h *Connector) GetProperty(ctx context.Context, id string) (connector.Property, error) {
	l, err := h.listing(ctx, id)
	if err != nil {
		return connector.Property{}, err
	}
	return l.property(), nil
}

func (h *Connector) listing(ctx context.Context, id string) (listing, error) {
	const op = "get listing"
	own, err := ownID(id)
	if err != nil {
		return listing{}, err
	}
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/listings/" + own})
	if err != nil {
		return listing{}, err
	}
	var l listing
	if err := json.Unmarshal(env.Result, &l); err != nil || l.ID == 0 {
		return listing{}, badResult(op)
	}
	return l, nil
}

// calendarDay is one day of GET /v1/listings/{id}/calendar [C: Calendar
// day object]; its id and date are required, and hostgate needs the date.
type calendarDay struct {
	Date        string  `json:"date"`
	IsAvailable flag    `json:"isAvailable"`
	Status      string  `json:"status"`
	Price       numval  `json:"price"`
	MinimumStay intval  `json:"minimumStay"`
	Note        *string `json:"note"`
}

// Calendar returns a listing's days. Hostaway's calendar carries no
// currency, so the listing is read first for it (and for a clean 404).
// Empty ends leave Hostaway's default window.
func (h *Connector) Calendar(ctx context.Context, propertyID string, r connector.DateRange) ([]connector.CalendarDay, error) {
	const op = "get calendar"
	l, err := h.listing(ctx, propertyID)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if r.From != "" {
		q.Set("startDate", r.From)
	}
	if r.To != "" {
		q.Set("endDate", r.To)
	}
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/listings/" + l.ID.String() + "/calendar", Query: q})
	if err != nil {
		return nil, err
	}
	var days []calendarDay
	if err := json.Unmarshal(env.Result, &days); err != nil || days == nil {
		return nil, badResult(op) // an array of days [C]; anything else is not an empty calendar
	}
	for _, d := range days {
		if d.Date == "" {
			return nil, badResult(op)
		}
	}
	out := make([]connector.CalendarDay, 0, len(days))
	for _, d := range days {
		out = append(out, d.normalized(l.CurrencyCode))
	}
	return out, nil
}

// normalized maps a calendar day; the listing's currency prices it.
func (d calendarDay) normalized(currency string) connector.CalendarDay {
	day := connector.CalendarDay{
		Date:      date(d.Date),
		Available: bool(d.IsAvailable),
		Status:    dayStatus(d.Status, bool(d.IsAvailable)),
		MinStay:   int(d.MinimumStay),
	}
	if d.Price.Set {
		day.Price = &connector.Money{Amount: d.Price.V, Currency: currency}
	}
	if d.Note != nil {
		day.Note = *d.Note
	}
	return day
}

// dayStatus folds Hostaway's calendar day statuses [C: Calendar day
// statuses] into available, reserved or blocked: reserved and mreserved
// are booked nights, pending holds a pending reservation (not free to
// sell, so reserved); blocked, mblocked, hardBlock and conflicted are
// closed. A status not in that list falls back on isAvailable [I].
func dayStatus(s string, available bool) string {
	switch s {
	case "available":
		return "available"
	case "reserved", "mreserved", "pending":
		return "reserved"
	case "blocked", "mblocked", "hardBlock", "conflicted":
		return "blocked"
	}
	if available {
		return "available"
	}
	return "blocked"
}
