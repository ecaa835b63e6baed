package hoxtonai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// Connector is one HoxtonAI organisation as one login (or machine client)
// sees it: its sites, their monitors, and daily footfall.
type Connector struct {
	c connector.Client
}

// The capabilities HoxtonAI's API has. It has no reservations or messages.
var (
	_ connector.SiteLister     = (*Connector)(nil)
	_ connector.FootfallReader = (*Connector)(nil)
)

func newConnector(s *connector.Spec, ts connector.TokenSource) connector.Connector {
	return &Connector{c: connector.NewClient(s, ts, api{})}
}

// Check proves the credential with the cheapest authenticated call, GET
// /sites, and names the account by the token's subject: the host's login
// or the machine client. A token that mints is a valid credential (the
// reference's only documented steps are the token grants [C]); GET /sites
// is not in the reference [I], so when the API answers that it has no
// such endpoint (404, 405, 501) the account is saved all the same, named
// without its sites. A refused token (401) is still a refusal.
func (h *Connector) Check(ctx context.Context) (connector.Account, error) {
	var sites []site
	listed := true
	if err := h.c.Do(ctx, connector.Request{Op: "check", Method: http.MethodGet, Path: "/sites"}, &sites); err != nil {
		if !errors.Is(unverified(err, "GET /sites"), connector.ErrUnsupported) {
			return connector.Account{}, err
		}
		listed = false
	}
	cred, err := h.c.Source.Token(ctx)
	if err != nil {
		return connector.Account{}, fmt.Errorf("hoxtonai: check: %w", err)
	}
	id := tokenSubject(cred.AccessToken)
	if id == "" {
		id = cred.ClientID
	}
	if id == "" && len(sites) > 0 && sites[0].OrganisationID != "" {
		id = "org:" + sites[0].OrganisationID
	}
	if id == "" {
		return connector.Account{}, connector.Malformed(Vendor, "check", http.StatusOK, "cannot tell whose account this is")
	}
	names := make([]string, 0, len(sites))
	for _, s := range sites {
		if s.State != "deleted" && s.Name != "" {
			names = append(names, s.Name)
		}
	}
	name := "HoxtonAI"
	switch {
	case len(names) > 0:
		name = connector.Excerpt("HoxtonAI: " + strings.Join(names, ", "))
	case !listed:
		name = "HoxtonAI (sites not readable through the API)"
	}
	return connector.Account{ID: id, Name: name}, nil
}

// ownID accepts a HoxtonAI id (a UUID) bare or vendor-qualified and keeps
// it safe in a path.
func ownID(id string) (string, error) {
	id = strings.TrimPrefix(id, Vendor+":")
	if id == "" || len(id) > 64 || strings.Trim(strings.ToLower(id), "0123456789abcdef-") != "" {
		return "", fmt.Errorf("hoxtonai: %q is not a HoxtonAI id: %w", id, connector.ErrBadRequest)
	}
	return id, nil
}
