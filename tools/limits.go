package tools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/hostgate/hostgate/store"
	"github.com/mark3labs/mcp-go/mcp"
)

// The host may narrow an approved app beyond its scopes and shared
// accounts (store.AppLimits, set on the connections page): to some tools,
// to some properties, until a date. The limits are read from the store at
// every call, so a change holds from the app's next call. They are
// enforced where the model sees the outcome:
//
//   - here, before a tool runs (applyLimits, from New): a call after the
//     end, of a tool not allowed, or naming an item of a property not
//     allowed (or one whose property hostgate cannot tell) is refused with
//     a tool error that says why and where the host changes it; a tool
//     that acts on a whole account is refused under a property limit.
//     Writes are refused here too, so before any preview or confirmation.
//   - in the lists (limits_filter.go): every list keeps only the items of
//     allowed properties, after the per-connection read cache and per
//     caller, so one app's limits never shape what another sees; an item
//     whose property cannot be told is left out, and the result says so.
//   - in tools/list, where mcpserver hides the tools not allowed.

// accountWide are the tools that act on a whole vendor account rather
// than on properties: an app limited to some properties may not use them.
var accountWide = map[string]bool{"disconnect_vendor": true}

// limitError is a call the host's limits refuse; its text is the tool
// error.
type limitError struct{ text string }

func (e *limitError) Error() string { return e.text }

// applyLimits reads the app's limits and checks the call against them. It
// returns the context and caller the tool runs with (carrying the limits
// and, under a property limit, the notes the lists leave), or why the call
// is refused: a *limitError, or the store's failure.
func applyLimits(ctx context.Context, d *Deps, c *Caller, tool string, args map[string]any) (context.Context, *Caller, error) {
	l, err := d.appLimits(ctx, c.UserID, c.ClientID)
	if err != nil {
		return ctx, c, fmt.Errorf("read app limits: %w", err)
	}
	if l.None() {
		return ctx, c, nil
	}
	cc := *c
	cc.Limits = l
	c = &cc
	ctx = WithCaller(ctx, c)
	manage := d.BaseURL + "/connections"
	if l.Ended(d.now()) {
		return ctx, c, &limitError{fmt.Sprintf("The host set this app's access to end at %s, so hostgate no longer carries out its calls; nothing was done. If the host wants this app to keep working, they can extend or remove the end date under this app's limits at %s; then call again.",
			l.Until.UTC().Format("2 Jan 2006 15:04 UTC"), manage)}
	}
	if !l.AllowsTool(tool) {
		return ctx, c, &limitError{fmt.Sprintf("The host limited this app to these tools: %s. %s is not one of them, so hostgate did not run it. Use one of those, or ask the host to allow %s under this app's limits at %s.",
			strings.Join(l.Tools, ", "), tool, tool, manage)}
	}
	if !l.LimitsProperties() {
		return ctx, c, nil
	}
	if accountWide[tool] {
		return ctx, c, &limitError{fmt.Sprintf("%s acts on a whole vendor account, and the host limited this app to some properties (%s), so it may not use it. The host can do this themselves at %s.",
			tool, propertyList(l), manage)}
	}
	if err := checkIDs(ctx, d, c, tool, args); err != nil {
		return ctx, c, err
	}
	return context.WithValue(ctx, notesKey{}, &limitNotes{}), c, nil
}

// limitRefusal is the result of a call applyLimits refused.
func limitRefusal(ctx context.Context, log *slog.Logger, tool string, c *Caller, err error) *mcp.CallToolResult {
	var le *limitError
	if errors.As(err, &le) {
		log.InfoContext(ctx, "tool call", "tool", tool, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "limited")
		return mcp.NewToolResultError(le.text)
	}
	var te *Error
	if errors.As(err, &te) {
		// An id the app may not use at all (not vendor-qualified, of an
		// account not shared): the tool's own words for it.
		log.InfoContext(ctx, "tool call", "tool", tool, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "tool_error")
		return mcp.NewToolResultError(te.Text)
	}
	log.ErrorContext(ctx, "tool call", "tool", tool, "host_id", c.UserID, "client_id", c.ClientID, "outcome", "error", "err", err)
	return mcp.NewToolResultError(fmt.Sprintf("hostgate could not check this call against the limits the host set on this app, so %s did not run. Try again; if it keeps failing, tell the host to check the hostgate logs.", tool))
}

// propertyList names the properties an app may use, for the model.
func propertyList(l store.AppLimits) string { return strings.Join(l.Properties, ", ") }

// idArgs are the arguments, in every tool's input, that name an item tied
// to a property; each is checked under a property limit before the tool
// runs. A tool whose input names such an item under another argument must
// be added here (TestLimitIDArguments fails until it is).
var idArgs = []string{"property_id", "site_id", "reservation_id", "conversation_id", "review_id", "task_id"}

// checkIDs refuses a call that names an item of a property the app may not
// use, or one whose property hostgate cannot tell.
func checkIDs(ctx context.Context, d *Deps, c *Caller, tool string, args map[string]any) error {
	for _, key := range idArgs {
		id, _ := args[key].(string)
		if id == "" {
			continue
		}
		prop, err := d.propertyOfArg(ctx, c, key, id)
		if err != nil {
			return err
		}
		if c.Limits.AllowsProperty(prop) {
			continue
		}
		// An item's own property is not named: it is not the app's to see.
		what := "is not one of the properties"
		if key != "property_id" && key != "site_id" {
			what = "is not at one of the properties"
		}
		return &limitError{fmt.Sprintf("The %s %s %s the host lets this app use (%s), so hostgate did not run %s. Work with those properties, or ask the host to allow more under this app's limits at %s.",
			itemName(key), id, what, propertyList(c.Limits), tool, d.BaseURL+"/connections")}
	}
	return nil
}

// unplaced is the refusal of an item whose property hostgate cannot tell.
func (d *Deps) unplaced(c *Caller, what, why string) error {
	return &limitError{fmt.Sprintf("hostgate could not tell which property %s belongs to (%s), and the host limited this app to some properties (%s), so it was not used. Work with items of those properties, or ask the host to change this app's limits at %s.",
		what, why, propertyList(c.Limits), d.BaseURL+"/connections")}
}

// limitNotes gathers, over one call under a property limit, what the
// result must tell the model about the items the limit left out.
type limitNotes struct {
	mu       sync.Mutex
	filtered bool // a list was narrowed to the allowed properties
	unknown  bool // an item was left out because its property is unknown
}

type notesKey struct{}

func notesFrom(ctx context.Context) *limitNotes {
	n, _ := ctx.Value(notesKey{}).(*limitNotes)
	return n
}

func (n *limitNotes) note(filtered, unknown bool) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.filtered = n.filtered || filtered
	n.unknown = n.unknown || unknown
}

// limitNote is what a result's summary adds when a property limit left
// items out: which properties the app sees, and whether some items were
// left out because their property could not be told. It names no count:
// how much the app does not see is itself not the app's to know.
func limitNote(ctx context.Context, c *Caller) string {
	n := notesFrom(ctx)
	if n == nil {
		return ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.filtered {
		return ""
	}
	s := " The host limited this app to the properties " + propertyList(c.Limits) + ": items of other properties are left out."
	if n.unknown {
		s += " Some items are left out because hostgate could not tell which property they belong to."
	}
	return s
}
