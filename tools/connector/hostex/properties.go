package hostex

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hostgate/hostgate/tools/connector"
)

// Check reads the first page of properties: Hostex has no "who am I"
// endpoint [T], so the account is named after what it holds. Its id is the
// lowest property id on that page, which stays the same for every token of
// the account (personal or OAuth) as long as that property exists [I]. An
// account without properties falls back to a digest of the token, which is
// stable for a personal token (they never change) but not across OAuth
// reconnections.
func (c *conn) Check(ctx context.Context) (connector.Account, error) {
	var data struct {
		Properties []wireProperty `json:"properties"`
		Total      *int           `json:"total"`
	}
	r := connector.Request{Op: "check", Method: http.MethodGet, Path: "/properties",
		Query: url.Values{"offset": {"0"}, "limit": {strconv.Itoa(maxPageSize)}}}
	// An answer without its properties list names no account: it must not
	// pass for an account with no properties.
	if err := c.read(ctx, r, &data, "properties"); err != nil {
		return connector.Account{}, err
	}
	if err := whole(r.Op, "a property", data.Properties); err != nil {
		return connector.Account{}, err
	}
	if len(data.Properties) == 0 {
		cred, err := c.Source.Token(ctx)
		if err != nil {
			return connector.Account{}, fmt.Errorf("%s: check: %w", vendor, err)
		}
		sum := sha256.Sum256([]byte(cred.AccessToken))
		return connector.Account{ID: "tok-" + hex.EncodeToString(sum[:8]), Name: "Hostex account (no properties yet)"}, nil
	}
	first := slices.MinFunc(data.Properties, func(a, b wireProperty) int {
		ai, _ := strconv.ParseInt(string(a.ID), 10, 64)
		bi, _ := strconv.ParseInt(string(b.ID), 10, 64)
		return cmp.Compare(ai, bi)
	})
	n := len(data.Properties)
	if data.Total != nil {
		n = *data.Total
	}
	name := "Hostex: " + first.Title
	if n > 1 {
		name = fmt.Sprintf("Hostex: %s and %d more", first.Title, n-1)
	}
	return connector.Account{ID: "prop-" + string(first.ID), Name: name}, nil
}

// ListProperties pages through GET /properties.
func (c *conn) ListProperties(ctx context.Context) ([]connector.Property, error) {
	ps, err := list[wireProperty](ctx, c, connector.Request{Op: "list properties", Method: http.MethodGet, Path: "/properties"}, "properties", 0)
	if err != nil {
		return nil, err
	}
	out := make([]connector.Property, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.normalize())
	}
	return out, nil
}

// GetProperty filters GET /properties by id: there is no single-property
// endpoint [C].
func (c *conn) GetProperty(ctx context.Context, id string) (connector.Property, error) {
	p, err := c.property(ctx, "get property", id)
	if err != nil {
		return connector.Property{}, err
	}
	return p.normalize(), nil
}

func (c *conn) property(ctx context.Context, op, id string) (wireProperty, error) {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return wireProperty{}, connector.Invalid(vendor, op, "a Hostex property id is a number")
	}
	var data struct {
		Properties []wireProperty `json:"properties"`
	}
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/properties", Query: url.Values{"id": {id}, "offset": {"0"}, "limit": {"1"}}}
	if err := c.read(ctx, r, &data, "properties"); err != nil {
		return wireProperty{}, err
	}
	if err := whole(op, "a property", data.Properties); err != nil {
		return wireProperty{}, err
	}
	for _, p := range data.Properties {
		if string(p.ID) == id {
			return p, nil
		}
	}
	return wireProperty{}, connector.NotFound(vendor, op, "no property "+id)
}

func (p wireProperty) normalize() connector.Property {
	out := connector.Property{
		ID:        connector.QualifiedID(vendor, string(p.ID)),
		Vendor:    vendor,
		Name:      p.Title,
		Address:   p.Address,
		Latitude:  floatOf(p.Latitude),
		Longitude: floatOf(p.Longitude),
	}
	for _, ch := range p.Channels {
		if ch.ChannelType != "" && !slices.Contains(out.Channels, ch.ChannelType) {
			out.Channels = append(out.Channels, ch.ChannelType)
		}
	}
	// Currency stays empty: the published property has none [C] (see
	// Calendar).
	return out
}
