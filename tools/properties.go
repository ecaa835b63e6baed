package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hostgate/hostgate/tools/connector"
)

// PropertiesIn optionally narrows list_properties to one vendor.
type PropertiesIn struct {
	Vendor string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts; omit for all connected accounts"`
	FreshIn
	PageIn
}

// PropertiesOut lists properties across vendors.
type PropertiesOut struct {
	Properties []connector.Property `json:"properties"`
	Errors     []VendorError        `json:"errors,omitempty" jsonschema_description:"accounts that could not answer; the rest of the result is still valid"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty" jsonschema_description:"how old each account's part is; listed only when they differ, or when one is older because of a rate limit (see its note)"`
	Page
}

func (o *PropertiesOut) page() *Page { return &o.Page }
func (o *PropertiesOut) items() int  { return len(o.Properties) }
func (o *PropertiesOut) keep(n int)  { o.Properties = o.Properties[:n] }

func byName(a, b connector.Property) int {
	return cmp.Or(compareFold(a.Name, b.Name), strings.Compare(a.ID, b.ID))
}

// compareFold compares two names as strings.ToLower of each would, without
// building them: lists are merged by name on every call.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			if la, lb := unicode.ToLower(ra), unicode.ToLower(rb); la != lb {
				return cmp.Compare(la, lb)
			}
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

func listProperties(d *Deps) Tool {
	return New(Meta{
		Name: "list_properties", Title: "List properties",
		Description: "Lists the host's rental properties across all connected vendor accounts (or one vendor), by name. Property ids are vendor-qualified (hostex:12111947); pass them unchanged to other tools.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.PropertyLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in PropertiesIn) (PropertiesOut, string, error) {
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn = PageIn{}, FreshIn{}
		p, err := newPager(d, c, "list_properties", in, pg)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		conns, err := connections(ctx, d, c, in.Vendor)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		props, page, ages, errs, err := fanPage(ctx, d, p, conns, fresh, propertiesRead(), byName)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		out := PropertiesOut{Properties: props, Errors: errs, Page: page}
		out.Accounts, out.Freshness = d.accountAges(conns, ages)
		return out, fmt.Sprintf("%d properties%s.%s", len(props), errorSuffix(errs), d.ageSuffix(conns, ages)), nil
	})
}

// propertiesRead lists an account's properties, by name.
func propertiesRead() vendorRead[[]connector.Property] {
	return vendorRead[[]connector.Property]{kind: connector.KindProperties, fetch: sorted(func(ctx context.Context, cn connector.Connector) ([]connector.Property, error) {
		pl, ok := cn.(connector.PropertyLister)
		if !ok {
			return nil, nil // a vendor without properties (HoxtonAI) adds none
		}
		return pl.ListProperties(ctx)
	}, byName)}
}

// PropertyIn names one property.
type PropertyIn struct {
	PropertyID string `json:"property_id" jsonschema_description:"vendor-qualified property id from list_properties"`
	FreshIn
}

// PropertyOut is one property and how old its data is.
type PropertyOut struct {
	connector.Property
	Freshness
}

func getProperty(d *Deps) Tool {
	return New(Meta{
		Name: "get_property", Title: "Get a property",
		Description: "Gets one property by its vendor-qualified id.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in PropertyIn) (PropertyOut, string, error) {
		conns, id, err := route(ctx, d, c, in.PropertyID, "property_id")
		if err != nil {
			return PropertyOut{}, "", err
		}
		p, conn, age, err := first(ctx, d, conns, in.Fresh, propertyRead(id))
		if err != nil {
			return PropertyOut{}, "", err
		}
		return PropertyOut{Property: p, Freshness: d.freshness(age)}, p.Name + "." + d.singleSuffix(conn, age), nil
	})
}

// propertyRead gets one property by the vendor's id.
func propertyRead(id string) vendorRead[connector.Property] {
	return vendorRead[connector.Property]{kind: connector.KindProperties, subject: id, fetch: func(ctx context.Context, cn connector.Connector) (connector.Property, error) {
		if pg, ok := cn.(connector.PropertyGetter); ok {
			return pg.GetProperty(ctx, id)
		}
		return connector.Property{}, unsupported("get property")
	}}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func errorSuffix(errs []VendorError) string {
	if len(errs) == 0 {
		return ""
	}
	return fmt.Sprintf("; %d account(s) could not answer (see errors)", len(errs))
}
