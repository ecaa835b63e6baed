package oauthpkce

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
)

// register POSTs body to /register with the given content type.
func register(t *testing.T, ts *httptest.Server, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.Post(ts.URL+PathRegister, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("status %d, body not JSON: %v", resp.StatusCode, err)
	}
	return resp, out
}

func TestRegisterRejects(t *testing.T) {
	_, _, ts := newTestServer(t, func(c *Config) { c.RegistrationsPerMinute = 1000 })
	const ok = `"redirect_uris":["https://claude.ai/api/mcp/auth_callback"]`
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
		descHas     string
	}{
		{"wrong content type", "text/plain", `{` + ok + `}`, 415, codeInvalidClientMetadata, "application/json"},
		{"form content type", "application/x-www-form-urlencoded", "redirect_uris=https://a.example/cb", 415, codeInvalidClientMetadata, ""},
		{"not JSON", "application/json", `redirect_uris=x`, 400, codeInvalidClientMetadata, ""},
		{"JSON array", "application/json", `[]`, 400, codeInvalidClientMetadata, ""},
		{"trailing data", "application/json", `{` + ok + `} {}`, 400, codeInvalidClientMetadata, ""},
		{"redirect_uris not an array", "application/json", `{"redirect_uris":"https://a.example/cb"}`, 400, codeInvalidClientMetadata, ""},
		{"body over 16 KiB", "application/json", `{` + ok + `,"client_name":"` + strings.Repeat("a", 17<<10) + `"}`, 413, codeInvalidClientMetadata, ""},
		{"redirect_uris missing", "application/json", `{"client_name":"x"}`, 400, codeInvalidRedirectURI, "redirect_uris"},
		{"redirect_uris empty", "application/json", `{"redirect_uris":[]}`, 400, codeInvalidRedirectURI, "redirect_uris"},
		{"redirect URI javascript", "application/json", `{"redirect_uris":["https://ok.example/cb","javascript:alert(1)"]}`, 400, codeInvalidRedirectURI, `"javascript:alert(1)"`},
		{"redirect URI data", "application/json", `{"redirect_uris":["data:text/html,x"]}`, 400, codeInvalidRedirectURI, "data:text/html,x"},
		{"redirect URI fragment", "application/json", `{"redirect_uris":["https://a.example/cb#x"]}`, 400, codeInvalidRedirectURI, "fragment"},
		{"redirect URI userinfo", "application/json", `{"redirect_uris":["https://u@a.example/cb"]}`, 400, codeInvalidRedirectURI, "userinfo"},
		{"redirect URI wildcard", "application/json", `{"redirect_uris":["https://*.example/cb"]}`, 400, codeInvalidRedirectURI, "wildcard"},
		{"redirect URI http non-loopback", "application/json", `{"redirect_uris":["http://a.example/cb"]}`, 400, codeInvalidRedirectURI, "loopback"},
		{"redirect URI unknown scheme", "application/json", `{"redirect_uris":["myapp://cb"]}`, 400, codeInvalidRedirectURI, "myapp"},
		{"redirect URI relative", "application/json", `{"redirect_uris":["/cb"]}`, 400, codeInvalidRedirectURI, "absolute"},
		{"too many redirect URIs", "application/json", `{"redirect_uris":[` + strings.Repeat(`"https://a.example/cb",`, maxRedirectURIs) + `"https://b.example/cb"]}`, 400, codeInvalidRedirectURI, ""},
		{"auth method private_key_jwt", "application/json", `{` + ok + `,"token_endpoint_auth_method":"private_key_jwt"}`, 400, codeInvalidClientMetadata, "private_key_jwt"},
		{"grant type implicit", "application/json", `{` + ok + `,"grant_types":["authorization_code","implicit"]}`, 400, codeInvalidClientMetadata, "implicit"},
		{"grant type client_credentials", "application/json", `{` + ok + `,"grant_types":["client_credentials"]}`, 400, codeInvalidClientMetadata, "client_credentials"},
		{"refresh_token without authorization_code", "application/json", `{` + ok + `,"grant_types":["refresh_token"]}`, 400, codeInvalidClientMetadata, "authorization_code"},
		{"response type token", "application/json", `{` + ok + `,"response_types":["code","token"]}`, 400, codeInvalidClientMetadata, "token"},
		{"client_uri http", "application/json", `{` + ok + `,"client_uri":"http://a.example"}`, 400, codeInvalidClientMetadata, "client_uri"},
		{"logo_uri javascript", "application/json", `{` + ok + `,"logo_uri":"javascript:alert(1)"}`, 400, codeInvalidClientMetadata, "logo_uri"},
		{"application_type unknown", "application/json", `{` + ok + `,"application_type":"desktop"}`, 400, codeInvalidClientMetadata, "application_type"},
		{"software_id too long", "application/json", `{` + ok + `,"software_id":"` + strings.Repeat("x", 300) + `"}`, 400, codeInvalidClientMetadata, "software_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := register(t, ts, tt.contentType, tt.body)
			if resp.StatusCode != tt.status || out["error"] != tt.code {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, out, tt.status, tt.code)
			}
			desc, _ := out["error_description"].(string)
			if !strings.Contains(desc, tt.descHas) {
				t.Fatalf("error_description %q does not mention %q", desc, tt.descHas)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Fatalf("Cache-Control %q", got)
			}
		})
	}
}

