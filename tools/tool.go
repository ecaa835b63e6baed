package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// The scopes tools require. They are the authorization server's scope names.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Store is what tools read and write.
type Store interface {
	store.Users
	store.Clients
	store.Connections
	store.Approvals
	store.Limits
	store.Drafts
	GetGrant(ctx context.Context, id string) (store.Grant, error)
	GetMembership(ctx context.Context, teamID, userID string) (store.Membership, error)
}

// Deps are what tool handlers use.
type Deps struct {
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time
	// BaseURL is hostgate's public URL, for links the model passes to the host.
	BaseURL string
	// Registry is the configured vendors; nil when none is.
	Registry *connector.Registry
	// Lifecycle owns the hosts' vendor connections: it builds a
	// connection's connector, refreshes and disconnects it. Nil when no
	// vendor is configured.
	Lifecycle *connector.Lifecycle
	// Vendors are the vendor names, in the order tools present them.
	Vendors []string
	// StateKey (32 secret bytes) seals what tools hand the client to take
	// back later: page cursors and confirmation round trips.
	StateKey []byte
	// AppLimits returns the host's limits of an app, from a cache the
	// server keeps current; nil reads the store on every call.
	AppLimits func(ctx context.Context, userID, clientID string) (store.AppLimits, error)

	sealOnce sync.Once
	seal     *sealer
	sealErr  error
	// writers are the write tools by name, for drafts the host approves.
	writers map[string]draftRunner
	// snapshots keep what a paged call's accounts answered, for its
	// next pages.
	snapshots snapshots
}

// appLimits returns the host's limits of an app.
func (d *Deps) appLimits(ctx context.Context, userID, clientID string) (store.AppLimits, error) {
	if d.AppLimits != nil {
		return d.AppLimits(ctx, userID, clientID)
	}
	return d.Store.GetAppLimits(ctx, userID, clientID)
}

// sealer returns the sealer built from StateKey.
func (d *Deps) sealer() (*sealer, error) {
	d.sealOnce.Do(func() { d.seal, d.sealErr = newSealer(d.StateKey) })
	return d.seal, d.sealErr
}

// VendorNames returns the configured vendors.
func (d *Deps) VendorNames() []string { return d.Vendors }

func (d *Deps) title(vendor string) string {
	if s, ok := d.Registry.Spec(vendor); ok {
		return s.Title
	}
	return vendor
}

// connectURL is where the host connects an account (of one vendor, if given).
func (d *Deps) connectURL(vendor string) string {
	if vendor == "" {
		return d.BaseURL + "/connections"
	}
	return d.BaseURL + "/connections?vendor=" + vendor
}

// reconnectURL is where the host repairs one connection.
func (d *Deps) reconnectURL(connID string) string {
	return d.BaseURL + "/connections?reconnect=" + connID
}

func (d *Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *Deps) log() *slog.Logger {
	if d.Logger == nil {
		return slog.Default()
	}
	return d.Logger
}

// Tool is one MCP tool with the scope a caller needs to call it.
type Tool struct {
	Def     mcp.Tool
	Scope   string
	Handler server.ToolHandlerFunc
}

// Error is a tool error: its text is shown to the model and must tell it
// what to do next. It never holds a secret.
type Error struct{ Text string }

func (e *Error) Error() string { return e.Text }

// Errorf returns a tool error with formatted text.
func Errorf(format string, args ...any) error { return &Error{Text: fmt.Sprintf(format, args...)} }

// Handler is a typed tool handler. It returns the structured result and a
// one-line summary; the result's text is the summary and then the same
// data as JSON (see render).
type Handler[In, Out any] func(ctx context.Context, d *Deps, c *Caller, in In) (out Out, summary string, err error)

// Meta describes a tool.
type Meta struct {
	Name        string
	Title       string
	Description string
	Scope       string
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	// OpenWorld: the tool reaches a vendor outside hostgate.
	OpenWorld bool
	// Vendors, when set, are the values the input's "vendor" property
	// takes: the configured vendors that can answer the tool.
	Vendors []string
}

// vendorsWith returns the configured vendors whose connector has a
// capability, in the configured order. Building a connector makes no call.
func (d *Deps) vendorsWith(has func(connector.Connector) bool) []string {
	var out []string
	for _, name := range d.Vendors {
		if spec, ok := d.spec(name); ok && has(spec.New(spec, nil)) {
			out = append(out, name)
		}
	}
	return out
}

func (d *Deps) spec(vendor string) (*connector.Spec, bool) {
	return d.Registry.Spec(vendor)
}

