package tools

import (
	"context"
	"fmt"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// VendorIn optionally narrows a call to one vendor.
type VendorIn struct {
	Vendor string `json:"vendor,omitempty" jsonschema_description:"only this vendor (hostex, hospitable, hostaway); empty for all connected accounts"`
}

// PropertiesOut lists properties across vendors.
type PropertiesOut struct {
	Properties []connector.Property `json:"properties"`
	Errors     []VendorError        `json:"errors,omitempty" jsonschema_description:"accounts that could not answer; the rest of the result is still valid"`
}

func listProperties(d *Deps) Tool {
	return New(Meta{
		Name: "list_properties", Title: "List properties",
		Description: "Lists the host's rental properties across all connected vendor accounts (or one vendor). Property ids are vendor-qualified (hostex:12111947); pass them unchanged to other tools.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in VendorIn) (PropertiesOut, string, error) {
		conns, err := connections(ctx, d, c, in.Vendor)
		if err != nil {
			return PropertiesOut{}, "", err
		}
		props, errs, err := fanOut(ctx, d, conns, func(ctx context.Context, cn connector.Connector, _ store.Connection) ([]connector.Property, error) {
			pl, ok := cn.(connector.PropertyLister)
			if !ok {
				return nil, nil // a vendor without properties (HoxtonAI) adds none
			}
			return pl.ListProperties(ctx)
		})
		if err != nil {
			return PropertiesOut{}, "", err
		}
		out := PropertiesOut{Properties: nonNil(props), Errors: errs}
		return out, fmt.Sprintf("%d properties%s.", len(props), errorSuffix(errs)), nil
	})
}

// PropertyIn names one property.
type PropertyIn struct {
	PropertyID string `json:"property_id" jsonschema:"required" jsonschema_description:"vendor-qualified property id from list_properties"`
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
