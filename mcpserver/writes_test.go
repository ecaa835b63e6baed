package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// formElicitor is the host answering a confirmation in an MCP client's UI.
type formElicitor struct {
	mu     sync.Mutex
	answer func(mcp.ElicitationParams) *mcp.ElicitationResult
	seen   []mcp.ElicitationParams
}

func (f *formElicitor) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, req.Params)
	return f.answer(req.Params), nil
}

func (f *formElicitor) asked() []mcp.ElicitationParams {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mcp.ElicitationParams(nil), f.seen...)
}

func answer(action mcp.ElicitationResponseAction, confirm bool) func(mcp.ElicitationParams) *mcp.ElicitationResult {
	return func(mcp.ElicitationParams) *mcp.ElicitationResult {
		r := &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: action}}
		if action == mcp.ElicitationResponseActionAccept {
			r.Content = map[string]any{"confirm": confirm}
		}
		return r
	}
}

// elicitingClient is an mcp-go client with tokens already obtained that
// declares form elicitation, on protocol pin ("" = the client's default,
// 2026-07-28, which carries the question as an input_required result).
func elicitingClient(t *testing.T, e *env, tokens transport.TokenStore, el client.ElicitationHandler, pin string) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(e.ts.URL+"/mcp", transport.WithHTTPOAuth(transport.OAuthConfig{
		RedirectURI: clientRedirect, TokenStore: tokens, PKCEEnabled: true,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var opts []client.ClientOption
	if el != nil {
		opts = append(opts, client.WithElicitationHandler(el))
	}
	c := client.NewClient(tr, opts...)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := initRequest(pin)
	if el != nil {
		req.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{Form: &struct{}{}}
	}
	res, err := c.Initialize(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if want := cmpOr(pin, "2026-07-28"); res.ProtocolVersion != want {
		t.Fatalf("negotiated %s, want %s", res.ProtocolVersion, want)
	}
	return c
}

// hostexConversation returns a Hostex reservation with a conversation.
func hostexConversation(t *testing.T, c *client.Client) connectorReservation {
	t.Helper()
	var res tools.ReservationsOut
	if msg := callTool(t, c, "list_reservations", map[string]any{"vendor": "hostex"}, &res); msg != "" {
		t.Fatal(msg)
	}
	for _, r := range res.Reservations {
		if r.ConversationID != "" && r.GuestName != "" {
			return connectorReservation{ID: r.ID, ConversationID: r.ConversationID, Guest: r.GuestName}
		}
	}
	t.Fatal("no hostex reservation with a conversation")
	return connectorReservation{}
}

type connectorReservation struct{ ID, ConversationID, Guest string }

func writeOut(t *testing.T, res *mcp.CallToolResult) tools.WriteOut[json.RawMessage] {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %s", resultText(res))
	}
	var out tools.WriteOut[json.RawMessage]
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return out
}

// TestSendMessageConfirmedInChat: where the client can ask the user, the
// host is asked in the chat, with everything that will happen in the
// question; yes sends exactly one message, no (or cancel, or an unticked
// box) sends none. On protocol 2025-11-25 the question goes out as
// elicitation/create; on 2026-07-28 as an input_required result.
func TestSendMessageConfirmedInChat(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	for _, pin := range []string{"2025-11-25", ""} {
		for _, tc := range []struct {
			name  string
			reply func(mcp.ElicitationParams) *mcp.ElicitationResult
			sent  int
			want  string
		}{
			{"yes", answer(mcp.ElicitationResponseActionAccept, true), 1, "done"},
			{"accept without the box", answer(mcp.ElicitationResponseActionAccept, false), 0, "declined"},
			{"decline", answer(mcp.ElicitationResponseActionDecline, false), 0, "declined"},
			{"cancel", answer(mcp.ElicitationResponseActionCancel, false), 0, "declined"},
		} {
			t.Run(fmt.Sprintf("%s/%s", cmpOr(pin, "2026-07-28"), tc.name), func(t *testing.T) {
				el := &formElicitor{answer: tc.reply}
				c := elicitingClient(t, e, f.tokens, el, pin)
				r := hostexConversation(t, c)
				body := fmt.Sprintf("Hi %s, your door code is 4821 (%s %s).", r.Guest, pin, tc.name)
				before := len(e.sandbox.Hostex.SentMessages())
				out := writeOut(t, rawCall(t, c, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": body}))
				if out.Status != tc.want {
					t.Fatalf("status %q, want %q: %+v", out.Status, tc.want, out)
				}
				sent := e.sandbox.Hostex.SentMessages()[before:]
				if len(sent) != tc.sent || (tc.sent == 1 && sent[0].Body != body) {
					t.Fatalf("vendor received %+v, want %d message(s) with the text", sent, tc.sent)
				}
				asked := el.asked()
				if len(asked) != 1 {
					t.Fatalf("asked %d times", len(asked))
				}
				q := asked[0]
				for _, want := range []string{body, r.Guest, "Account: Hostex", "Property: ", "Stay: "} {
					if !strings.Contains(q.Message, want) {
						t.Errorf("the question does not show %q:\n%s", want, q.Message)
					}
				}
				if q.Mode != "" && q.Mode != mcp.ElicitationModeForm {
					t.Errorf("mode %q", q.Mode)
				}
			})
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// modernCall posts one tools/call on protocol 2026-07-28 with the given
// token, declaring form elicitation, and returns the decoded result.
func modernCall(t *testing.T, e *env, token, tool string, args map[string]any, rt *mcp.MultiRoundTripParams) *mcp.CallToolResult {
	t.Helper()
	params := map[string]any{
		"name": tool, "arguments": args,
		"_meta": map[string]any{
			mcp.MetaKeyProtocolVersion:    "2026-07-28",
			mcp.MetaKeyClientCapabilities: map[string]any{"elicitation": map[string]any{"form": map[string]any{}}},
			mcp.MetaKeyClientInfo:         map[string]any{"name": "raw", "version": "1"},
		},
	}
	if rt != nil {
		params["requestState"] = rt.RequestState
		params["inputResponses"] = rt.InputResponses
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
	resp := postMCPHeaders(t, e.ts.URL+"/mcp", token, string(body), map[string]string{
		"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": tool,
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("tools/call %s: HTTP %d", tool, resp.StatusCode)
	}
	var msg struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	raw := readBody(t, resp)
	if i := strings.Index(raw, "data: "); i >= 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		raw = strings.TrimSpace(strings.SplitN(raw[i+6:], "\n", 2)[0])
	}
	if err := json.Unmarshal([]byte(raw), &msg); err != nil {
		t.Fatalf("decode %q: %v", raw, err)
	}
	if msg.Error != nil {
		t.Fatalf("JSON-RPC error: %s", msg.Error.Message)
	}
	var res mcp.CallToolResult
	if err := json.Unmarshal(msg.Result, &res); err != nil {
		t.Fatalf("decode result %s: %v", msg.Result, err)
	}
	return &res
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

func accepted(yes bool) mcp.InputResponses {
	return mcp.InputResponses{"confirm": mcp.NewElicitationInputResponse(mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
		Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": yes}}})}
}

// TestConfirmationStateRefused drives the 2026-07-28 round trip by hand:
// the state that comes back from the client is refused when altered, when
// it answers other arguments, when it expired, or when used twice; a
// refusal sends nothing, and a good answer sends exactly once.
func TestConfirmationStateRefused(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	tok, err := f.tokens.GetToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := hostexConversation(t, f.client)
	args := map[string]any{"conversation_id": r.ConversationID, "body": "Your early check-in is confirmed."}
	ask := func() string {
		res := modernCall(t, e, tok.AccessToken, "send_message", args, nil)
		if !res.NeedsInput() || res.RequestState == "" {
			t.Fatalf("first call: want input_required with a state, got %+v", res)
		}
		if _, ok := res.InputRequests["confirm"]; !ok {
			t.Fatalf("input requests %+v", res.InputRequests)
		}
		return res.RequestState
	}
	sent := func() int { return len(e.sandbox.Hostex.SentMessages()) }
	start := sent()

	state := ask()
	tampered := []byte(state)
	tampered[len(tampered)/2] ^= 0x01
	otherArgs := map[string]any{"conversation_id": r.ConversationID, "body": "Something else entirely."}
	for _, tc := range []struct {
		name  string
		state string
		args  map[string]any
	}{
		{"altered state", string(tampered), args},
		{"forged state", "eyJpIjoiZHItMSJ9", args},
		{"state for other arguments", state, otherArgs},
	} {
		res := modernCall(t, e, tok.AccessToken, "send_message", tc.args, &mcp.MultiRoundTripParams{RequestState: tc.state, InputResponses: accepted(true)})
		if !res.IsError || !strings.Contains(resultText(res), "nothing was done") {
			t.Fatalf("%s: want a tool error saying nothing was done, got %q", tc.name, resultText(res))
		}
		if sent() != start {
			t.Fatalf("%s: the vendor received a message", tc.name)
		}
	}

	// The good answer sends once; the same answer again sends nothing.
	good := &mcp.MultiRoundTripParams{RequestState: state, InputResponses: accepted(true)}
	if out := writeOut(t, modernCall(t, e, tok.AccessToken, "send_message", args, good)); out.Status != "done" || sent() != start+1 {
		t.Fatalf("good answer: %+v, %d sent", out, sent()-start)
	}
	replay := modernCall(t, e, tok.AccessToken, "send_message", args, good)
	if out := writeOut(t, replay); out.Status != "already_done" || sent() != start+1 {
		t.Fatalf("replayed answer: %+v, %d sent", out, sent()-start)
	}
	// The model calling again with the same arguments: not repeated.
	if out := writeOut(t, modernCall(t, e, tok.AccessToken, "send_message", args, nil)); out.Status != "already_done" || sent() != start+1 {
		t.Fatalf("repeated call: %+v, %d sent", out, sent()-start)
	}

	// An answer past the state's expiry.
	args2 := map[string]any{"conversation_id": r.ConversationID, "body": "See you tomorrow."}
	res := modernCall(t, e, tok.AccessToken, "send_message", args2, nil)
	e.clock.Advance(11 * time.Minute)
	late := modernCall(t, e, tok.AccessToken, "send_message", args2, &mcp.MultiRoundTripParams{RequestState: res.RequestState, InputResponses: accepted(true)})
	if !late.IsError || sent() != start+1 {
		t.Fatalf("expired state: %q, %d sent", resultText(late), sent()-start)
	}
	// A state from another grant is refused too.
	g := e.authorize(t, "2025-11-25")
	defer g.client.Close()
	tok2, _ := g.tokens.GetToken(context.Background())
	res = modernCall(t, e, tok.AccessToken, "send_message", args2, nil)
	stolen := modernCall(t, e, tok2.AccessToken, "send_message", args2, &mcp.MultiRoundTripParams{RequestState: res.RequestState, InputResponses: accepted(true)})
	if !stolen.IsError || sent() != start+1 {
		t.Fatalf("another grant's state: %q, %d sent", resultText(stolen), sent()-start)
	}
}

// signedIn is the host's browser, signed in.
func signedIn(t *testing.T, e *env) *browsertest.Browser {
	t.Helper()
	b := browsertest.New(t, e.ts.URL)
	p := b.Get("/connections")
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {hostPassword}})
	if p.URL.Path != "/connections" {
		t.Fatalf("sign-in landed on %s", p.URL)
	}
	return b
}

// TestDraftApprovedByTheHost: a client that cannot ask the user gets a
// draft: nothing is sent, calling again changes nothing, and only the host,
// on hostgate's page, sends it, once, with the text as the host edited it.
func TestDraftApprovedByTheHost(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	r := hostexConversation(t, f.client)
	args := map[string]any{"conversation_id": r.ConversationID, "body": "Draft: the pool is open until 10pm."}
	start := len(e.sandbox.Hostex.SentMessages())

	out := writeOut(t, rawCall(t, f.client, "send_message", args))
	if out.Status != "draft" || out.Draft == nil || !strings.HasPrefix(out.Draft.ApprovalURL, e.ts.URL+"/approvals/") {
		t.Fatalf("want a draft with an approval link, got %+v", out)
	}
	again := writeOut(t, rawCall(t, f.client, "send_message", args))
	if again.Status != "draft" || again.Draft.ID != out.Draft.ID {
		t.Fatalf("calling again: %+v, want the same draft", again)
	}
	if n := len(e.sandbox.Hostex.SentMessages()) - start; n != 0 {
		t.Fatalf("%d messages sent before the host approved", n)
	}
	var drafts tools.DraftsOut
	callTool(t, f.client, "list_drafts", map[string]any{"status": "pending"}, &drafts)
	if len(drafts.Drafts) != 1 || drafts.Drafts[0].ID != out.Draft.ID {
		t.Fatalf("list_drafts pending = %+v", drafts.Drafts)
	}

	// Another host cannot see it.
	other := store.User{ID: "host-2", Username: "mallory", PasswordHash: e.host.PasswordHash, CreatedAt: e.clock.Now()}
	if err := e.store.CreateUser(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	mb := browsertest.New(t, e.ts.URL)
	p := mb.Get("/connections")
	mb.Submit(p.Form(t, "/signin"), url.Values{"username": {"mallory"}, "password": {hostPassword}})
	if p := mb.Get(out.Draft.ApprovalURL); p.Resp.StatusCode != http.StatusNotFound || strings.Contains(p.Body, "pool is open") {
		t.Fatalf("another host's view of the draft: %d", p.Resp.StatusCode)
	}

	b := signedIn(t, e)
	p = b.Get(out.Draft.ApprovalURL)
	if p.Resp.StatusCode != http.StatusOK || !strings.Contains(p.Body, "pool is open") || p.Resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("approval page: %d %v", p.Resp.StatusCode, p.Resp.Header)
	}
	form := p.Form(t, "/approvals/"+out.Draft.ID)
	// Without the CSRF token: refused, nothing sent.
	if p := b.Post("/approvals/"+out.Draft.ID, url.Values{"action": {"approve"}}); p.Resp.StatusCode != http.StatusForbidden {
		t.Fatalf("approve without CSRF: %d", p.Resp.StatusCode)
	}
	edited := "Edited by the host: the pool is open until 9pm."
	p = b.Submit(form, url.Values{"action": {"approve"}, "text": {edited}})
	if !strings.Contains(p.Body, "Approved") {
		t.Fatalf("approve: %d %s", p.Resp.StatusCode, p.Body)
	}
	sent := e.sandbox.Hostex.SentMessages()[start:]
	if len(sent) != 1 || sent[0].Body != edited {
		t.Fatalf("vendor received %+v, want the edited message once", sent)
	}
	// Approving again (a double click, the back button) sends nothing more.
	p = b.Submit(form, url.Values{"action": {"approve"}, "text": {edited}})
	if !strings.Contains(p.Body, "already decided") || len(e.sandbox.Hostex.SentMessages())-start != 1 {
		t.Fatalf("second approval: %s; %d sent", p.Body, len(e.sandbox.Hostex.SentMessages())-start)
	}
	// The model calling again never sends it.
	if out := writeOut(t, rawCall(t, f.client, "send_message", args)); out.Status != "already_done" {
		t.Fatalf("calling after approval: %+v", out)
	}
	if n := len(e.sandbox.Hostex.SentMessages()) - start; n != 1 {
		t.Fatalf("%d messages sent in all, want 1", n)
	}
	callTool(t, f.client, "list_drafts", nil, &drafts)
	if len(drafts.Drafts) != 1 || drafts.Drafts[0].Status != "sent" || !strings.Contains(drafts.Drafts[0].Summary, "Edited by the host") {
		t.Fatalf("list_drafts after = %+v", drafts.Drafts)
	}

	// A discarded draft sends nothing.
	out = writeOut(t, rawCall(t, f.client, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": "Never mind."}))
	p = b.Get(out.Draft.ApprovalURL)
	p = b.Submit(p.Form(t, "/approvals/"+out.Draft.ID), url.Values{"action": {"discard"}})
	if !strings.Contains(p.Body, "Discarded") || len(e.sandbox.Hostex.SentMessages())-start != 1 {
		t.Fatalf("discard: %s", p.Body)
	}
}

// TestWritePolicies: the host's choice per app on the connections page:
// "drafts" makes a draft even where the client could ask; "act" sends
// without asking, and still only once for a repeated call.
func TestWritePolicies(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	el := &formElicitor{answer: answer(mcp.ElicitationResponseActionAccept, true)}
	c := elicitingClient(t, e, f.tokens, el, "2025-11-25")
	r := hostexConversation(t, c)
	b := signedIn(t, e)
	setPolicy := func(policy string) {
		t.Helper()
		p := b.Get("/connections")
		p = b.Submit(p.Form(t, "/clients/"+f.clientID+"/policy"), url.Values{"policy": {policy}})
		if !strings.Contains(p.Body, "Saved how") {
			t.Fatalf("set policy %s: %d %s", policy, p.Resp.StatusCode, p.Body)
		}
	}
	start := len(e.sandbox.Hostex.SentMessages())

	setPolicy("drafts")
	out := writeOut(t, rawCall(t, c, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": "Policy drafts."}))
	if out.Status != "draft" || len(el.asked()) != 0 || len(e.sandbox.Hostex.SentMessages()) != start {
		t.Fatalf("drafts policy: %+v, asked %d", out, len(el.asked()))
	}

	setPolicy("act")
	args := map[string]any{"conversation_id": r.ConversationID, "body": "Policy act."}
	out = writeOut(t, rawCall(t, c, "send_message", args))
	if out.Status != "done" || len(el.asked()) != 0 || len(e.sandbox.Hostex.SentMessages()) != start+1 {
		t.Fatalf("act policy: %+v, asked %d", out, len(el.asked()))
	}
	out = writeOut(t, rawCall(t, c, "send_message", args))
	if out.Status != "already_done" || len(e.sandbox.Hostex.SentMessages()) != start+1 {
		t.Fatalf("act policy, repeated: %+v", out)
	}
	// A forged policy value is refused.
	p := b.Get("/connections")
	if p := b.Submit(p.Form(t, "/clients/"+f.clientID+"/policy"), url.Values{"policy": {"yolo"}}); p.Resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad policy: %d", p.Resp.StatusCode)
	}
}

// TestCalendarWriteConfirmed: the same confirmation for a calendar change:
// yes in the chat blocks the night once, no changes nothing, and a client
// that cannot ask gets a draft the host approves on the page, once.
func TestCalendarWriteConfirmed(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	var props tools.PropertiesOut
	callTool(t, f.client, "list_properties", map[string]any{"vendor": "hostex"}, &props)
	if len(props.Properties) == 0 {
		t.Fatal("no hostex property")
	}
	prop := props.Properties[0]
	night := func(days int) string { return e.clock.Now().AddDate(0, 0, days).Format("2006-01-02") }
	writes := func() int { return len(e.sandbox.Hostex.CalendarWrites()) }
	start := writes()

	for _, tc := range []struct {
		name  string
		reply func(mcp.ElicitationParams) *mcp.ElicitationResult
		n     int
		want  string
	}{
		{"yes", answer(mcp.ElicitationResponseActionAccept, true), 1, "done"},
		{"no", answer(mcp.ElicitationResponseActionDecline, false), 0, "declined"},
	} {
		el := &formElicitor{answer: tc.reply}
		c := elicitingClient(t, e, f.tokens, el, "")
		before := writes()
		day := night(14 + len(tc.name))
		out := writeOut(t, rawCall(t, c, "update_calendar", map[string]any{"property_id": prop.ID, "from": day, "to": day, "available": false}))
		if out.Status != tc.want || writes()-before != tc.n {
			t.Fatalf("%s: %+v, %d writes", tc.name, out, writes()-before)
		}
		q := el.asked()
		if len(q) != 1 || !strings.Contains(q[0].Message, prop.Name) || !strings.Contains(q[0].Message, "the night of "+day) || !strings.Contains(q[0].Message, "block") {
			t.Fatalf("%s: the question does not say what will change: %+v", tc.name, q)
		}
		if tc.n == 1 {
			w := e.sandbox.Hostex.CalendarWrites()[before]
			if len(w.Dates) != 1 || w.Dates[0] != day || w.Available == nil || *w.Available {
				t.Fatalf("vendor received %+v", w)
			}
		}
	}

	// A client that cannot ask: a draft, approved by the host on the page.
	day := night(30)
	args := map[string]any{"property_id": prop.ID, "from": day, "to": night(31), "min_stay": 3}
	out := writeOut(t, rawCall(t, f.client, "update_calendar", args))
	if out.Status != "draft" || writes() != start+1 {
		t.Fatalf("draft: %+v, %d writes", out, writes()-start)
	}
	b := signedIn(t, e)
	p := b.Get(out.Draft.ApprovalURL)
	if !strings.Contains(p.Body, "minimum stay 3 nights") || strings.Contains(p.Body, "<textarea") {
		t.Fatalf("approval page does not show the change (or offers text to edit): %s", p.Body)
	}
	p = b.Submit(p.Form(t, "/approvals/"+out.Draft.ID), url.Values{"action": {"approve"}})
	if !strings.Contains(p.Body, "Approved") || writes() != start+2 {
		t.Fatalf("approve: %d writes: %s", writes()-start, p.Body)
	}
	if out := writeOut(t, rawCall(t, f.client, "update_calendar", args)); out.Status != "already_done" || writes() != start+2 {
		t.Fatalf("calling again: %+v, %d writes", out, writes()-start)
	}
}
