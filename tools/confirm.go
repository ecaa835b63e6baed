package tools

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Writes are the changes a guest or a vendor sees: a message, a calendar
// change, a review reply, a disconnected account. The host confirms each
// one, never the model:
//
//   - where the MCP client can ask the user (form elicitation), the tool
//     asks in the chat, showing exactly what will happen, and acts once on
//     an explicit yes. The round trip is MCP's multi round-trip request
//     (protocol 2026-07-28: an input_required result the client answers
//     and retries with); mcp-go bridges it to elicitation/create for older
//     clients. The state that comes back is sealed to the grant and bound
//     to the tool, its exact arguments and a short expiry, and its id
//     becomes the draft's id, so it is good for one write.
//   - everywhere else the write is saved as a draft, and the model gets a
//     link for the host (/approvals/<id>, behind the host's sign-in) where
//     the host reads the whole change, may edit its text, and approves or
//     discards it. No tool approves a draft.
//
// The host chooses per app, on the connections page, between that default
// ("ask"), "drafts" always, and acting without asking ("act", an explicit
// opt-in). Every write, however confirmed, is recorded as a store.Draft
// first; a repeated call (a lost response, a retry) finds it and acts at
// most once.

const (
	// confirmTTL bounds how long a question in the chat stays answerable.
	confirmTTL = 10 * time.Minute
	// repeatWindow is how long a repeated call finds the earlier write.
	repeatWindow = 30 * time.Minute
	// confirmKey names the one input request of a confirmation.
	confirmKey = "confirm"
	// confirmPurpose is the sealer's purpose for confirmation states.
	confirmPurpose = "confirm"
)

// Preview says exactly what a write will do, for the host.
type Preview struct {
	// Action is a short imperative: "Send this message to Dana Hughes".
	Action string `json:"action"`
	// Lines are what the host must see: account, property, guest, dates.
	Lines []PreviewLine `json:"lines,omitempty"`
	// Text is the full text that will go out (a message, a reply), if any.
	Text string `json:"text,omitempty"`
}

// PreviewLine is one labelled fact of a preview.
type PreviewLine struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// String renders the preview as plain text.
func (p Preview) String() string {
	var b strings.Builder
	b.WriteString(p.Action)
	b.WriteString("?\n")
	for _, l := range p.Lines {
		fmt.Fprintf(&b, "\n%s: %s", l.Label, l.Value)
	}
	if p.Text != "" {
		b.WriteString("\n\n")
		b.WriteString(p.Text)
	}
	return b.String()
}

// summary is the preview in one line, for lists of drafts.
func (p Preview) summary() string {
	if p.Text == "" {
		return p.Action
	}
	return p.Action + ": " + truncate(strings.Join(strings.Fields(p.Text), " "), 80)
}

// WriteOut is what every write tool returns.
type WriteOut[R any] struct {
	// Status: done (carried out now), draft (waiting for the host at
	// approval_url), declined (the host said no in the chat; nothing
	// happened), already_done (this same request was carried out before;
	// it was not repeated).
	Status string `json:"status" jsonschema:"enum=done,enum=draft,enum=declined,enum=already_done"`
	// Next tells the model what to do now.
	Next  string     `json:"next"`
	Draft *DraftInfo `json:"draft,omitempty"`
	// Result is the vendor's answer once done.
	Result *R `json:"result,omitempty"`
}

