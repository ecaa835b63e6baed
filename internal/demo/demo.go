// Package demo wires hostgate to its sandbox vendors: the specs that point
// every vendor client at its in-process fake, and the sandbox accounts the
// demo host starts with. cmd's demo and the end-to-end tests share it.
package demo

import (
	"context"
	"fmt"
	"net/url"

	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Specs points every vendor at its sandbox fake, with the fake's
// OAuth client registered, so that the demo's connect flows work too. A
// vendor without a fake is left out.
func Specs(sb *sandbox.Sandbox, redirectURI string) []*connector.Spec {
	fakes := map[string]*sandbox.Vendor{}
	for _, v := range sb.Vendors() {
		fakes[v.Name] = v
	}
	var specs []*connector.Spec
	for _, s := range tools.Vendors() {
		v, ok := fakes[s.Name]
		if !ok {
			continue
		}
		s.BaseURL = v.APIBase
		if s.OAuth != nil {
			s.OAuth.AuthURL, s.OAuth.TokenURL, s.OAuth.RevokeURL = v.AuthorizeURL, v.TokenURL, v.RevokeURL
			s.OAuth.ClientID, s.OAuth.ClientSecret = v.ClientID, v.ClientSecret
		}
		registered := redirectURI
		if s.OAuth != nil && s.OAuth.OneClick {
			// A vendor with one-click sends its codes to the callback
			// that names it (mcpserver.VendorCallbackPath), the one URL
			// registered in its partner portal for both flows.
			registered = redirectURI + "/" + url.PathEscape(s.Name)
		}
		v.SetRedirectURI(registered)
		specs = append(specs, s)
	}
	return specs
}

// demoConnection is a sandbox account the demo host starts with: the
// connect form's values by field name, as the host would type them (the
// names are the vendor's connect-form fields; Connect checks each one the
// form asks for is given).
type demoConnection struct {
	vendor string
	kind   store.AuthKind
	values map[string]string
	label  string
}

// demoConnections are the demo host's accounts, one line a vendor.
var demoConnections = []demoConnection{
	{"hostex", store.AuthToken, map[string]string{connector.TokenField: sandbox.HostexWritableToken}, "Hostex sandbox"},
	{"hospitable", store.AuthToken, map[string]string{connector.TokenField: sandbox.HospitablePAT}, "Hospitable sandbox"},
	{"hostaway", store.AuthClientCredentials, map[string]string{"account_id": sandbox.HostawayAccountID, "api_key": sandbox.HostawayAPIKey}, "Hostaway sandbox"},
	{"hoxtonai", store.AuthClientCredentials, map[string]string{"client_id": sandbox.HoxtonAIM2MClientID, "client_secret": sandbox.HoxtonAIM2MClientSecret}, "HoxtonAI sandbox"},
}

// Connect connects the demo host's sandbox accounts the way a host
// would: through the connect-form path, checked with a vendor call, stored
// sealed. On a later start the same accounts are reconnected in place.
func Connect(ctx context.Context, srv *mcpserver.Server, specs []*connector.Spec, userID string) error {
	for _, dc := range demoConnections {
		var spec *connector.Spec
		for _, s := range specs {
			if s.Name == dc.vendor {
				spec = s
			}
		}
		if spec == nil {
			continue
		}
		for _, f := range spec.Fields[dc.kind] {
			if _, ok := dc.values[f.Name]; !ok {
				return fmt.Errorf("demo: %s %s: no value for the field %q", dc.vendor, dc.kind, f.Name)
			}
		}
		if _, err := srv.ConnectWithFields(ctx, userID, dc.vendor, dc.kind, dc.values, dc.label); err != nil {
			return fmt.Errorf("demo: connect %s: %w", dc.vendor, err)
		}
	}
	return nil
}
