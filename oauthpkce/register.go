package oauthpkce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hostgate/hostgate/oauthpkce/clientaddr"
	"github.com/hostgate/hostgate/store"
)

// Limits of dynamic client registration.
const (
	maxRegistrationBody = 16 << 10 // bytes of JSON a registration request may carry
	maxClientNameRunes  = 100
	maxRedirectURIs     = 20
	maxMetadataURILen   = 2048 // client_uri, logo_uri, policy_uri, tos_uri
	maxSoftwareField    = 256  // software_id, software_version
	// Longer client_name or scope values are refused rather than cut;
	// names are then cut for display to maxClientNameRunes.
	maxClientNameBytes = 2048
	maxScopeBytes      = 1024
	defaultClientName  = "Unnamed client"
	// prefixClientSecret marks client secrets as the prefixes of
	// secret.go mark codes and tokens.
	prefixClientSecret = "hgs_"
)

// Token endpoint authentication methods (RFC 7591 §2).
const (
	authNone              = "none"
	authClientSecretBasic = "client_secret_basic"
	authClientSecretPost  = "client_secret_post"
)

// Grant and response types a client may register.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	responseTypeCode       = "code"
)

// clientMetadata is the client metadata of RFC 7591 §2 that hostgate reads,
// as sent to /register or published in a client-ID metadata document.
// Unknown members are ignored (RFC 7591 §2).
type clientMetadata struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	LogoURI                 string   `json:"logo_uri,omitempty"`
	// PolicyURI and TosURI are checked like ClientURI but not kept (no page
	// shows them yet), so the response leaves them out (RFC 7591 §3.2.1
	// lets the server drop values).
	PolicyURI       string `json:"policy_uri,omitempty"`
	TosURI          string `json:"tos_uri,omitempty"`
	Scope           string `json:"scope,omitempty"`
	SoftwareID      string `json:"software_id,omitempty"`
	SoftwareVersion string `json:"software_version,omitempty"`
	// ApplicationType comes from OpenID Connect Dynamic Registration §2;
	// MCP 2026-07-28 has clients send it.
	ApplicationType string `json:"application_type,omitempty"`
}

// registrationResponse is the RFC 7591 §3.2.1 response: the client's
// credentials followed by every registered metadata value.
type registrationResponse struct {
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret,omitempty"`
	ClientIDIssuedAt int64  `json:"client_id_issued_at"`
	// ClientSecretExpiresAt is required when a secret is issued; 0 means
	// it never expires.
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
	clientMetadata
}

