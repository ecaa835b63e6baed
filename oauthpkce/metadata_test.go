package oauthpkce

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestMetadata(t *testing.T) {
	_, _, ts := newTestServer(t, nil)
	iss := ts.URL
	want := map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         iss + "/authorize",
		"token_endpoint":                                 iss + "/token",
		"registration_endpoint":                          iss + "/register",
		"revocation_endpoint":                            iss + "/revoke",
		"scopes_supported":                               []any{"read", "write"},
		"response_types_supported":                       []any{"code"},
		"response_modes_supported":                       []any{"query"},
		"grant_types_supported":                          []any{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":               []any{"S256"},
		"token_endpoint_auth_methods_supported":          []any{"none", "client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":     []any{"none", "client_secret_basic", "client_secret_post"},
		"client_id_metadata_document_supported":          true,
		"authorization_response_iss_parameter_supported": true,
	}
	for _, path := range []string{PathMetadata, PathOIDCMetadata} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			for h, v := range map[string]string{
				"Content-Type":                "application/json",
				"Access-Control-Allow-Origin": "*",
			} {
				if got := resp.Header.Get(h); got != v {
					t.Errorf("%s = %q, want %q", h, got, v)
				}
			}
			if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("metadata allows credentials cross-origin")
			}
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("metadata:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestMetadataMethods(t *testing.T) {
	s, _, ts := newTestServer(t, func(c *Config) { c.Scopes = []Scope{{Name: "only"}} })
	tests := []struct {
		name   string
		method string
		status int
	}{
		{"HEAD is served", http.MethodHead, http.StatusOK},
		{"POST is not allowed", http.MethodPost, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+PathMetadata, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	t.Run("scopes follow the config", func(t *testing.T) {
		w := httptest.NewRecorder()
		s.handleMetadata(w, httptest.NewRequest(http.MethodGet, PathMetadata, nil))
		var m serverMetadata
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.ScopesSupported, []string{"only"}) {
			t.Fatalf("scopes_supported = %v", m.ScopesSupported)
		}
	})
}

// A browser-based client's discovery request carries MCP-Protocol-Version,
// so the browser preflights it. The handler answers OPTIONS itself (Mount
// routes it when it registers OPTIONS for the path).
func TestMetadataPreflight(t *testing.T) {
	s, _, _ := newTestServer(t, nil)
	tests := []struct {
		name, reqHeaders, wantAllow string
	}{
		{"requested headers allowed", "mcp-protocol-version", "mcp-protocol-version"},
		{"list of headers", "MCP-Protocol-Version, Content-Type", "MCP-Protocol-Version, Content-Type"},
		{"malformed list not echoed", "x\r\nSet-Cookie: a=b", ""},
		{"none requested", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodOptions, PathMetadata, nil)
			r.Header.Set("Origin", "https://inspector.example")
			r.Header.Set("Access-Control-Request-Method", "GET")
			if tt.reqHeaders != "" {
				r.Header["Access-Control-Request-Headers"] = []string{tt.reqHeaders}
			}
			w := httptest.NewRecorder()
			s.handleMetadata(w, r)
			if w.Code != http.StatusNoContent {
				t.Fatalf("status %d, want 204", w.Code)
			}
			h := w.Header()
			if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" {
				t.Fatalf("CORS headers %v", h)
			}
			if got := h.Get("Access-Control-Allow-Headers"); got != tt.wantAllow {
				t.Fatalf("Access-Control-Allow-Headers = %q, want %q", got, tt.wantAllow)
			}
			if w.Body.Len() != 0 {
				t.Fatal("preflight has a body")
			}
		})
	}
}
