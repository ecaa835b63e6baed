// Package mcpserver is hostgate's composition root and its whole HTTP
// surface: the MCP endpoint (mcp-go streamable HTTP) behind the bearer
// middleware, the protected-resource metadata, the authorization server's
// and sign-in's routes, the pages, and health. It is the only package that
// knows both oauthpkce and tools.
package mcpserver