// handleRegister is the RFC 7591 dynamic client registration endpoint.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) error {
	if allowPublicCORS(w, r, "POST, OPTIONS") {
		return nil
	}
	addr := s.clientIP(r)
	if !s.limiter.allow(addr) {
		s.log.WarnContext(r.Context(), "client registration rate limited", "from", addr)
		// 429 with an OAuth error body: temporarily_unavailable (RFC 6749
		// §4.1.2.1) is the generic "try later" code; slow_down belongs to
		// the device flow's token polling (RFC 8628 §3.5).
		e := errorf(http.StatusTooManyRequests, codeTemporarilyUnavailable, "too many registrations from this address; retry later")
		e.retryAfter = s.limiter.retryAfter()
		return e
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, codeInvalidClientMetadata, "the registration request must be application/json (RFC 7591 §3.1)")
	}
	var m clientMetadata
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistrationBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errorf(http.StatusRequestEntityTooLarge, codeInvalidClientMetadata,
				fmt.Sprintf("the registration request is larger than %d bytes", maxRegistrationBody))
		}
		return badRequest(codeInvalidClientMetadata, "the registration request could not be read")
	}
	if k := duplicateKey(body); k != "" {
		return badRequest(codeInvalidClientMetadata, fmt.Sprintf("the registration request has the member %s twice", quoteValue(k)))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return badRequest(codeInvalidClientMetadata, "the registration request is not a JSON object of client metadata (RFC 7591 §2)")
	}
	if dec.More() {
		return badRequest(codeInvalidClientMetadata, "the registration request has data after its JSON object")
	}
	if e := s.validateClientMetadata(&m, false); e != nil {
		return e
	}

	now := s.now().UTC()
	// 128 random bits, base64url, behind a prefix so that no id starts
	// with "-" (command-line tools would read it as a flag).
	id := "cl-" + newID()
	c := store.Client{
		ID:              id,
		Name:            m.ClientName,
		RedirectURIs:    m.RedirectURIs,
		GrantTypes:      m.GrantTypes,
		ResponseTypes:   m.ResponseTypes,
		Scope:           m.Scope,
		AuthMethod:      m.TokenEndpointAuthMethod,
		ClientURI:       m.ClientURI,
		LogoURI:         m.LogoURI,
		SoftwareID:      m.SoftwareID,
		SoftwareVersion: m.SoftwareVersion,
		ApplicationType: m.ApplicationType,
		RegisteredFrom:  addr,
		CreatedAt:       now,
	}
	resp := registrationResponse{ClientID: id, ClientIDIssuedAt: now.Unix(), clientMetadata: m}
	if m.TokenEndpointAuthMethod != authNone {
		secret := newSecret(prefixClientSecret) // 256 random bits
		// The secret is returned once, below, and stored only as its hash.
		c.SecretHash = store.Hash(secret)
		resp.ClientSecret = secret
		var never int64
		resp.ClientSecretExpiresAt = &never
	}
	ctx := r.Context()
	if err := s.cfg.Store.CreateClient(ctx, c); err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	detail := fmt.Sprintf("name=%q auth=%s from=%s redirect_uris=%d", c.Name, c.AuthMethod, addr, len(c.RedirectURIs))
	if err := s.cfg.Store.AddAuditEvent(ctx, store.AuditEvent{At: now, ClientID: id, Kind: "client.registered", Detail: detail}); err != nil {
		s.log.ErrorContext(ctx, "audit client.registered", "client_id", id, "err", err)
	}
	s.log.InfoContext(ctx, "client registered", "client_id", id, "client_name", c.Name, "auth_method", c.AuthMethod, "from", addr)
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// validateClientMetadata checks m against RFC 7591 §2 and hostgate's
// policy, filling in defaults and normalizing in place. It returns an
// error with an RFC 7591 §3.2.2 code. For a client-ID metadata document
// (fromDocument) the token endpoint auth method defaults to "none" and must
// be "none"; for dynamic registration it defaults to client_secret_basic.
func (s *Server) validateClientMetadata(m *clientMetadata, fromDocument bool) *Error {
	// Redirect URIs: required (RFC 7591 §2 for the code grant), each one
	// allowed by checkRedirectURI.
	if len(m.RedirectURIs) == 0 {
		return badRequest(codeInvalidRedirectURI, "redirect_uris is required and must not be empty")
	}
	if len(m.RedirectURIs) > maxRedirectURIs {
		return badRequest(codeInvalidRedirectURI, fmt.Sprintf("at most %d redirect_uris may be registered", maxRedirectURIs))
	}
	var uris []string
	for _, u := range m.RedirectURIs {
		if err := s.checkRedirectURI(u); err != nil {
			return badRequest(codeInvalidRedirectURI, fmt.Sprintf("redirect URI %s: %v", quoteURI(u), err))
		}
		if !slices.Contains(uris, u) {
			uris = append(uris, u)
		}
	}
	m.RedirectURIs = uris

	switch m.TokenEndpointAuthMethod {
	case "":
		// RFC 7591 §2: the default is client_secret_basic. A metadata
		// document is public, so its client can hold no shared secret.
		m.TokenEndpointAuthMethod = authClientSecretBasic
		if fromDocument {
			m.TokenEndpointAuthMethod = authNone
		}
	case authNone:
	case authClientSecretBasic, authClientSecretPost:
		if fromDocument {
			return badRequest(codeInvalidClientMetadata, "a client known by a metadata document has no client secret: token_endpoint_auth_method must be \"none\"")
		}
	default:
		if fromDocument {
			return badRequest(codeInvalidClientMetadata, fmt.Sprintf("token_endpoint_auth_method must be \"none\", not %s", quoteValue(m.TokenEndpointAuthMethod)))
		}
		return badRequest(codeInvalidClientMetadata, fmt.Sprintf("token_endpoint_auth_method must be one of none, client_secret_basic, client_secret_post, not %s", quoteValue(m.TokenEndpointAuthMethod)))
	}

	// RFC 7591 §2: grant_types defaults to authorization_code. hostgate
	// issues tokens only through the code flow, so it is required.
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{grantAuthorizationCode}
	}
	for _, g := range m.GrantTypes {
		if g != grantAuthorizationCode && g != grantRefreshToken {
			return badRequest(codeInvalidClientMetadata, fmt.Sprintf("grant type %s is not supported; use authorization_code and refresh_token", quoteValue(g)))
		}
	}
	m.GrantTypes = uniqueStrings(m.GrantTypes)
	if !slices.Contains(m.GrantTypes, grantAuthorizationCode) {
		return badRequest(codeInvalidClientMetadata, "grant_types must include authorization_code")
	}
	// RFC 7591 §2 and §2.1: response_types defaults to code, the one
	// response type of the authorization_code grant.
	if len(m.ResponseTypes) == 0 {
		m.ResponseTypes = []string{responseTypeCode}
	}
	for _, rt := range m.ResponseTypes {
		if rt != responseTypeCode {
			return badRequest(codeInvalidClientMetadata, fmt.Sprintf("response type %s is not supported; use code", quoteValue(rt)))
		}
	}
	m.ResponseTypes = uniqueStrings(m.ResponseTypes)

	if len(m.Scope) > maxScopeBytes {
		return badRequest(codeInvalidClientMetadata, fmt.Sprintf("scope is limited to %d bytes", maxScopeBytes))
	}
	if len(m.ClientName) > maxClientNameBytes {
		return badRequest(codeInvalidClientMetadata, fmt.Sprintf("client_name is limited to %d bytes", maxClientNameBytes))
	}
	// RFC 7591 §2: scope is a space-separated list (RFC 6749 §3.3). §3.2.1
	// lets the server replace requested values: scopes we do not offer
	// (offline_access, a generic "mcp") are dropped rather than refused,
	// so that clients which register them still work.
	var scopes []string
	for _, sc := range parseScopes(m.Scope) {
		if _, unknown := s.unknownScope([]string{sc}); !unknown {
			scopes = append(scopes, sc)
		}
	}
	m.Scope = strings.Join(scopes, " ")

	m.ClientName = cleanClientName(m.ClientName)
	if m.ClientName == "" {
		m.ClientName = defaultClientName
	}
	// Pages show and link these: never anything but absolute https, or
	// http on loopback for a client on the host's own computer (RFC 7591
	// §5, RFC 9700 §4.1 for the same reasons as redirect URIs).
	for _, f := range []struct{ name, v string }{
		{"client_uri", m.ClientURI}, {"logo_uri", m.LogoURI}, {"policy_uri", m.PolicyURI}, {"tos_uri", m.TosURI},
	} {
		if f.v != "" && !isMetadataURL(f.v) {
			return badRequest(codeInvalidClientMetadata, f.name+" must be an absolute https URL (http only on loopback)")
		}
	}
	m.PolicyURI, m.TosURI = "", ""
	if len(m.SoftwareID) > maxSoftwareField || len(m.SoftwareVersion) > maxSoftwareField {
		return badRequest(codeInvalidClientMetadata, fmt.Sprintf("software_id and software_version are limited to %d bytes", maxSoftwareField))
	}
	m.SoftwareID, m.SoftwareVersion = stripControls(m.SoftwareID), stripControls(m.SoftwareVersion)
	// OpenID Connect Dynamic Registration §2: application_type is native
	// or web, default web.
	switch m.ApplicationType {
	case "":
		m.ApplicationType = "web"
	case "native", "web":
	default:
		return badRequest(codeInvalidClientMetadata, fmt.Sprintf("application_type must be native or web, not %s", quoteValue(m.ApplicationType)))
	}
	return nil
}

