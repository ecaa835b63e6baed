package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// PropertiesIn optionally narrows list_properties to one vendor.
type PropertiesIn struct {
	Vendor string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts; omit for all connected accounts"`
	PageIn
}

// PropertiesOut lists properties across vendors.
type PropertiesOut struct {
	Properties []connector.Property `json:"properties"`
	Errors     []VendorError        `json:"errors,omitempty" jsonschema_description:"accounts that could not answer; the rest of the result is still valid"`
	Page
}

func (o *PropertiesOut) page() *Page { return &o.Page }
func (o *PropertiesOut) items() int  { return len(o.Properties) }
func (o *PropertiesOut) keep(n int)  { o.Properties = o.Properties[:n] }

func byName(a, b connector.Property) int {
	return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
}

func listProperties(d *Deps) Tool {
	return New(Meta{
		Name: "list_properties", Title: "List properties",
		Description: "Lists the host's rental properties across all connected vendor accounts (or one vendor), by name. Property ids are vendor-qualified (hostex:12111947); pass them unchanged to other tools.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.PropertyLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in PropertiesIn) (PropertiesOut, string, error) {
		pg := in.PageIn
		in.PageIn = PageIn{}
		p, err := newPager(d, c, "list_properties", in, pg)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		conns, err := connections(ctx, d, c, in.Vendor)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		props, page, errs, err := fanPage(ctx, d, p, conns, func(ctx context.Context, cn connector.Connector, _ store.Connection) ([]connector.Property, error) {
			pl, ok := cn.(connector.PropertyLister)
			if !ok {
				return nil, nil // a vendor without properties (HoxtonAI) adds none
			}
			return pl.ListProperties(ctx)
		}, byName)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		out := PropertiesOut{Properties: props, Errors: errs, Page: page}
		return out, fmt.Sprintf("%d properties%s.", len(props), errorSuffix(errs)), nil
	})
}

// PropertyIn names one property.
type PropertyIn struct {
	PropertyID string `json:"property_id" jsonschema_description:"vendor-qualified property id from list_properties"`
}

func getProperty(d *Deps) Tool {
	return New(Meta{
		Name: "get_property", Title: "Get a property",
		Description: "Gets one property by its vendor-qualified id.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in PropertyIn) (connector.Property, string, error) {
		conns, id, err := route(ctx, d, c, in.PropertyID, "property_id")
		if err != nil {
			return connector.Property{}, "", err
		}
		p, err := first(ctx, d, conns, func(ctx context.Context, cn connector.Connector) (connector.Property, error) {
			if pg, ok := cn.(connector.PropertyGetter); ok {
				return pg.GetProperty(ctx, id)
			}
			return connector.Property{}, unsupported("get property")
		})
		if err != nil {
			return connector.Property{}, "", err
		}
		return p, p.Name + ".", nil
	})
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
