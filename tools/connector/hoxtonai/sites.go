package hoxtonai

import (
	"context"
	"net/http"

	"github.com/hostgate/hostgate/tools/connector"
)

// site is a HoxtonAI site [I: fields in the API's camelCase style].
type site struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisationId"`
	Name           string `json:"name"`
	Address        string `json:"address"`
	Timezone       string `json:"timezone"`
	State          string `json:"state"`
}

// monitor is a people-count monitor ([C]: the PUT body's fields) or an
// occupancy monitor [I].
type monitor struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	SiteID string `json:"siteId"`
	State  string `json:"state"`
}

// ListSites returns the organisation's sites with their monitors: three
// calls (sites, people-count monitors, occupancy monitors) however many
// sites there are. The lists are unpaginated [I]. None of the three is in
// HoxtonAI's published reference [I], so an API without them answers
// "unsupported" for this account (see unverified); a site or monitor
// without its id (or a monitor without its site) fails the call rather
// than vanish from it.
func (h *Connector) ListSites(ctx context.Context) ([]connector.Site, error) {
	const op = "list sites"
	var sites []site
	if err := h.c.Do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/sites"}, &sites); err != nil {
		return nil, unverified(err, "GET /sites")
	}
	var people, occupancy []monitor
	if err := h.c.Do(ctx, connector.Request{Op: "list people-count monitors", Method: http.MethodGet, Path: "/people-count-monitors"}, &people); err != nil {
		return nil, unverified(err, "GET /people-count-monitors")
	}
	if err := h.c.Do(ctx, connector.Request{Op: "list occupancy monitors", Method: http.MethodGet, Path: "/occupancy-monitors"}, &occupancy); err != nil {
		return nil, unverified(err, "GET /occupancy-monitors")
	}
	bySite := map[string][]connector.Monitor{}
	for _, group := range []struct {
		kind string
		ms   []monitor
	}{{"people_count", people}, {"occupancy", occupancy}} {
		for _, m := range group.ms {
			if m.ID == "" || m.SiteID == "" {
				return nil, malformed(op, "a "+group.kind+" monitor without its id or siteId")
			}
			if m.State != "deleted" {
				bySite[m.SiteID] = append(bySite[m.SiteID], connector.Monitor{ID: m.ID, Name: m.Name, Kind: group.kind})
			}
		}
	}
	out := make([]connector.Site, 0, len(sites))
	for _, s := range sites {
		if s.ID == "" {
			return nil, malformed(op, "a site without its id")
		}
		if s.State == "deleted" {
			continue
		}
		out = append(out, connector.Site{
			ID:       connector.QualifiedID(Vendor, s.ID),
			Vendor:   Vendor,
			Name:     s.Name,
			Address:  s.Address,
			Timezone: s.Timezone,
			Monitors: bySite[s.ID],
		})
	}
	return out, nil
}