// withProperties gives an input schema without properties (a tool that
// takes no arguments) an empty "properties" object: some clients' function
// calling refuses an object schema without one.
func withProperties(raw json.RawMessage) json.RawMessage {
	var schema map[string]any
	if json.Unmarshal(raw, &schema) != nil {
		return raw
	}
	if _, ok := schema["properties"]; ok {
		return raw
	}
	schema["properties"] = map[string]any{}
	b, err := json.Marshal(schema)
	if err != nil {
		return raw
	}
	return b
}

// withVendorEnum restricts the "vendor" property of an input schema to
// vendors. The schema is data derived from the vendor list, never a
// hand-kept list in a struct tag.
func withVendorEnum(raw json.RawMessage, vendors []string) json.RawMessage {
	var schema map[string]any
	if len(vendors) == 0 || json.Unmarshal(raw, &schema) != nil {
		return raw
	}
	props, _ := schema["properties"].(map[string]any)
	prop, _ := props["vendor"].(map[string]any)
	if prop == nil {
		return raw
	}
	prop["enum"] = vendors
	b, err := json.Marshal(schema)
	if err != nil {
		return raw
	}
	return b
}

// New binds a typed handler into a Tool. The input schema is inferred from
// In, the output schema from Out; the caller's scope is checked again here
// (mcpserver already answers HTTP 403 before a call gets this far); a
// returned *Error becomes a tool error with its text, any other error a
// generic tool error, logged.
func New[In, Out any](m Meta, d *Deps, h Handler[In, Out]) Tool {
	def := mcp.NewTool(m.Name,
		mcp.WithToolTitle(m.Title),
		mcp.WithDescription(m.Description),
		mcp.WithInputSchema[In](),
		mcp.WithOutputSchema[Out](),
		mcp.WithToolAnnotation(mcp.ToolAnnotation{
			Title:           m.Title,
			ReadOnlyHint:    mcp.ToBoolPtr(m.ReadOnly),
			DestructiveHint: mcp.ToBoolPtr(m.Destructive),
			IdempotentHint:  mcp.ToBoolPtr(m.Idempotent),
			OpenWorldHint:   mcp.ToBoolPtr(m.OpenWorld),
		}),
	)
	def.RawInputSchema = withProperties(withVendorEnum(def.RawInputSchema, m.Vendors))
	known := argumentNames(def.RawInputSchema)
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c, ok := CallerFrom(ctx)
		if !ok {
			recordFrom(ctx).refuse()
			return mcp.NewToolResultError("This call carries no verified caller. Reconnect the MCP client to hostgate."), nil
		}
		if !c.HasScope(m.Scope) {
			recordFrom(ctx).refuse()
			return mcp.NewToolResultError(fmt.Sprintf("This app was not granted the %q scope that %s needs. Ask the host to reconnect the app to hostgate and approve %q.", m.Scope, m.Name, m.Scope)), nil
		}
		// The host's limits on the app, read at every call (limits.go).
		ctx, c, err := applyLimits(ctx, d, c, m.Name, req.GetArguments())
		if err != nil {
			return limitRefusal(ctx, log, m.Name, c, err), nil
		}
		if msg := unknownArguments(m.Name, req.GetArguments(), known); msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		var in In
		if err = req.BindArguments(&in); err != nil {
			return mcp.NewToolResultError(fmt.Sprintf("The arguments do not match %s's input schema: %v. Fix them and call again.", m.Name, err)), nil
		}
		if rt := req.Params.MultiRoundTripParams; rt.RequestState != "" || len(rt.InputResponses) > 0 {
			ctx = context.WithValue(ctx, roundTripKey{}, &rt)
		}
		start := time.Now()
		out, summary, err := h(ctx, d, c, in)
		if err != nil {
			var ir *inputRequired
			if errors.As(err, &ir) {
				log.DebugContext(ctx, "tool call", "tool", m.Name, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "input_required")
				return ir.res, nil
			}
			var te *Error
			if errors.As(err, &te) {
				log.InfoContext(ctx, "tool call", "tool", m.Name, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "tool_error", "duration", time.Since(start))
				return mcp.NewToolResultError(te.Text), nil
			}
			log.ErrorContext(ctx, "tool call", "tool", m.Name, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "error", "err", err)
			return mcp.NewToolResultError(fmt.Sprintf("%s failed inside hostgate. Try again; if it keeps failing, tell the host to check the hostgate logs.", m.Name)), nil
		}
		log.DebugContext(ctx, "tool call", "tool", m.Name, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "ok", "duration", time.Since(start))
		res, err := render(out, summary+limitNote(ctx, c))
		if err != nil {
			log.ErrorContext(ctx, "tool call", "tool", m.Name, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "error", "err", err)
			return mcp.NewToolResultError(fmt.Sprintf("%s failed inside hostgate. Try again; if it keeps failing, tell the host to check the hostgate logs.", m.Name)), nil
		}
		return res, nil
	}
	return Tool{Def: def, Scope: m.Scope, Handler: handler}
}
