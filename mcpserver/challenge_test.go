package mcpserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWriteRefusal pins what the one writer of bearer refusals sends, byte
// for byte, one row per refusal: the WWW-Authenticate challenge (RFC 6750
// §3, RFC 9728 §5.1), the body and its type.
func TestWriteRefusal(t *testing.T) {
	const prm = "https://hg.example/.well-known/oauth-protected-resource/mcp"
	s := &Server{prmURL: prm, scopes: []string{"read", "write"}}
	stepUp := &refusal{status: http.StatusForbidden, code: "insufficient_scope",
		description: "this tool needs the write scope", scopes: []string{"read", "write"}}
	for _, tc := range []struct {
		name   string
		ref    *refusal
		status int
		www    string
		ctype  string
		body   string
	}{
		{"no token", errNoToken, 401,
			`Bearer resource_metadata="` + prm + `", scope="read write"`, "application/json", `{"error":"unauthorized"}` + "\n"},
		{"invalid token", errInvalidToken, 401,
			`Bearer error="invalid_token", error_description="the access token is invalid, expired or revoked", resource_metadata="` + prm + `", scope="read write"`,
			"application/json", `{"error":"unauthorized"}` + "\n"},
		{"two tokens", errTwoTokens, 400,
			`Bearer error="invalid_request", error_description="send the access token once, in the Authorization header, never in the URL", resource_metadata="` + prm + `", scope="read write"`,
			"application/json", `{"error":"invalid_request"}` + "\n"},
		{"insufficient scope", stepUp, 403,
			`Bearer error="insufficient_scope", error_description="this tool needs the write scope", resource_metadata="` + prm + `", scope="read write"`,
			"application/json", `{"error":"insufficient_scope"}` + "\n"},
		{"rebinding Host", errHostHeader, 403, "", "text/plain; charset=utf-8", "Forbidden: invalid Host header\n"},
		{"foreign Origin", errOrigin, 403, "", "text/plain; charset=utf-8", "Forbidden: invalid Origin header\n"},
		{"body too large", errBody, 413, "", "text/plain; charset=utf-8", "request body too large or unreadable\n"},
		{"store down", errUnavailable, 503, "", "text/plain; charset=utf-8", "temporarily unavailable\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.writeRefusal(w, tc.ref)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tc.www {
				t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, tc.www)
			}
			if got := w.Header().Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if tc.www != "" && w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("a challenge without Cache-Control: no-store")
			}
		})
	}
}
