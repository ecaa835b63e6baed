package oauthpkce

import (
	"net/http"
	"strings"
	"testing"
)

// TestRegisterMetadataHardening (issue 10 item 6): the URLs a page may
// show or link are absolute https (http only on loopback), text fields
// have length limits, and a body with a duplicate key is refused, all as
// invalid_client_metadata.
func TestRegisterMetadataHardening(t *testing.T) {
	_, _, ts := newTestServer(t, func(c *Config) { c.RegistrationsPerMinute = 1000 })
	const ok = `"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none"`
	refused := []struct{ name, body, descHas string }{
		{"policy_uri javascript", `{` + ok + `,"policy_uri":"javascript:alert(1)"}`, "policy_uri"},
		{"tos_uri http off loopback", `{` + ok + `,"tos_uri":"http://a.example/tos"}`, "tos_uri"},
		{"policy_uri relative", `{` + ok + `,"policy_uri":"/policy"}`, "policy_uri"},
		{"tos_uri with userinfo", `{` + ok + `,"tos_uri":"https://u:p@a.example/tos"}`, "tos_uri"},
		{"client_uri http on a loopback-looking host", `{` + ok + `,"client_uri":"http://127.0.0.1.attacker.example/"}`, "client_uri"},
		{"client_name too long", `{` + ok + `,"client_name":"` + strings.Repeat("a", 4096) + `"}`, "client_name"},
		{"scope too long", `{` + ok + `,"scope":"` + strings.Repeat("read ", 1000) + `"}`, "scope"},
		{"duplicate key", `{` + ok + `,"client_name":"a","client_name":"b"}`, "client_name"},
		{"duplicate redirect_uris", `{"redirect_uris":["https://a.example/cb"],"redirect_uris":["https://evil.example/cb"],"token_endpoint_auth_method":"none"}`, "redirect_uris"},
		{"duplicate key in a nested object", `{` + ok + `,"jwks":{"keys":[],"keys":[]}}`, "keys"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := register(t, ts, "application/json", tt.body)
			if resp.StatusCode != http.StatusBadRequest || out["error"] != codeInvalidClientMetadata {
				t.Fatalf("got %d %v, want 400 %s", resp.StatusCode, out, codeInvalidClientMetadata)
			}
			if d, _ := out["error_description"].(string); !strings.Contains(d, tt.descHas) {
				t.Fatalf("description %q does not name %s", d, tt.descHas)
			}
		})
	}
	accepted := []struct{ name, body string }{
		{"https policy and terms", `{` + ok + `,"policy_uri":"https://a.example/privacy","tos_uri":"https://a.example/tos"}`},
		{"http on loopback", `{` + ok + `,"client_uri":"http://127.0.0.1:8080/","logo_uri":"http://localhost/logo.png","tos_uri":"http://[::1]/tos"}`},
		{"same key in different objects", `{` + ok + `,"a":{"x":1},"b":{"x":1}}`},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			if resp, out := register(t, ts, "application/json", tt.body); resp.StatusCode != http.StatusCreated {
				t.Fatalf("got %d %v, want 201", resp.StatusCode, out)
			}
		})
	}
}
