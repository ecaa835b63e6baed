// Package demo wires hostgate to its sandbox vendors: the specs that point
// every vendor client at its in-process fake, and the sandbox accounts the
// demo host starts with. cmd's demo and the end-to-end tests share it.
package demo

import (
	"context"
	"fmt"

	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Specs points every vendor at its sandbox fake, with the fake's
// OAuth client registered, so that the demo's connect flows work too.
func Specs(sb *sandbox.Sandbox, redirectURI string) []*connector.Spec {
	specs := tools.Vendors()
	for _, s := range specs {
		var v *sandbox.Vendor
		var id, secret string
		switch s.Name {
		case "hostex":
			v, id, secret = sb.Hostex, sandbox.HostexClientID, sandbox.HostexClientSecret
		case "hospitable":
			v, id, secret = sb.Hospitable, sandbox.HospitableClientID, sandbox.HospitableClientSecret
		case "hostaway":
			v = sb.Hostaway
		case "hoxtonai":
			v, id, secret = sb.HoxtonAI, sandbox.HoxtonAIClientID, sandbox.HoxtonAIClientSecret
		default:
			continue
		}
		s.BaseURL = v.APIBase
		if s.OAuth != nil {
			s.OAuth.AuthURL, s.OAuth.TokenURL, s.OAuth.RevokeURL = v.AuthorizeURL, v.TokenURL, v.RevokeURL
			s.OAuth.ClientID, s.OAuth.ClientSecret = id, secret
		}
		v.SetRedirectURI(redirectURI)
	}
	return specs
}

// demoConnection is a sandbox account the demo host starts with. Values
// fill the vendor's connect-form fields in order.
type demoConnection struct {
	vendor string
	kind   store.AuthKind
	values []string
	label  string
}

var demoConnections = []demoConnection{
	{"hostex", store.AuthToken, []string{sandbox.HostexWritableToken}, "Hostex sandbox"},
	{"hospitable", store.AuthToken, []string{sandbox.HospitablePAT}, "Hospitable sandbox"},
	{"hostaway", store.AuthClientCredentials, []string{sandbox.HostawayAccountID, sandbox.HostawayAPIKey}, "Hostaway sandbox"},
	{"hoxtonai", store.AuthClientCredentials, []string{sandbox.HoxtonAIM2MClientID, sandbox.HoxtonAIM2MClientSecret}, "HoxtonAI sandbox"},
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
		fields := spec.Fields[dc.kind]
		if len(fields) != len(dc.values) {
			return fmt.Errorf("demo: %s %s takes %d fields, have %d", dc.vendor, dc.kind, len(fields), len(dc.values))
		}
		values := map[string]string{}
		for i, f := range fields {
			values[f.Name] = dc.values[i]
		}
		if _, err := srv.ConnectWithFields(ctx, userID, dc.vendor, dc.kind, values, dc.label); err != nil {
			return fmt.Errorf("demo: connect %s: %w", dc.vendor, err)
		}
	}
	return nil
}
