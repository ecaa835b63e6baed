package mcpserver

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// What the activity log records, besides the security events the
// authorization server writes (sign-ins, consent, tokens issued, replays):
// every tool call, through one mcp-go middleware; the host's decisions on
// the approval page and the connections page; and every change to a vendor
// connection, from the connection lifecycle. See docs/security.md for what
// it never records.

// Kinds of events recorded here (see also store.EventToolCall).
const (
	eventGrantRevoked  = "grant.revoked" // the authorization server writes it too, "by client"
	eventPolicyChanged = "policy.changed"
	// connection.<connector.Change kind>
	eventConnection = "connection."
)

// maxDetail bounds the text of an error kept in an event.
const maxDetail = 500

// recordToolCalls is the tool-handler middleware that logs every call: the
// tool, the app, the accounts it touched, how it ended, how long it took,
// and for a write what it was (tools.Record). It is outermost, so that a
// recovered panic is logged as an error too.
func (s *Server) recordToolCalls(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		s.toolCallStarted()
		defer s.toolCallEnded()
		c, ok := tools.CallerFrom(ctx)
		if !ok {
			// No verified caller: no host whose log it belongs in. The
			// tool refuses such a call.
			return next(ctx, req)
		}
		rec := &tools.Record{}
		at, start := s.cfg.Now(), time.Now()
		res, err := next(tools.WithRecord(ctx, rec), req)
		e := store.AuditEvent{At: at, UserID: c.UserID, ClientID: c.ClientID, AppName: c.ClientName,
			Kind: store.EventToolCall, Tool: req.Params.Name, Outcome: store.OutcomeOK, Duration: time.Since(start)}
		var failure string
		if err != nil || res == nil || res.IsError {
			e.Outcome, failure = store.OutcomeError, errorText(res)
		}
		rec.Fill(&e)
		addFailure(&e, failure)
		s.countToolCall(e)
		s.activity.add(e)
		return res, err
	}
}

// errorText is the text of a tool error, bounded; tool errors tell the
// model what to do next and never hold a secret.
func errorText(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return clip(strings.Join(parts, " "), maxDetail)
}

// addFailure puts why a call failed in the event: as its detail, or, when
// the detail already says what the call was (a write), as a fact.
func addFailure(e *store.AuditEvent, why string) {
	switch {
	case why == "":
	case e.Detail == "":
		e.Detail = why
	default:
		e.Facts = append(e.Facts, store.EventFact{Label: "Error", Value: why})
	}
}

// clip cuts s to at most n characters, never inside one.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// recordRefusedCall logs a tools/call the bearer check turned away for a
// scope the grant lacks: the tool never ran.
func (s *Server) recordRefusedCall(userID, clientID, appName, tool, scope string) {
	e := store.AuditEvent{At: s.cfg.Now(), UserID: userID, ClientID: clientID, AppName: appName,
		Kind: store.EventToolCall, Tool: tool, Outcome: store.OutcomeRefused,
		Detail: "The app was not granted the " + scope + " scope this tool needs."}
	s.countToolCall(e)
	s.activity.add(e)
}

// connectionChanged logs a change to a vendor connection, naming the app
// whose call made it, if one did.
func (s *Server) connectionChanged(ctx context.Context, ch connector.Change) {
	e := store.AuditEvent{At: s.cfg.Now(), UserID: ch.Conn.UserID, Kind: eventConnection + ch.Kind,
		Accounts: []store.EventAccount{{ID: ch.Conn.ID, Vendor: ch.Conn.Vendor, Label: ch.Conn.Label, Team: ch.Conn.TeamID}}}
	switch {
	case ch.Kind == connector.ChangeNeedsReauth:
		e.Detail = ch.Reason
	case ch.Kind == connector.ChangeDisconnected && ch.Revoked:
		e.Detail = s.title(ch.Conn.Vendor) + " confirmed it revoked hostgate's access."
	}
	if c, ok := tools.CallerFrom(ctx); ok {
		e.ClientID, e.AppName = c.ClientID, c.ClientName
	}
	s.activity.add(e)
}

// recordHostAction logs something the host did on a page about one app:
// the app's name is looked up now, so the log keeps it after the app goes.
func (s *Server) recordHostAction(ctx context.Context, e store.AuditEvent) {
	if e.AppName == "" && e.ClientID != "" {
		if c, err := s.cfg.Store.GetClient(ctx, e.ClientID); err == nil {
			e.AppName = c.Name
		}
	}
	if e.At.IsZero() {
		e.At = s.cfg.Now()
	}
	s.activity.add(e)
}

// Close ends the subscription to the database's changes (fleet.go),
// writes the activity log's waiting events and stops its writer; call it
// before closing the store. Events recorded afterwards are written
// one at a time.
func (s *Server) Close(ctx context.Context) error {
	s.stopFollowing()
	return s.activity.Close(ctx)
}

// FlushActivity returns once every activity event recorded before it is
// in the store.
func (s *Server) FlushActivity(ctx context.Context) error { return s.activity.Flush(ctx) }

// SweepActivity deletes the activity events older than the configured
// retention (Config.ActivityRetention; none when it is zero) and returns
// how many.
func (s *Server) SweepActivity(ctx context.Context) (int64, error) {
	if s.cfg.ActivityRetention <= 0 {
		return 0, nil
	}
	return s.cfg.Store.DeleteActivityBefore(ctx, s.cfg.Now().Add(-s.cfg.ActivityRetention))
}
