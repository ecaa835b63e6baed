package main

import (
	"os"
	"strings"

	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
)

// vendorSpecs returns the vendors with their real base URLs, and the
// operator's OAuth registrations and overrides from the environment:
//
//	HOSTGATE_<VENDOR>_CLIENT_ID, HOSTGATE_<VENDOR>_CLIENT_SECRET  hostgate's OAuth client at the vendor
//	HOSTGATE_<VENDOR>_BASE_URL                                    another API base (a proxy, a staging API)
//	HOSTGATE_<VENDOR>_AUTH_URL, _TOKEN_URL, _REVOKE_URL            that API's OAuth endpoints, where they are not the real ones
//
// where <VENDOR> is HOSTEX, HOSPITABLE, HOSTAWAY or HOXTONAI.
func vendorSpecs() []*connector.Spec {
	specs := tools.Vendors()
	for _, s := range specs {
		prefix := "HOSTGATE_" + strings.ToUpper(s.Name) + "_"
		if v := os.Getenv(prefix + "BASE_URL"); v != "" {
			s.BaseURL = strings.TrimSuffix(v, "/")
		}
		if s.OAuth != nil {
			s.OAuth.ClientID = os.Getenv(prefix + "CLIENT_ID")
			s.OAuth.ClientSecret = os.Getenv(prefix + "CLIENT_SECRET")
			for name, p := range map[string]*string{"AUTH_URL": &s.OAuth.AuthURL, "TOKEN_URL": &s.OAuth.TokenURL, "REVOKE_URL": &s.OAuth.RevokeURL} {
				if v := os.Getenv(prefix + name); v != "" {
					*p = v
				}
			}
		}
	}
	return specs
}
