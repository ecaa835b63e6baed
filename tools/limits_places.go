package tools

import (
	"context"
	"slices"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// Place is what a host can let a limited app see: a property, or a
// HoxtonAI site (which limits treat as a property of its own).
type Place struct {
	ID           string // vendor-qualified
	Name         string
	ConnectionID string
	Site         bool
}

// Places reads the properties and sites of conns for the host's limits
// form, through the read cache that list_properties and list_sites use,
// every connection at once; they come back by name. A connection that
// could not be read (it needs the host, or its vendor failed) is returned
// in failed instead: the form shows what is known and says what is not.
func Places(ctx context.Context, d *Deps, conns []store.Connection) (places []Place, failed []store.Connection) {
	if d.Lifecycle == nil || len(conns) == 0 {
		return nil, nil
	}
	bad := map[string]bool{}
	props, _, errs, _ := fanOut(ctx, d, conns, false, propertiesRead())
	for _, e := range errs {
		bad[e.ConnectionID] = true
	}
	for i, l := range props {
		for _, p := range l {
			places = append(places, Place{ID: p.ID, Name: p.Name, ConnectionID: conns[i].ID})
		}
	}
	var siteConns []store.Connection
	for _, cn := range conns {
		if spec, ok := d.spec(cn.Vendor); ok && !bad[cn.ID] {
			if _, ok := spec.New(spec, nil).(connector.SiteLister); ok {
				siteConns = append(siteConns, cn)
			}
		}
	}
	if len(siteConns) > 0 {
		sites, _, errs, _ := fanOut(ctx, d, siteConns, false, sitesRead())
		for _, e := range errs {
			bad[e.ConnectionID] = true
		}
		for i, l := range sites {
			for _, s := range l {
				places = append(places, Place{ID: s.ID, Name: s.Name, ConnectionID: siteConns[i].ID, Site: true})
			}
		}
	}
	for _, cn := range conns {
		if bad[cn.ID] {
			failed = append(failed, cn)
		}
	}
	slices.SortStableFunc(places, func(a, b Place) int { return compareFold(a.Name, b.Name) })
	return places, failed
}