// DraftInfo describes a write waiting for, or decided by, the host.
type DraftInfo struct {
	ID          string    `json:"id"`
	Tool        string    `json:"tool"`
	Summary     string    `json:"summary"`
	Status      string    `json:"status" jsonschema:"enum=pending,enum=sending,enum=sent,enum=failed,enum=discarded"`
	ApprovalURL string    `json:"approval_url,omitempty" jsonschema_description:"give this link to the host: they approve or discard the draft there"`
	Error       string    `json:"error,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// WriteSpec defines a write tool.
type WriteSpec[In, R any] struct {
	Meta
	// Check validates the input and returns it normalized (trimmed text,
	// resolved defaults), so that what is previewed, keyed and carried out
	// is one value.
	Check func(ctx context.Context, d *Deps, c *Caller, in In) (In, error)
	// Preview says exactly what will happen.
	Preview func(ctx context.Context, d *Deps, c *Caller, in In) (Preview, error)
	// Act carries the write out. It is called at most once per write.
	Act func(ctx context.Context, d *Deps, c *Caller, in In) (R, string, error)
	// Text, when set, reads and replaces the text the host may edit on the
	// approval page (a message body, a reply).
	Text *TextField[In]
	// Verb says what approving does, on the approval page's button:
	// "send", "post", "change the calendar".
	Verb string
}

// TextField gives the approval page the one text a host may edit.
type TextField[In any] struct {
	Get func(in In) string
	Set func(in In, text string) In
	// Max is the most characters the text may have.
	Max int
}

// draftRunner is a write tool as the approval page runs it, on the
// input a draft stores (JSON).
type draftRunner interface {
	// check validates the input, with the host's edited text if text is
	// set, and returns it normalized.
	check(ctx context.Context, d *Deps, c *Caller, input []byte, text *string) ([]byte, error)
	// act carries the input out and returns the vendor's answer, JSON.
	act(ctx context.Context, d *Deps, c *Caller, input []byte) (result []byte, summary string, err error)
	// text returns the input's editable text, if the tool has one.
	text(input []byte) (string, bool)
	// limits are the editable text's maximum length and the verb of the
	// approval button.
	limits() (maxText int, verb string)
}

type runner[In, R any] struct{ spec *WriteSpec[In, R] }

func (r runner[In, R]) decode(input []byte) (In, error) {
	var in In
	if err := json.Unmarshal(input, &in); err != nil {
		return in, fmt.Errorf("decode draft input: %w", err)
	}
	return in, nil
}

func (r runner[In, R]) check(ctx context.Context, d *Deps, c *Caller, input []byte, text *string) ([]byte, error) {
	in, err := r.decode(input)
	if err != nil {
		return nil, err
	}
	if text != nil && r.spec.Text != nil {
		in = r.spec.Text.Set(in, *text)
	}
	if in, err = r.spec.Check(ctx, d, c, in); err != nil {
		return nil, err
	}
	return json.Marshal(in)
}

func (r runner[In, R]) act(ctx context.Context, d *Deps, c *Caller, input []byte) ([]byte, string, error) {
	in, err := r.decode(input)
	if err != nil {
		return nil, "", err
	}
	out, summary, err := r.spec.Act(ctx, d, c, in)
	if err != nil {
		return nil, "", err
	}
	res, err := json.Marshal(out)
	return res, summary, err
}

func (r runner[In, R]) limits() (int, string) {
	max := 0
	if r.spec.Text != nil {
		max = r.spec.Text.Max
	}
	return max, r.spec.Verb
}

func (r runner[In, R]) text(input []byte) (string, bool) {
	if r.spec.Text == nil {
		return "", false
	}
	in, err := r.decode(input)
	if err != nil {
		return "", false
	}
	return r.spec.Text.Get(in), true
}

// NewWrite binds a write tool: it checks the input, then confirms with the
// host as the app's write policy says, and acts at most once.
func NewWrite[In, R any](spec WriteSpec[In, R], d *Deps) Tool {
	if d.writers == nil {
		d.writers = map[string]draftRunner{}
	}
	d.writers[spec.Name] = runner[In, R]{spec: &spec}
	return New(spec.Meta, d, func(ctx context.Context, d *Deps, c *Caller, in In) (WriteOut[R], string, error) {
		return confirmWrite(ctx, d, c, &spec, in)
	})
}

// confirmState is what a question in the chat carries back, sealed.
type confirmState struct {
	ID   string `json:"i"` // the draft id it becomes: one write per state
	Tool string `json:"t"`
	Key  string `json:"k"` // the exact arguments
	Exp  int64  `json:"e"` // unix seconds
}

func confirmWrite[In, R any](ctx context.Context, d *Deps, c *Caller, spec *WriteSpec[In, R], in In) (WriteOut[R], string, error) {
	in, err := spec.Check(ctx, d, c, in)
	if err != nil {
		return WriteOut[R]{}, "", err
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return WriteOut[R]{}, "", err
	}
	key := argsKey(struct {
		T string
		A json.RawMessage
	}{spec.Name, raw})
	now := d.now()

	// The client's answer to a question asked in the chat.
	if rt := roundTripFrom(ctx); rt != nil && rt.RequestState != "" {
		return answered(ctx, d, c, spec, in, raw, key, rt)
	}

	// A repeated call finds what the first one did.
	if prev, err := d.Store.FindDraft(ctx, c.GrantID, key, now.Add(-repeatWindow)); err == nil {
		switch prev.Status {
		case store.DraftSending, store.DraftSent:
			return repeated[R](ctx, d, prev)
		case store.DraftPending:
			recordFrom(ctx).wrote(store.OutcomeDrafted, previewOf(prev), prev.ID)
			info := d.draftInfo(prev)
			return WriteOut[R]{Status: "draft", Draft: &info, Next: draftNext(info)}, "This request is already a draft waiting for the host; nothing was done yet.", nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return WriteOut[R]{}, "", fmt.Errorf("find draft: %w", err)
	}

	pv, err := spec.Preview(ctx, d, c, in)
	if err != nil {
		return WriteOut[R]{}, "", err
	}
	switch policy := d.writePolicy(ctx, c); {
	case policy == store.WriteAct:
		return act(ctx, d, c, spec, in, raw, key, pv, newDraftID(), "auto")
	case policy == store.WriteAsk && canAskInChat(ctx):
		s, err := d.sealer()
		if err != nil {
			return WriteOut[R]{}, "", err
		}
		state, err := s.seal(confirmPurpose, c.GrantID, confirmState{ID: newDraftID(), Tool: spec.Name, Key: key, Exp: now.Add(confirmTTL).Unix()})
		if err != nil {
			return WriteOut[R]{}, "", err
		}
		recordFrom(ctx).wrote(store.OutcomeAsked, &pv, "")
		return WriteOut[R]{}, "", &inputRequired{server.NewInputRequestBuilder(state).Elicit(confirmKey, mcp.ElicitationParams{
			Mode:    mcp.ElicitationModeForm,
			Message: pv.String(),
			RequestedSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"confirm": map[string]any{"type": "boolean", "title": "Yes, do it", "description": pv.Action},
				},
				"required": []string{"confirm"},
			},
		}).ToolResult()}
	default:
		return draft(ctx, d, c, spec, raw, key, pv)
	}
}

// answered acts on the host's answer to a question asked in the chat.
func answered[In, R any](ctx context.Context, d *Deps, c *Caller, spec *WriteSpec[In, R], in In, raw []byte, key string, rt *mcp.MultiRoundTripParams) (WriteOut[R], string, error) {
	refused := Errorf("This confirmation is not valid here (expired, altered, or for other arguments), so nothing was done. Call %s again with the arguments you want; the host will be asked again.", spec.Name)
	s, err := d.sealer()
	if err != nil {
		return WriteOut[R]{}, "", err
	}
	var st confirmState
	if s.open(confirmPurpose, c.GrantID, rt.RequestState, &st) != nil || st.Tool != spec.Name || st.Key != key || d.now().Unix() > st.Exp {
		recordFrom(ctx).refuse()
		return WriteOut[R]{}, "", refused
	}
	answer := server.ElicitationResponse(rt.InputResponses, confirmKey)
	if answer == nil {
		recordFrom(ctx).refuse()
		return WriteOut[R]{}, "", refused
	}
	yes := false
	if content, ok := answer.Content.(map[string]any); ok {
		yes, _ = content["confirm"].(bool)
	}
	pv, err := spec.Preview(ctx, d, c, in)
	if err != nil {
		return WriteOut[R]{}, "", err
	}
	if answer.Action != mcp.ElicitationResponseActionAccept || !yes {
		// Recorded, so that the state cannot be used again.
		now := d.now()
		err := d.Store.CreateDraft(ctx, store.Draft{ID: st.ID, UserID: c.UserID, ClientID: c.ClientID, GrantID: c.GrantID,
			Tool: spec.Name, Args: draftBody(raw, pv), Key: key, Summary: pv.summary(), Status: store.DraftDiscarded, Via: "chat", CreatedAt: now, UpdatedAt: now})
		if errors.Is(err, store.ErrExists) {
			recordFrom(ctx).refuse()
			return WriteOut[R]{}, "", Errorf("This confirmation was already answered, so nothing more was done. Call %s again if the host wants it.", spec.Name)
		}
		if err != nil {
			return WriteOut[R]{}, "", fmt.Errorf("record declined write: %w", err)
		}
		recordFrom(ctx).wrote(store.OutcomeDeclined, &pv, st.ID)
		return WriteOut[R]{Status: "declined", Next: "Do not retry unless the host asks you to."}, "The host declined: nothing was done.", nil
	}
	return act(ctx, d, c, spec, in, raw, key, pv, st.ID, "chat")
}

// act records the write as under way, then carries it out, once.
func act[In, R any](ctx context.Context, d *Deps, c *Caller, spec *WriteSpec[In, R], in In, raw []byte, key string, pv Preview, id, via string) (WriteOut[R], string, error) {
	now := d.now()
	dr := store.Draft{ID: id, UserID: c.UserID, ClientID: c.ClientID, GrantID: c.GrantID, Tool: spec.Name, Args: draftBody(raw, pv),
		Key: key, Summary: pv.summary(), Status: store.DraftSending, Via: via, CreatedAt: now, UpdatedAt: now}
	if err := d.Store.CreateDraft(ctx, dr); err != nil {
		if errors.Is(err, store.ErrExists) {
			// The state was used already: this is a replay.
			if prev, gerr := d.Store.GetDraft(ctx, id); gerr == nil && prev.UserID == c.UserID {
				return repeated[R](ctx, d, prev)
			}
			recordFrom(ctx).refuse()
			return WriteOut[R]{}, "", Errorf("This confirmation was already used, so nothing more was done.")
		}
		return WriteOut[R]{}, "", fmt.Errorf("record write: %w", err)
	}
	out, summary, err := spec.Act(ctx, d, c, in)
	finish(ctx, d, dr, out, err)
	if err != nil {
		recordFrom(ctx).wrote(store.OutcomeFailed, &pv, id)
		return WriteOut[R]{}, "", err
	}
	// Sent only now: the vendor accepted it.
	recordFrom(ctx).wrote(store.OutcomeSent, &pv, id)
	d.log().InfoContext(ctx, "write done", "tool", spec.Name, "host_id", c.UserID, "client_id", c.ClientID, "via", via, "draft", id)
	// The act's own words say what to do next where there is more to do
	// (a quote's link to send); the host hears of it either way.
	next := "Done. Tell the host."
	if summary != "" {
		next = summary + " Tell the host."
	}
	return WriteOut[R]{Status: "done", Result: &out, Next: next}, summary, nil
}

// finish records how a write under way ended. Its context is detached:
// the vendor has already acted.
func finish[R any](ctx context.Context, d *Deps, dr store.Draft, out R, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	from := dr.Status
	dr.UpdatedAt = d.now()
	if err != nil {
		dr.Status, dr.Error = store.DraftFailed, errorText(err)
	} else {
		dr.Status = store.DraftSent
		dr.Result, _ = json.Marshal(out)
	}
	if _, uerr := d.Store.UpdateDraft(ctx, dr, from); uerr != nil {
		d.log().ErrorContext(ctx, "record write outcome", "draft", dr.ID, "err", uerr)
	}
}

// errorText is what a failed write records: a tool error's text, never a
// raw error (which could name internals).
func errorText(err error) string {
	var te *Error
	if errors.As(err, &te) {
		return te.Text
	}
	return "hostgate could not carry this out; see its logs."
}

// draft saves the write for the host to approve on hostgate's page.
func draft[In, R any](ctx context.Context, d *Deps, c *Caller, spec *WriteSpec[In, R], raw []byte, key string, pv Preview) (WriteOut[R], string, error) {
	now := d.now()
	dr := store.Draft{ID: newDraftID(), UserID: c.UserID, ClientID: c.ClientID, GrantID: c.GrantID, Tool: spec.Name,
		Args: draftBody(raw, pv), Key: key, Summary: pv.summary(), Status: store.DraftPending, CreatedAt: now, UpdatedAt: now}
	if err := d.Store.CreateDraft(ctx, dr); err != nil {
		return WriteOut[R]{}, "", fmt.Errorf("save draft: %w", err)
	}
	recordFrom(ctx).wrote(store.OutcomeDrafted, &pv, dr.ID)
	info := d.draftInfo(dr)
	return WriteOut[R]{Status: "draft", Draft: &info, Next: draftNext(info)},
		"Saved as a draft for the host to approve; nothing was done yet.", nil
}

func draftNext(info DraftInfo) string {
	return "Nothing was done yet. Give the host this link to review and approve it: " + info.ApprovalURL +
		" . Do not call this tool again for the same change; list_drafts shows whether the host approved it."
}

// draftArgs is what a draft stores: the tool's input and the preview the
// host approves (or approved).
type draftArgs struct {
	Input   json.RawMessage `json:"input"`
	Preview Preview         `json:"preview"`
}

func draftBody(input []byte, pv Preview) []byte {
	b, err := json.Marshal(draftArgs{Input: input, Preview: pv})
	if err != nil { // cannot happen: input is JSON already
		panic(err)
	}
	return b
}

// previewOf returns the preview a draft stored, or nil if it holds none.
func previewOf(dr store.Draft) *Preview {
	var body draftArgs
	if json.Unmarshal(dr.Args, &body) != nil {
		return nil
	}
	return &body.Preview
}

// repeated answers a call that repeats a write already under way or done.
func repeated[R any](ctx context.Context, d *Deps, prev store.Draft) (WriteOut[R], string, error) {
	recordFrom(ctx).wrote(store.OutcomeRepeated, previewOf(prev), prev.ID)
	info := d.draftInfo(prev)
	out := WriteOut[R]{Status: "already_done", Draft: &info,
		Next: "This exact request was already carried out at " + prev.CreatedAt.Format(time.RFC3339) + "; it was not repeated. To do it again, the host must ask for it and the arguments must differ."}
	if prev.Status == store.DraftSending {
		// Begun and never finished: still under way, or its process
		// stopped mid-way (a resent request after a replica died). Either
		// way the vendor may or may not have it; sending again could do
		// it twice.
		out.Next = "This exact request was started at " + prev.CreatedAt.Format(time.RFC3339) + " and hostgate does not know yet whether the vendor carried it out (it may still be under way, or was cut off); it was not repeated. Check with the matching read tool (for a message, get_messages) before telling the host it is done or asking to do it again."
		return out, "Started earlier, outcome not known yet; not repeated.", nil
	}
	if prev.Status == store.DraftSent && len(prev.Result) > 0 {
		var r R
		if json.Unmarshal(prev.Result, &r) == nil {
			out.Result = &r
		}
	}
	return out, "Already done earlier; not repeated.", nil
}

func (d *Deps) draftInfo(dr store.Draft) DraftInfo {
	info := DraftInfo{ID: dr.ID, Tool: dr.Tool, Summary: dr.Summary, Status: string(dr.Status), Error: dr.Error,
		CreatedAt: dr.CreatedAt, UpdatedAt: dr.UpdatedAt}
	if dr.Status == store.DraftPending {
		info.ApprovalURL = d.BaseURL + "/approvals/" + dr.ID
	}
	return info
}

// writePolicy is the app's write policy; ask when none is recorded.
func (d *Deps) writePolicy(ctx context.Context, c *Caller) store.WritePolicy {
	a, err := d.Store.GetApproval(ctx, c.UserID, c.ClientID)
	if err != nil || !a.WritePolicy.Valid() {
		return store.WriteAsk
	}
	return a.WritePolicy
}

// canAskInChat reports whether the client declared form elicitation: per
// request from protocol 2026-07-28, at initialize before it. An empty
// elicitation capability means form mode (MCP 2025-11-25).
func canAskInChat(ctx context.Context) bool {
	var caps *mcp.ClientCapabilities
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		caps = info.ClientCapabilities
	} else if sess, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		cc := sess.GetClientCapabilities()
		caps = &cc
	}
	if caps == nil || caps.Elicitation == nil {
		return false
	}
	return caps.Elicitation.Form != nil || caps.Elicitation.URL == nil
}

// canShowURL reports whether the client declared URL-mode elicitation.
func canShowURL(ctx context.Context) bool {
	var caps *mcp.ClientCapabilities
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		caps = info.ClientCapabilities
	} else if sess, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		cc := sess.GetClientCapabilities()
		caps = &cc
	}
	return caps != nil && caps.Elicitation != nil && caps.Elicitation.URL != nil
}

// urlState is what a URL shown in the chat carries back, sealed.
type urlState struct {
	Tool string `json:"t"`
	Key  string `json:"k"`
	Exp  int64  `json:"e"`
}

// showURL asks a client that can show the host a link itself (URL-mode
// elicitation) to do so, through the same multi round trip as a
// confirmation. It reports whether the host chose to open it; ir is the
// input_required result to return on the first call.
func showURL(ctx context.Context, d *Deps, c *Caller, tool, key, u, message string) (shown bool, ir *inputRequired, err error) {
	if !canShowURL(ctx) {
		return false, nil, nil
	}
	s, err := d.sealer()
	if err != nil {
		return false, nil, err
	}
	if rt := roundTripFrom(ctx); rt != nil && rt.RequestState != "" {
		var st urlState
		if s.open(confirmPurpose, c.GrantID, rt.RequestState, &st) != nil || st.Tool != tool || st.Key != key || d.now().Unix() > st.Exp {
			return false, nil, nil // not ours: give the link instead
		}
		a := server.ElicitationResponse(rt.InputResponses, confirmKey)
		return a != nil && a.Action == mcp.ElicitationResponseActionAccept, nil, nil
	}
	state, err := s.seal(confirmPurpose, c.GrantID, urlState{Tool: tool, Key: key, Exp: d.now().Add(confirmTTL).Unix()})
	if err != nil {
		return false, nil, err
	}
	return false, &inputRequired{server.NewInputRequestBuilder(state).Elicit(confirmKey, mcp.ElicitationParams{
		Mode: mcp.ElicitationModeURL, Message: message, URL: u, ElicitationID: newDraftID(),
	}).ToolResult()}, nil
}

func newDraftID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return "dr-" + base64.RawURLEncoding.EncodeToString(b)
}

// inputRequired carries an input_required result out of a typed handler.
type inputRequired struct{ res *mcp.CallToolResult }

func (e *inputRequired) Error() string { return "input required" }

type roundTripKey struct{}

// roundTripFrom returns the client's answers to a previous input_required
// result, if this call carries them.
func roundTripFrom(ctx context.Context) *mcp.MultiRoundTripParams {
	rt, _ := ctx.Value(roundTripKey{}).(*mcp.MultiRoundTripParams)
	return rt
}
