// Package oauthpkce is hostgate's OAuth 2.1 authorization server for MCP
// clients: RFC 8414 metadata, RFC 7591 registration and client-ID metadata
// documents, the authorization endpoint with its sign-in and consent pages,
// the token endpoint (authorization code with PKCE S256, rotating refresh
// tokens), RFC 7009 revocation, and the verification of the access tokens it
// issued, for the MCP endpoint.
//
// OAuth errors are values ([Error]) written by one writer: handlers return
// their failure, and one adapter per surface writes it (JSON for the
// endpoints programs call, a page or a redirect for the host's browser).
// Codes, tokens and client secrets reach the store only hashed. An invalid
// client or redirect URI is shown on hostgate's own page and never
// redirected; other errors go back to the client only once the host has
// signed in (RFC 9700 §4.11.2).
//
// oauthpkce imports store and its signin subpackage; never mcp-go, tools or
// the vendor connectors.
package oauthpkce
