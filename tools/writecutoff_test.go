package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestWriteUnderWayIsNotRepeated: an app the host lets act without asking
// sends a message, and the same call comes again while the first is still
// with the vendor — as when a load balancer resends a request whose
// replica died mid-write. The second does not send again, and tells the
// model that whether the first reached the vendor is not known yet, and
// how to find out; it does not claim the message was sent.
func TestWriteUnderWayIsNotRepeated(t *testing.T) {
	h := newCached(t)
	ctx := context.Background()
	h.actWithoutAsking(t)
	var convs tools.ConversationsOut
	h.must(t, "list_conversations", nil, &convs)
	args := map[string]any{"conversation_id": convs.Conversations[0].ID, "body": "Your door code is 4821."}
	sent := len(h.fake.SentMessages())

	// The first call hangs at the vendor until cancelled. It runs on
	// deps whose store says when the write is recorded as under way.
	h.fake.Fail(sandbox.Fault{Method: "POST", Delay: time.Hour})
	recorded := make(chan struct{}, 1)
	d := &tools.Deps{Store: draftSignal{Store: h.st, sending: recorded}, Now: h.clock.Now, BaseURL: h.d.BaseURL,
		Registry: h.d.Registry, Lifecycle: h.lc, Vendors: h.d.Vendors, StateKey: h.d.StateKey}
	first, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = "send_message", args
		for _, tool := range tools.All(d) {
			if tool.Def.Name == "send_message" {
				_, _ = tool.Handler(tools.WithCaller(first, h.caller), req)
			}
		}
	}()
	select {
	case <-recorded:
	case <-done:
		t.Fatal("the first send ended before it was recorded as under way")
	}

	var out struct {
		Status string `json:"status"`
		Next   string `json:"next"`
		Draft  struct {
			Status string `json:"status"`
		} `json:"draft"`
	}
	text := h.must(t, "send_message", args, &out)
	if out.Status != "already_done" || out.Draft.Status != "sending" || !strings.Contains(out.Next, "does not know yet") ||
		!strings.Contains(out.Next, "get_messages") || strings.Contains(out.Next, "was already carried out") {
		t.Fatalf("the repeated send while the first is under way: %+v (%s)", out, text)
	}
	cancel()
	<-done
	if n := len(h.fake.SentMessages()) - sent; n != 0 {
		t.Fatalf("%d messages sent, want none: the first was cut off and the second not sent", n)
	}
}

// draftSignal is a store that tells when a write is recorded as under way.
type draftSignal struct {
	store.Store
	sending chan<- struct{}
}

func (s draftSignal) CreateDraft(ctx context.Context, d store.Draft) error {
	err := s.Store.CreateDraft(ctx, d)
	if err == nil && d.Status == store.DraftSending {
		s.sending <- struct{}{}
	}
	return err
}
