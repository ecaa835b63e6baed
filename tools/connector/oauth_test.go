package connector_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

func TestAuthCodeURL(t *testing.T) {
	const redirect = "https://hostgate.example/connect/callback"
	for _, tc := range []struct {
		name  string
		oauth connector.OAuth
		want  url.Values // besides response_type, client_id, redirect_uri and state
		pkce  bool
	}{
		{"plain", connector.OAuth{AuthURL: "https://vendor.example/authorize", ClientID: "hostgate"}, url.Values{}, false},
		{"scopes, extra parameters and PKCE", connector.OAuth{AuthURL: "https://vendor.example/authorize?tenant=a", ClientID: "hostgate",
			Scopes: []string{"openid", "offline_access"}, PKCE: true, AuthParams: map[string]string{"audience": "https://api.example"}},
			url.Values{"tenant": {"a"}, "scope": {"openid offline_access"}, "audience": {"https://api.example"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, verifier := tc.oauth.AuthCodeURL("st4te", redirect)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			want := url.Values{"response_type": {"code"}, "client_id": {"hostgate"}, "redirect_uri": {redirect}, "state": {"st4te"}}
			for k, v := range tc.want {
				want[k] = v
			}
			if tc.pkce {
				// RFC 7636 §4.1–4.2: a 43-character verifier, its S256 challenge.
				sum := sha256.Sum256([]byte(verifier))
				want["code_challenge"] = []string{base64.RawURLEncoding.EncodeToString(sum[:])}
				want["code_challenge_method"] = []string{"S256"}
				if len(verifier) != 43 {
					t.Errorf("verifier %q", verifier)
				}
			} else if verifier != "" {
				t.Errorf("verifier %q without PKCE", verifier)
			}
			if u.Scheme+"://"+u.Host+u.Path != "https://vendor.example/authorize" || q.Encode() != want.Encode() {
				t.Errorf("AuthCodeURL = %s\nwant query %s", raw, want.Encode())
			}
		})
	}
}
