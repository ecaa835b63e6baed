package mcpserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestPrompts: prompts/list names the jobs hosts repeat, and prompts/get
// renders each with concrete dates, through the mcp-go client on both
// protocol eras; a bad argument is an error, not a prompt.
func TestPrompts(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	for _, pin := range []string{"2025-11-25", ""} {
		c := elicitingClient(t, e, f.tokens, nil, pin)
		ctx := context.Background()
		list, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, p := range list.Prompts {
			got[p.Name] = true
			if p.Description == "" {
				t.Errorf("%s has no description", p.Name)
			}
		}
		for _, tc := range []struct {
			name string
			args map[string]string
			want []string
		}{
			{"arrivals_and_departures", nil, []string{"2026-11-30", "list_reservations", "by=check_out", "same-day turnover"}},
			{"arrivals_and_departures", map[string]string{"date": "2026-12-24"}, []string{"2026-12-24"}},
			{"unanswered_guest_messages", map[string]string{"days": "3"}, []string{"2026-11-27", "get_messages", "send_message"}},
			{"occupancy_next_30_days", nil, []string{"2026-11-30", "2026-12-29", "never add different currencies"}},
		} {
			if !got[tc.name] {
				t.Fatalf("prompts/list lacks %s: %v", tc.name, got)
			}
			res, err := c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: tc.name, Arguments: tc.args}})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(res.Messages) != 1 || res.Messages[0].Role != mcp.RoleUser {
				t.Fatalf("%s: messages %+v", tc.name, res.Messages)
			}
			text := res.Messages[0].Content.(mcp.TextContent).Text
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s(%v) lacks %q:\n%s", tc.name, tc.args, w, text)
				}
			}
		}
		if _, err := c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "arrivals_and_departures", Arguments: map[string]string{"date": "tomorrow"}}}); err == nil {
			t.Error("a bad date gave a prompt")
		}
	}
}
