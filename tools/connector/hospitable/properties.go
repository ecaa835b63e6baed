package hospitable

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Check reads GET /user, the account identity [C].
func (c *conn) Check(ctx context.Context) (connector.Account, error) {
	var u struct {
		Data struct {
			ID    connector.Text `json:"id"`
			Email string         `json:"email"`
			Name  string         `json:"name"`
		} `json:"data"`
	}
	if err := c.Do(ctx, connector.Request{Op: "check", Method: http.MethodGet, Path: "/user"}, &u); err != nil {
		return connector.Account{}, err
	}
	if u.Data.ID == "" {
		return connector.Account{}, connector.Malformed(vendor, "check", http.StatusOK, "no user id")
	}
	name := u.Data.Name
	switch {
	case name == "":
		name = u.Data.Email
	case u.Data.Email != "":
		name += " (" + u.Data.Email + ")"
	}
	return connector.Account{ID: string(u.Data.ID), Name: name}, nil
}

// ListProperties pages through GET /properties with their listings.
func (c *conn) ListProperties(ctx context.Context) ([]connector.Property, error) {
	ps, err := c.properties(ctx, "list properties")
	if err != nil {
		return nil, err
	}
	out := make([]connector.Property, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.normalize())
	}
	return out, nil
}

// properties reads every property, with its listings unless the
// connection lacks listing:read (see scoped).
func (c *conn) properties(ctx context.Context, op string) ([]wireProperty, error) {
	ps, err := withScoped(ctx, c, listings, func(withListings bool) ([]wireProperty, error) {
		r := connector.Request{Op: op, Method: http.MethodGet, Path: "/properties", Query: propertyQuery(withListings)}
		return list[wireProperty](ctx, c, r, maxPageSize, 0)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.ID == "" {
			return nil, connector.Malformed(vendor, op, http.StatusOK, "a property without an id")
		}
	}
	return ps, nil
}

// GetProperty reads GET /properties/{uuid}. The published answer is the
// PropertyFull object itself, not wrapped in data [C: public.json,
// get-property], unlike every list and the other single reads; an answer
// wrapped in data as those are is read too [I]. An answer that has no
// property id either way is an error, never an empty property.
func (c *conn) GetProperty(ctx context.Context, id string) (connector.Property, error) {
	const op = "get property"
	if !validID(id) {
		return connector.Property{}, badID(op, "property")
	}
	type answer struct {
		wireProperty
		Data *wireProperty `json:"data"`
	}
	p, err := withScoped(ctx, c, listings, func(withListings bool) (answer, error) {
		var p answer
		r := connector.Request{Op: op, Method: http.MethodGet, Path: "/properties/" + url.PathEscape(id), Query: propertyQuery(withListings)}
		return p, c.Do(ctx, r, &p)
	})
	if err != nil {
		return connector.Property{}, err
	}
	w := p.wireProperty
	if w.ID == "" && p.Data != nil {
		w = *p.Data
	}
	if w.ID == "" {
		return connector.Property{}, connector.Malformed(vendor, op, http.StatusOK, "no property id in the answer")
	}
	return w.normalize(), nil
}

// propertyQuery is the query of a property read: include=listings, whose
// platforms are the property's channels, when the connection may have
// them [C: public.json, "listings (required: listing:read scope)"].
func propertyQuery(withListings bool) url.Values {
	if withListings {
		return url.Values{"include": {listings.include}}
	}
	return nil
}

// normalize maps a property. Its timezone is an offset such as "+0200",
// not an IANA name [C], and is passed on as such; its usual check-in and
// check-out times are local "HH:MM" [C].
func (p wireProperty) normalize() connector.Property {
	out := connector.Property{
		ID:           connector.QualifiedID(vendor, p.ID),
		Vendor:       vendor,
		Name:         p.Name,
		Address:      p.Address.Display,
		City:         p.Address.City,
		Country:      p.Address.Country,
		Timezone:     p.Timezone,
		Currency:     p.Currency,
		CheckInTime:  clockTime(cmp.Or(p.CheckIn, p.LiveCheckin)),
		CheckOutTime: clockTime(cmp.Or(p.CheckOut, p.LiveCheckout)),
	}
	if out.Name == "" {
		out.Name = p.PublicName
	}
	if co := p.Address.Coordinates; co != nil {
		out.Latitude, out.Longitude = co.Latitude, co.Longitude
	}
	if cp := p.Capacity; cp != nil {
		out.Bedrooms, out.Bathrooms, out.MaxGuests = cp.Bedrooms, cp.Bathrooms, cp.Max
	}
	for _, l := range p.Listings {
		if l.Platform != "" && !slices.Contains(out.Channels, l.Platform) {
			out.Channels = append(out.Channels, l.Platform)
		}
	}
	return out
}

// clockTime reads a time of day, "HH:MM" or "HH:MM:SS", as "HH:MM"; ""
// when it is none.
func clockTime(s string) string {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if t, err = time.Parse("15:04:05", s); err != nil {
			return ""
		}
	}
	return t.Format("15:04")
}
