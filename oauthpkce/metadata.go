package oauthpkce

import (
	"net/http"
	"regexp"
)

// serverMetadata is the authorization server metadata of RFC 8414 §2.
type serverMetadata struct {
	Issuer                                 string   `json:"issuer"`
	AuthorizationEndpoint                  string   `json:"authorization_endpoint"`
	TokenEndpoint                          string   `json:"token_endpoint"`
	RegistrationEndpoint                   string   `json:"registration_endpoint"`
	RevocationEndpoint                     string   `json:"revocation_endpoint"`
	ScopesSupported                        []string `json:"scopes_supported"`
	ResponseTypesSupported                 []string `json:"response_types_supported"`
	ResponseModesSupported                 []string `json:"response_modes_supported"`
	GrantTypesSupported                    []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported          []string `json:"code_challenge_methods_supported"`
	// draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25.
	ClientIDMetadataDocumentSupported bool `json:"client_id_metadata_document_supported"`
	// RFC 9207 §3: we send iss in every authorization response.
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
}

// handleMetadata serves the RFC 8414 metadata, at
// /.well-known/oauth-authorization-server and, for clients that look for
// OpenID Connect discovery first, /.well-known/openid-configuration.
// Browser-based MCP clients fetch it cross-origin, so it allows any origin.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	if allowPublicCORS(w, r, "GET, HEAD, OPTIONS") {
		return
	}
	iss := s.cfg.Issuer
	authMethods := []string{authNone, authClientSecretBasic, authClientSecretPost}
	writeJSON(w, http.StatusOK, serverMetadata{
		// RFC 8414 §3.3: issuer is exactly the URL the metadata was
		// derived from; MCP clients compare it.
		Issuer:                                 iss,
		AuthorizationEndpoint:                  iss + PathAuthorize,
		TokenEndpoint:                          iss + PathToken,
		RegistrationEndpoint:                   iss + PathRegister,
		RevocationEndpoint:                     iss + PathRevoke,
		ScopesSupported:                        s.scopeNames(),
		ResponseTypesSupported:                 []string{responseTypeCode},
		ResponseModesSupported:                 []string{"query"},
		GrantTypesSupported:                    []string{grantAuthorizationCode, grantRefreshToken},
		TokenEndpointAuthMethodsSupported:      authMethods,
		RevocationEndpointAuthMethodsSupported: authMethods,
		// OAuth 2.1 §4.1.1 and MCP: S256 only; clients refuse an AS
		// without this member.
		CodeChallengeMethodsSupported:              []string{"S256"},
		ClientIDMetadataDocumentSupported:          true,
		AuthorizationResponseIssParameterSupported: true,
	})
}

// corsRequestHeaders matches an Access-Control-Request-Headers value: a
// comma-separated list of header names.
var corsRequestHeaders = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_|~-]+)*$`)

// allowPublicCORS lets pages of any origin call a public, credential-less
// endpoint (metadata, registration): browser-based MCP clients do. It never
// allows credentials, so no cookie rides along. For a preflight (OPTIONS) it
// writes the whole 204 answer and reports true; the caller then stops.
func allowPublicCORS(w http.ResponseWriter, r *http.Request, methods string) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", methods)
	// MCP clients add MCP-Protocol-Version to discovery requests, which
	// makes them preflighted; allow whatever well-formed names are asked.
	if req := r.Header.Get("Access-Control-Request-Headers"); len(req) <= 512 && corsRequestHeaders.MatchString(req) {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return true
}