func TestRegisterAccepts(t *testing.T) {
	_, st, ts := newTestServer(t, func(c *Config) { c.RegistrationsPerMinute = 1000 })
	tests := []struct {
		name       string
		body       string
		wantAuth   string
		wantSecret bool
		check      func(t *testing.T, out map[string]any, c store.Client)
	}{
		{
			name:     "public client as mcp-go registers it",
			body:     `{"client_name":"mcp-go","redirect_uris":["http://localhost:8085/oauth/callback"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"],"resource":"https://x.example/mcp"}`,
			wantAuth: "none",
		},
		{
			name:     "unknown scopes are dropped, not refused (RFC 7591 §3.2.1)",
			body:     `{"client_name":"x","redirect_uris":["http://127.0.0.1:9/cb"],"token_endpoint_auth_method":"none","scope":"read offline_access admin"}`,
			wantAuth: "none",
			check: func(t *testing.T, out map[string]any, c store.Client) {
				if c.Scope != "read" || out["scope"] != "read" {
					t.Fatalf("scope stored %q, returned %v; want read", c.Scope, out["scope"])
				}
			},
		},
		{
			name:     "Cursor's three redirect URIs in one request",
			body:     `{"client_name":"Cursor","redirect_uris":["cursor://anysphere.cursor-mcp/oauth/callback","https://www.cursor.com/agents/mcp/oauth/callback","http://localhost:8787/callback"],"token_endpoint_auth_method":"none"}`,
			wantAuth: "none",
			check: func(t *testing.T, _ map[string]any, c store.Client) {
				if len(c.RedirectURIs) != 3 {
					t.Fatalf("redirect URIs %v", c.RedirectURIs)
				}
			},
		},
		{
			name:       "default auth method is client_secret_basic (RFC 7591 §2)",
			body:       `{"redirect_uris":["https://claude.ai/api/mcp/auth_callback"]}`,
			wantAuth:   "client_secret_basic",
			wantSecret: true,
			check: func(t *testing.T, out map[string]any, c store.Client) {
				for k, v := range map[string]any{
					"client_name": defaultClientName, "grant_types": []any{"authorization_code"},
					"response_types": []any{"code"}, "application_type": "web", "client_secret_expires_at": 0.0,
				} {
					if !reflect.DeepEqual(out[k], v) {
						t.Errorf("%s = %v, want %v", k, out[k], v)
					}
				}
				if c.Name != defaultClientName || !reflect.DeepEqual(c.GrantTypes, []string{"authorization_code"}) {
					t.Errorf("stored %+v", c)
				}
			},
		},
		{
			name:       "client_secret_post",
			body:       `{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"client_secret_post","scope":"write read write","application_type":"native"}`,
			wantAuth:   "client_secret_post",
			wantSecret: true,
			check: func(t *testing.T, out map[string]any, c store.Client) {
				if out["scope"] != "write read" || c.Scope != "write read" || c.ApplicationType != "native" {
					t.Errorf("scope %v / %q, application type %q", out["scope"], c.Scope, c.ApplicationType)
				}
			},
		},
		{
			name:     "client name cleaned",
			body:     "{\"redirect_uris\":[\"https://a.example/cb\"],\"token_endpoint_auth_method\":\"none\",\"client_name\":\"  Good\\u0007 \\u202eApp\\u200b\\n \"}",
			wantAuth: "none",
			check: func(t *testing.T, out map[string]any, c store.Client) {
				if c.Name != "Good App" || out["client_name"] != "Good App" {
					t.Errorf("name %q", c.Name)
				}
			},
		},
		{
			name:     "long client name capped",
			body:     `{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none","client_name":"` + strings.Repeat("é", 500) + `"}`,
			wantAuth: "none",
			check: func(t *testing.T, _ map[string]any, c store.Client) {
				if n := len([]rune(c.Name)); n != maxClientNameRunes {
					t.Errorf("name has %d runes, want %d", n, maxClientNameRunes)
				}
			},
		},
		{
			name:     "https client and logo URIs kept, duplicates dropped",
			body:     `{"redirect_uris":["https://a.example/cb","https://a.example/cb"],"token_endpoint_auth_method":"none","client_uri":"https://a.example","logo_uri":"https://a.example/logo.png","grant_types":["authorization_code","authorization_code"]}`,
			wantAuth: "none",
			check: func(t *testing.T, _ map[string]any, c store.Client) {
				if c.ClientURI != "https://a.example" || c.LogoURI != "https://a.example/logo.png" || len(c.RedirectURIs) != 1 || len(c.GrantTypes) != 1 {
					t.Errorf("stored %+v", c)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := register(t, ts, "application/json; charset=utf-8", tt.body)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d: %v", resp.StatusCode, out)
			}
			if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v", resp.Header)
			}
			id, _ := out["client_id"].(string)
			if len(id) < 22 || strings.ContainsAny(id, ":/+=") {
				t.Fatalf("client_id %q is not ≥128 bits of base64url", id)
			}
			if _, ok := out["client_id_issued_at"].(float64); !ok {
				t.Fatal("no client_id_issued_at")
			}
			c, err := st.GetClient(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if out["token_endpoint_auth_method"] != tt.wantAuth || c.AuthMethod != tt.wantAuth {
				t.Fatalf("auth method %v / %q, want %s", out["token_endpoint_auth_method"], c.AuthMethod, tt.wantAuth)
			}
			secret, hasSecret := out["client_secret"].(string)
			if hasSecret != tt.wantSecret {
				t.Fatalf("client_secret present=%v, want %v", hasSecret, tt.wantSecret)
			}
			if tt.wantSecret {
				// Stored only as its hash: a copy of the database yields no secret.
				if len(secret) < 43 || c.SecretHash != store.Hash(secret) || strings.Contains(c.SecretHash, secret) {
					t.Fatalf("secret %d chars, stored hash %q", len(secret), c.SecretHash)
				}
			} else if c.SecretHash != "" || out["client_secret_expires_at"] != nil {
				t.Fatalf("public client has secret state: %q %v", c.SecretHash, out["client_secret_expires_at"])
			}
			if c.RegisteredFrom != "127.0.0.1" {
				t.Fatalf("RegisteredFrom %q", c.RegisteredFrom)
			}
			if tt.check != nil {
				tt.check(t, out, c)
			}
		})
	}
}

