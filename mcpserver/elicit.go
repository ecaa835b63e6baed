package mcpserver

import (
	"context"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// elicitTimeout bounds how long a tool waits for the host to answer a URL
// elicitation (open the link, or not).
const elicitTimeout = 2 * time.Minute

// elicitURL asks the client to show the host a URL (MCP 2025-11-25 URL-mode
// elicitation), if the client declared it supports that, and reports
// whether the host accepted. Any failure means "not shown": the tool then
// gives the model the URL to pass on instead.
func elicitURL(ctx context.Context, srv *server.MCPServer, u, message string) bool {
	sess := server.ClientSessionFromContext(ctx)
	info, ok := sess.(server.SessionWithClientInfo)
	if !ok {
		return false
	}
	caps := info.GetClientCapabilities()
	if caps.Elicitation == nil || caps.Elicitation.URL == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, elicitTimeout)
	defer cancel()
	res, err := srv.RequestURLElicitation(ctx, sess, newID(), u, message)
	return err == nil && res != nil && res.Action == mcp.ElicitationResponseActionAccept
}
