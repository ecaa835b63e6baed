package main

import "testing"

// TestVendorSpecsFromEnvironment: the operator's environment points a
// vendor's API and its OAuth endpoints elsewhere (a staging API, or the
// sandbox vendors the multi-process test runs), and sets hostgate's OAuth
// client there; a vendor left alone keeps its real URLs.
func TestVendorSpecsFromEnvironment(t *testing.T) {
	orig := map[string][4]string{}
	for _, s := range vendorSpecs() {
		if s.OAuth != nil {
			orig[s.Name] = [4]string{s.BaseURL, s.OAuth.AuthURL, s.OAuth.TokenURL, s.OAuth.RevokeURL}
		}
	}
	if _, ok := orig["hostex"]; !ok {
		t.Fatal("Hostex has no OAuth in its spec")
	}
	t.Setenv("HOSTGATE_HOSTEX_BASE_URL", "http://127.0.0.1:9/v3/")
	t.Setenv("HOSTGATE_HOSTEX_AUTH_URL", "http://127.0.0.1:9/authorize")
	t.Setenv("HOSTGATE_HOSTEX_TOKEN_URL", "http://127.0.0.1:9/v3/oauth/authorizations")
	t.Setenv("HOSTGATE_HOSTEX_REVOKE_URL", "http://127.0.0.1:9/v3/oauth/revoke")
	t.Setenv("HOSTGATE_HOSTEX_CLIENT_ID", "cid")
	t.Setenv("HOSTGATE_HOSTEX_CLIENT_SECRET", "csecret")
	for _, s := range vendorSpecs() {
		if s.OAuth == nil {
			continue
		}
		got := [4]string{s.BaseURL, s.OAuth.AuthURL, s.OAuth.TokenURL, s.OAuth.RevokeURL}
		if s.Name != "hostex" {
			if got != orig[s.Name] {
				t.Errorf("%s: %v, want its real URLs %v", s.Name, got, orig[s.Name])
			}
			continue
		}
		want := [4]string{"http://127.0.0.1:9/v3", "http://127.0.0.1:9/authorize", "http://127.0.0.1:9/v3/oauth/authorizations", "http://127.0.0.1:9/v3/oauth/revoke"}
		if got != want || s.OAuth.ClientID != "cid" || s.OAuth.ClientSecret != "csecret" {
			t.Errorf("hostex: %v client %q, want %v client cid", got, s.OAuth.ClientID, want)
		}
	}
}