// The secret appears in the response and nowhere else: not in the store row,
// the audit event or the logs.
func TestRegisterSecretOnlyInResponse(t *testing.T) {
	var logs bytes.Buffer
	_, st, ts := newTestServer(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	resp, out := register(t, ts, "application/json", `{"client_name":"Conf","redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
	id, secret := out["client_id"].(string), out["client_secret"].(string)
	events, err := st.ListAuditEvents(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Kind != "client.registered" || events[0].ClientID != id {
		t.Fatalf("audit events %+v", events)
	}
	c, _ := st.GetClient(context.Background(), id)
	for where, text := range map[string]string{
		"audit detail": events[0].Detail,
		"logs":         logs.String(),
		"stored row":   strings.Join([]string{c.ID, c.Name, c.SecretHash, c.RegisteredFrom}, " "),
	} {
		if strings.Contains(text, secret) || strings.Contains(text, strings.TrimPrefix(secret, prefixClientSecret)) {
			t.Errorf("the client secret appears in the %s", where)
		}
	}
	if !strings.Contains(logs.String(), id) {
		t.Error("the registration is not logged")
	}
}

func TestRegisterRateLimit(t *testing.T) {
	clock := newTestClock()
	_, _, ts := newTestServer(t, func(c *Config) {
		c.Now = clock.Now
		c.RegistrationsPerMinute = 1 // burst 2
	})
	body := `{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none"}`
	for i := range 2 {
		if resp, out := register(t, ts, "application/json", body); resp.StatusCode != http.StatusCreated {
			t.Fatalf("registration %d: %d %v", i+1, resp.StatusCode, out)
		}
	}
	// Invalid requests count too: the limit is checked before the body is read.
	for _, b := range []string{body, "not json"} {
		resp, out := register(t, ts, "application/json", b)
		if resp.StatusCode != http.StatusTooManyRequests || out["error"] != codeTemporarilyUnavailable {
			t.Fatalf("got %d %v, want 429 %s", resp.StatusCode, out, codeTemporarilyUnavailable)
		}
		if got := resp.Header.Get("Retry-After"); got != "60" {
			t.Fatalf("Retry-After %q, want 60", got)
		}
	}
	// X-Forwarded-For is not trusted to pick the bucket.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+PathRegister, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("X-Forwarded-For escaped the limit: %d", resp.StatusCode)
	}
	clock.Advance(time.Minute)
	if resp, out := register(t, ts, "application/json", body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("after a minute: %d %v", resp.StatusCode, out)
	}
}

func TestRegisterPreflight(t *testing.T) {
	s, _, _ := newTestServer(t, nil)
	r := httptest.NewRequest(http.MethodOptions, PathRegister, nil)
	r.Header.Set("Origin", "https://inspector.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "content-type")
	w := httptest.NewRecorder()
	s.handleRegister(w, r)
	h := w.Header()
	if w.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Access-Control-Allow-Methods") != "POST, OPTIONS" || h.Get("Access-Control-Allow-Headers") != "content-type" {
		t.Fatalf("preflight %d %v", w.Code, h)
	}
}

// FuzzValidateClientMetadata checks that whatever registration metadata is
// accepted is normalized to hostgate's policy.
func FuzzValidateClientMetadata(f *testing.F) {
	f.Add([]byte(`{"redirect_uris":["https://claude.ai/api/mcp/auth_callback"]}`))
	f.Add([]byte(`{"redirect_uris":["cursor://anysphere.cursor-mcp/oauth/callback","http://localhost:8787/callback"],"token_endpoint_auth_method":"none","client_name":"Cursor"}`))
	f.Add([]byte(`{"redirect_uris":["http://127.0.0.1/cb"],"grant_types":["refresh_token","authorization_code"],"scope":"read write","client_name":"\u202eevil\u0000"}`))
	s := &Server{cfg: Config{Scopes: DefaultScopes, NativeSchemes: DefaultNativeSchemes}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fromDocument := range []bool{false, true} {
			var m clientMetadata
			if json.Unmarshal(data, &m) != nil || s.validateClientMetadata(&m, fromDocument) != nil {
				continue
			}
			for _, u := range m.RedirectURIs {
				if err := s.checkRedirectURI(u); err != nil {
					t.Fatalf("accepted redirect URI %q: %v", u, err)
				}
			}
			switch m.TokenEndpointAuthMethod {
			case authNone:
			case authClientSecretBasic, authClientSecretPost:
				if fromDocument {
					t.Fatalf("document client with auth method %q", m.TokenEndpointAuthMethod)
				}
			default:
				t.Fatalf("auth method %q", m.TokenEndpointAuthMethod)
			}
			if len(m.RedirectURIs) == 0 || !slices.Contains(m.GrantTypes, grantAuthorizationCode) ||
				!reflect.DeepEqual(m.ResponseTypes, []string{responseTypeCode}) {
				t.Fatalf("accepted %+v", m)
			}
			if _, bad := s.unknownScope(parseScopes(m.Scope)); bad {
				t.Fatalf("accepted scope %q", m.Scope)
			}
			if m.ClientName == "" || utf8.RuneCountInString(m.ClientName) > maxClientNameRunes ||
				strings.ContainsFunc(m.ClientName, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
				t.Fatalf("client name %q", m.ClientName)
			}
		}
	})
}
