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

// protect is the bearer middleware in front of the MCP handler (see "A tool
// call" in docs/architecture.md): checkBearer decides, and a refusal is
// written by refuse, the one writer of bearer challenges.
func (s *Server) protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.checkBearer(w, r)
		if err != nil {
			s.refuse(w, r, err)
			return
		}
		s.log.DebugContext(r.Context(), "bearer", "outcome", "ok", "host_id", c.UserID, "client_id", c.ClientID)
		// GET and DELETE are bound to the grant as POST is (mcp-go checks
		// POST's session through the grant-bound manager, not the others).
		if s.sessions.guard(w, r, c.GrantID) {
			return
		}
		next.ServeHTTP(w, r.WithContext(tools.WithCaller(r.Context(), c)))
	})
}

// checkBearer applies the bearer rules in order: the Host header and Origin
// checks (DNS rebinding; MCP transports: a present but invalid Origin gets
// 403), the bearer token from one Authorization header only (a token in
// the query is no token), its
// verification (expiry, revocation, audience), and the scope a tools/call
// needs. It returns the caller, or why not: a *refusal, or the token
// store's failure.
func (s *Server) checkBearer(w http.ResponseWriter, r *http.Request) (*tools.Caller, error) {
	if !s.hostHeaderAllowed(r.Host) {
		return nil, errHostHeader
	}
	if o := r.Header.Get("Origin"); o != "" && !s.originAllowed(o) {
		return nil, errOrigin
	}
	// RFC 6750 §2.3 allows a query token; OAuth 2.1 §5.2 and MCP forbid
	// it (URLs end up in logs and histories), so one is no token: 401
	// with the challenge. Beside a header it is a second method (RFC 6750
	// §3.1 invalid_request), as two Authorization headers are.
	auth := r.Header.Values("Authorization")
	if len(auth) > 1 {
		return nil, errTwoTokens
	}
	if r.URL.RawQuery != "" && r.URL.Query().Has("access_token") {
		if len(auth) == 1 {
			return nil, errTwoTokens
		}
		return nil, errNoToken
	}
	if len(auth) == 0 {
		return nil, errNoToken
	}
	token, ok := bearerToken(auth[0])
	if !ok {
		return nil, errNoToken
	}
	acc, err := s.oauth.VerifyAccessToken(r.Context(), token)
	if errors.Is(err, oauthpkce.ErrInvalidToken) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, err
	}
	// A grant holding every scope a tool can need skips the body peek.
	if r.Method == http.MethodPost && !s.hasAllToolScopes(acc.Scopes) {
		r.Body = http.MaxBytesReader(w, r.Body, maxMCPBody)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, errBody
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if tool, need := s.scopeNeeded(body); need != "" && !slices.Contains(acc.Scopes, need) {
			s.recordRefusedCall(acc.UserID, acc.ClientID, acc.ClientName, tool, need)
			// MCP step-up: name every scope the request needs in one challenge.
			return nil, &refusal{status: http.StatusForbidden, outcome: "insufficient_scope",
				code: "insufficient_scope", description: "this tool needs the " + need + " scope",
				scopes: append(slices.Clone(acc.Scopes), need)}
		}
	}
	return &tools.Caller{UserID: acc.UserID, Username: acc.Username, ClientID: acc.ClientID, ClientName: acc.ClientName,
		GrantID: acc.GrantID, Scopes: acc.Scopes, Connections: acc.Connections}, nil
}

// refusal is why the bearer middleware turns a request away. Without text
// it is a bearer challenge (RFC 6750 §3); with text it is a plain-text
// answer and no challenge (the DNS-rebinding checks, an unreadable body, a
// store that cannot answer).
type refusal struct {
	status  int
	outcome string // for the log
	// code and description are RFC 6750 §3.1's error and
	// error_description. A request that sent no credentials gets neither
	// (RFC 6750 §3.1: the error SHOULD NOT be included then).
	code, description string
	// scopes are the challenge's scope: every scope the request needs. Nil
	// means every scope hostgate offers.
	scopes []string
	// text, when set, is the whole plain-text answer: no challenge.
	text string
}

func (e *refusal) Error() string { return "bearer: " + e.outcome }

