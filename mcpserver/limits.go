package mcpserver

import (
	"context"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// limitHooks hides from tools/list the tools the host's limits do not let
// the calling app use (see tools/limits.go for the rest of the limits).
// mcp-go's tool filter (server.WithToolFilter) would also refuse a hidden
// tool's call, as a JSON-RPC "tool not found" error that tells the model
// nothing; so the list is narrowed here, after mcp-go built it, and a call
// of a hidden tool still reaches the tool, which refuses it in words the
// model can act on. hostgate sets no tools/list page size, so the one
// page holds every tool and narrowing it leaves nothing out.
func (s *Server) limitHooks() *server.Hooks {
	h := &server.Hooks{}
	h.AddAfterListTools(func(ctx context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		c, ok := tools.CallerFrom(ctx)
		if !ok || res == nil {
			return
		}
		l, err := s.limits.limits(ctx, c.UserID, c.ClientID)
		if err != nil {
			// The calls are refused by the tools themselves if need be;
			// the list stays whole.
			s.log.ErrorContext(ctx, "tools/list: read app limits", "client_id", c.ClientID, "err", err)
			return
		}
		if len(l.Tools) == 0 {
			return
		}
		kept := make([]mcp.Tool, 0, len(l.Tools))
		for _, t := range res.Tools {
			if l.AllowsTool(t.Name) {
				kept = append(kept, t)
			}
		}
		res.Tools = kept
	})
	return h
}
