package mcpserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// clientDecl is what a legacy client declared at initialize, kept with its
// session in the database: mcp-go knows it only in the process that served
// initialize, and a tool asks it (may the host be asked in the chat?)
// wherever the call lands.
type clientDecl struct {
	Capabilities mcp.ClientCapabilities `json:"capabilities"`
	Info         mcp.Implementation     `json:"client_info"`
	Version      string                 `json:"protocol_version,omitempty"`
}

// maxClientDecl bounds what is stored per session: a client may declare
// experimental capabilities of any size, which hostgate never reads.
const maxClientDecl = 8 << 10

// encode returns c as stored, trimmed to what hostgate reads if it is
// large; nil if even that is too large.
func (c clientDecl) encode() []byte {
	b, err := json.Marshal(c)
	if err == nil && len(b) <= maxClientDecl {
		return b
	}
	c.Capabilities.Experimental = nil
	c.Info = mcp.Implementation{Name: c.Info.Name, Version: c.Info.Version}
	b, err = json.Marshal(c)
	if err != nil || len(b) > maxClientDecl {
		return nil
	}
	return b
}

// decodeClient reads a stored declaration; nil for none or one that does
// not parse (the session is then served as a client that declared
// nothing).
func decodeClient(b []byte) *clientDecl {
	if len(b) == 0 {
		return nil
	}
	var c clientDecl
	if err := json.Unmarshal(b, &c); err != nil {
		return nil
	}
	return &c
}

// recordClient is an initialize hook: it keeps what the client declared
// with its session, here and in the database.
func (s *sessions) recordClient(ctx context.Context, _ any, req *mcp.InitializeRequest, res *mcp.InitializeResult) {
	sess := server.ClientSessionFromContext(ctx)
	if sess == nil || sess.SessionID() == "" || req == nil {
		return
	}
	c := &clientDecl{Capabilities: req.Params.Capabilities, Info: req.Params.ClientInfo}
	if res != nil {
		c.Version = res.ProtocolVersion
	}
	s.mu.Lock()
	e, ok := s.m[sess.SessionID()]
	if ok {
		e.client = c
	}
	s.mu.Unlock()
	if !ok {
		return // the session was not stored (Generate logged why)
	}
	if err := s.store.SetMCPSessionClient(ctx, e.hash, c.encode()); err != nil {
		s.log.ErrorContext(ctx, "record an MCP client's declaration", "err", err)
	}
}

// versionSetter is mcp-go's session that records its protocol version.
type versionSetter interface{ SetProtocolVersion(string) }

// restoreClient is mcp-go's HTTP context function: on a session this
// process did not initialize, mcp-go serves each request with a fresh
// session that knows nothing of the client; the declaration kept with the
// session is set on it. A session that did initialize here already holds
// its client's name, and costs no lookup.
func (s *sessions) restoreClient(ctx context.Context, _ *http.Request) context.Context {
	sess, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	if !ok || sess.SessionID() == "" || sess.GetClientInfo().Name != "" {
		return ctx
	}
	s.mu.Lock()
	var c *clientDecl
	if e, ok := s.m[sess.SessionID()]; ok {
		c = e.client
	}
	s.mu.Unlock()
	if c == nil {
		return ctx
	}
	sess.SetClientInfo(c.Info)
	sess.SetClientCapabilities(c.Capabilities)
	if v, ok := sess.(versionSetter); ok && c.Version != "" {
		v.SetProtocolVersion(c.Version)
	}
	return ctx
}