// The refusals of checkBearer, but for insufficient_scope, which names the
// scopes of its own request.
var (
	errHostHeader = &refusal{status: http.StatusForbidden, outcome: "host_header", text: "Forbidden: invalid Host header"}
	errOrigin     = &refusal{status: http.StatusForbidden, outcome: "origin", text: "Forbidden: invalid Origin header"}
	errTwoTokens  = &refusal{status: http.StatusBadRequest, outcome: "two_tokens",
		code: "invalid_request", description: "send the access token once, in the Authorization header, never in the URL"}
	errNoToken      = &refusal{status: http.StatusUnauthorized, outcome: "no_token"}
	errInvalidToken = &refusal{status: http.StatusUnauthorized, outcome: "invalid_token",
		code: "invalid_token", description: "the access token is invalid, expired or revoked"}
	errBody        = &refusal{status: http.StatusRequestEntityTooLarge, outcome: "body", text: "request body too large or unreadable"}
	errUnavailable = &refusal{status: http.StatusServiceUnavailable, outcome: "unavailable", text: "temporarily unavailable"}
)

// refuse answers a request checkBearer turned away. An error that is not a
// *refusal is the token store failing: logged, and answered 503.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	ref, ok := errors.AsType[*refusal](err)
	if !ok {
		s.log.ErrorContext(r.Context(), "verify token", "err", err)
		ref = errUnavailable
	}
	s.log.DebugContext(r.Context(), "bearer", "outcome", ref.outcome, "status", ref.status)
	s.writeRefusal(w, ref)
}

// writeRefusal writes ref: plain text, or a bearer challenge with a JSON
// body naming its error (a 401 has always said only "unauthorized").
func (s *Server) writeRefusal(w http.ResponseWriter, ref *refusal) {
	if ref.text != "" {
		http.Error(w, ref.text, ref.status)
		return
	}
	h := w.Header()
	h.Set("WWW-Authenticate", s.challenge(ref))
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(ref.status)
	code := ref.code
	if code == "" || ref.status == http.StatusUnauthorized {
		code = "unauthorized"
	}
	_, _ = io.WriteString(w, `{"error":"`+code+`"}`+"\n")
}

// challenge is the WWW-Authenticate value of a bearer refusal: RFC 6750
// §3's error attributes, if any; RFC 9728 §5.1's resource_metadata, by
// which MCP clients discover the authorization server; and the scope the
// request needs (MCP 2025-11-25 step-up: every scope, not only the missing
// one).
func (s *Server) challenge(ref *refusal) string {
	scopes := ref.scopes
	if scopes == nil {
		scopes = s.scopes
	}
	var params []string
	if ref.code != "" {
		params = append(params, `error="`+ref.code+`"`, `error_description="`+ref.description+`"`)
	}
	params = append(params, `resource_metadata="`+s.prmURL+`"`, `scope="`+strings.Join(scopes, " ")+`"`)
	return "Bearer " + strings.Join(params, ", ")
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

// scopeNeeded returns the tool a tools/call in body names and the scope it
// needs, or "" for each. The
// method and tool name are decoded as mcp-go decodes them (encoding/json:
// escapes, case-insensitive keys, the last of duplicate keys). A body
// with neither the bytes tools/call nor any escape cannot name that
// method, and is not parsed here; mcp-go parses every body again. mcp-go
// v1.2.1 answers a batch (a JSON array) with a parse error, but one is
// checked all the same, every element.
func (s *Server) scopeNeeded(body []byte) (tool, scope string) {
	if !bytes.Contains(body, []byte(`tools/call`)) && bytes.IndexByte(body, '\\') < 0 {
		return "", ""
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
			return c.Params.Name, need
		}
	}
	return "", ""
}

// hostHeaderAllowed guards against DNS rebinding: when hostgate serves on
// loopback, a request's Host header must name a loopback address. Behind a
// proxy on a public name the proxy is trusted with the Host header.
func (s *Server) hostHeaderAllowed(hostHeader string) bool {
	if !s.loopback {
		return true
	}
	return isLoopbackHost(hostHeader)
}

// isLoopbackHost reports whether hostport (a Host header or a URL's
// authority, with or without a port) names localhost or a loopback IP.
func isLoopbackHost(hostport string) bool {
	h := hostport
	if name, _, err := net.SplitHostPort(hostport); err == nil {
		h = name
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