// cleanClientName drops control and formatting characters (bidi overrides,
// zero-width joiners: they could make the consent page show something else
// than it says), trims spaces and caps the length.
func cleanClientName(name string) string {
	name = strings.TrimSpace(stripControls(name))
	if utf8.RuneCountInString(name) > maxClientNameRunes {
		name = strings.TrimSpace(string([]rune(name)[:maxClientNameRunes-1])) + "…"
	}
	return name
}

func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

func isHTTPSURL(raw string) bool {
	if len(raw) > maxMetadataURILen {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Opaque == "" && u.Hostname() != "" && u.User == nil
}

// isMetadataURL reports whether raw is a URL a page may show or link:
// absolute https, or http on a loopback host (127.0.0.0/8, [::1],
// localhost), with no userinfo.
func isMetadataURL(raw string) bool {
	if isHTTPSURL(raw) {
		return true
	}
	if len(raw) > maxMetadataURILen {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Opaque != "" || u.User != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// quoteURI quotes a client-supplied URI for an error description, cut
// short so that a description never echoes more than the URI's start.
func quoteURI(u string) string {
	const max = 200
	if len(u) > max {
		u = u[:max] + "..."
	}
	return strconv.Quote(u)
}

func quoteValue(v string) string {
	const max = 64
	if len(v) > max {
		v = v[:max] + "..."
	}
	return strconv.Quote(v)
}

func uniqueStrings(in []string) []string {
	var out []string
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// clientIP is the address r came from: the TCP peer, or behind a trusted
// proxy the client it names (clientaddr.Of). Anyone else's
// X-Forwarded-For is not trusted: any client can send it.
func (s *Server) clientIP(r *http.Request) string {
	return clientaddr.Of(r, s.cfg.TrustedProxies)
}
