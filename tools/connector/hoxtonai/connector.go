package hoxtonai

import (
	"context"
	"encoding/json"
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

// Check names the account a fresh credential belongs to. Connecting rests
// on the reference's documented steps only: a token that mints is a valid
// credential [C]. The account is the token's subject (the host's login, or
// the machine client), not anything an undocumented endpoint says.
//
// Check also asks GET /sites [I: not in the reference], for the sites'
// names and so that a token the API refuses (401) is caught before it is
// saved; that is also the one cheap call the connect and "check now"
// pages rely on. Whatever else the API makes of that guess, the account
// is saved, named without its sites: no such endpoint (404, 405, 501), a
// 403 (a gateway's answer to a route it does not know, or a login that may
// not list sites), or an answer of a shape hostgate does not know. A
// throttled or failing API (429, 5xx) or a body that is not JSON at all
// is a failure to try again.
func (h *Connector) Check(ctx context.Context) (connector.Account, error) {
	var raw json.RawMessage
	var sites []site
	listed := false
	err := h.c.Do(ctx, connector.Request{Op: "check", Method: http.MethodGet, Path: "/sites"}, &raw)
	switch {
	case err == nil:
		if listed = json.Unmarshal(raw, &sites) == nil; !listed {
			sites = nil // a partial decoding names nothing
		}
	case errors.Is(unverified(err, "GET /sites"), connector.ErrUnsupported), errors.Is(err, connector.ErrForbidden):
		// The API will not list sites for this token: saved unnamed.
	default:
		return connector.Account{}, err
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
