package mcpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/oauthpkce"
	"github.com/hostgate/hostgate/tools"
)

// maxMCPBody caps a JSON-RPC request body.
const maxMCPBody = 4 << 20

// protect is the bearer middleware of ARCHITECTURE flow 5, in front of the
// MCP handler. In order: the Host and Origin checks (DNS rebinding; MCP
// transports: a present but invalid Origin gets 403), the bearer token from
// the Authorization header only, its verification (expiry, revocation,
// audience), the scope a tools/call needs (403 insufficient_scope), and the
// Caller in the request context.
func (s *Server) protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			http.Error(w, "Forbidden: invalid Host header", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !s.originAllowed(o) {
			http.Error(w, "Forbidden: invalid Origin header", http.StatusForbidden)
			return
		}
		// RFC 6750 §2.3 allows a query token; OAuth 2.1 §5.2.1 and MCP
		// forbid it: URLs end up in logs and histories.
		if q := r.URL.Query(); q.Has("access_token") {
			s.challenge(w, http.StatusBadRequest, `error="invalid_request", error_description="send the access token in the Authorization header, never in the URL"`)
			return
		}
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			s.challenge(w, http.StatusUnauthorized, "")
			return
		}
		acc, err := s.oauth.VerifyAccessToken(r.Context(), token)
		if errors.Is(err, oauthpkce.ErrInvalidToken) {
			s.challenge(w, http.StatusUnauthorized, `error="invalid_token", error_description="the access token is invalid, expired or revoked"`)
			return
		}
		if err != nil {
			s.log.ErrorContext(r.Context(), "verify token", "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		// A grant holding every scope a tool can need skips the body peek.
		if r.Method == http.MethodPost && !s.hasAllToolScopes(acc.Scopes) {
			r.Body = http.MaxBytesReader(w, r.Body, maxMCPBody)
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if need := s.scopeNeeded(body); need != "" && !slices.Contains(acc.Scopes, need) {
				// MCP step-up: name every scope the request needs in one challenge.
				want := append(slices.Clone(acc.Scopes), need)
				s.challengeScope(w, http.StatusForbidden, `error="insufficient_scope", error_description="this tool needs the `+need+` scope"`, want)
				return
			}
		}
		c := &tools.Caller{UserID: acc.UserID, Username: acc.Username, ClientID: acc.ClientID, ClientName: acc.ClientName,
			GrantID: acc.GrantID, Scopes: acc.Scopes, Connections: acc.Connections}
		next.ServeHTTP(w, r.WithContext(tools.WithCaller(r.Context(), c)))
	})
}

// hasAllToolScopes reports whether scopes cover every tool's scope.
func (s *Server) hasAllToolScopes(scopes []string) bool {
	for _, need := range s.neededScopes {
		if !slices.Contains(scopes, need) {
			return false
		}
	}
	return true
}

// bearerToken extracts the token of an "Authorization: Bearer" header
// (RFC 6750 §2.1; the scheme is case-insensitive).
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// challenge answers 401/400 with the WWW-Authenticate header MCP clients
// discover the authorization server by (RFC 9728 §5.1, RFC 6750 §3).
func (s *Server) challenge(w http.ResponseWriter, status int, extra string) {
	s.challengeScope(w, status, extra, s.scopes)
}

func (s *Server) challengeScope(w http.ResponseWriter, status int, extra string, scopes []string) {
	v := `Bearer resource_metadata="` + s.prmURL + `", scope="` + strings.Join(scopes, " ") + `"`
	if extra != "" {
		v = `Bearer ` + extra + `, resource_metadata="` + s.prmURL + `", scope="` + strings.Join(scopes, " ") + `"`
	}
	h := w.Header()
	h.Set("WWW-Authenticate", v)
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	code := "unauthorized"
	switch status {
	case http.StatusForbidden:
		code = "insufficient_scope"
	case http.StatusBadRequest:
		code = "invalid_request"
	}
	_, _ = io.WriteString(w, `{"error":"`+code+`"}`+"\n")
}

// scopeNeeded returns the scope a tools/call in body needs, or "". Only a
// body that can be a tools/call is parsed here; mcp-go parses it again.
func (s *Server) scopeNeeded(body []byte) string {
	if !bytes.Contains(body, []byte(`tools/call`)) {
		return ""
	}
	type call struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	var calls []call
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		_ = json.Unmarshal(body, &calls)
	} else {
		var c call
		if json.Unmarshal(body, &c) == nil {
			calls = []call{c}
		}
	}
	for _, c := range calls {
		if c.Method != "tools/call" {
			continue
		}
		if need, ok := s.toolScopes[c.Params.Name]; ok {
			return need
		}
	}
	return ""
}

// hostAllowed guards against DNS rebinding: when hostgate serves on
// loopback, a request must name a loopback host. Behind a proxy on a public
// name the proxy is trusted with Host.
func (s *Server) hostAllowed(host string) bool {
	if !s.loopback {
		return true
	}
	return isLoopbackHost(host)
}

func isLoopbackHost(hostport string) bool {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// originAllowed accepts our own origin, the configured ones, and, when
// hostgate itself runs on loopback, loopback origins (local tools like the
// MCP Inspector).
func (s *Server) originAllowed(origin string) bool {
	if strings.EqualFold(origin, s.origin) || slices.Contains(s.cfg.AllowedOrigins, origin) {
		return true
	}
	if s.loopback {
		if i := strings.Index(origin, "://"); i > 0 {
			scheme := origin[:i]
			return (scheme == "http" || scheme == "https") && isLoopbackHost(origin[i+3:])
		}
	}
	return false
}
