package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// rawCall calls a tool and returns its whole result.
func rawCall(t *testing.T, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// resultText joins a result's text blocks.
func resultText(res *mcp.CallToolResult) string {
	var texts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// textJSON returns the JSON a successful result's text carries after its
// one-line summary.
func textJSON(t *testing.T, res *mcp.CallToolResult) (summary string, data any) {
	t.Helper()
	if len(res.Content) != 1 {
		t.Fatalf("%d content blocks, want 1 text block", len(res.Content))
	}
	summary, rest, ok := strings.Cut(resultText(res), "\n")
	if !ok {
		t.Fatalf("text %q has no JSON after its summary", resultText(res))
	}
	if err := json.Unmarshal([]byte(rest), &data); err != nil {
		t.Fatalf("text after the summary is not JSON: %v: %q", err, rest)
	}
	return summary, data
}

// TestEveryToolTextCarriesItsData calls every tool against the sandbox
// vendors: a client that hands the model only the text content must give
// it everything the structured content holds. The JSON in the text equals
// structuredContent, decoded on both sides. A tool missing from the table
// fails the test, so no new tool can skip it.
func TestEveryToolTextCarriesItsData(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()

	var conns tools.ListConnectionsOut
	callTool(t, f.client, "list_connections", nil, &conns)
	byVendor := map[string]string{}
	for _, c := range conns.Connections {
		byVendor[c.Vendor] = c.ID
	}
	var res tools.ReservationsOut
	callTool(t, f.client, "list_reservations", map[string]any{"vendor": "hostex", "limit": 5}, &res)
	if len(res.Reservations) == 0 {
		t.Fatal("no hostex reservations to read")
	}
	r := res.Reservations[0]
	var sites tools.SitesOut
	callTool(t, f.client, "list_sites", nil, &sites)
	if len(sites.Sites) == 0 {
		t.Fatal("no sites")
	}

	var revs tools.ReviewsOut
	callTool(t, f.client, "list_reviews", nil, &revs)
	reviewID := ""
	for _, rv := range revs.Reviews {
		if rv.ID != "" {
			reviewID = rv.ID
			break
		}
	}
	if reviewID == "" {
		t.Fatal("no review with an id")
	}
	tomorrow := e.clock.Now().AddDate(0, 0, 1).Format("2006-01-02")
	calls := map[string]map[string]any{
		"whoami":             nil,
		"list_connections":   nil,
		"connect_vendor":     {"vendor": "hostaway"},
		"refresh_connection": {"connection_id": byVendor["hostaway"]},
		"list_properties":    nil,
		"get_property":       {"property_id": r.PropertyID},
		"list_reservations":  nil,
		"get_reservation":    {"reservation_id": r.ID},
		"get_calendar":       {"property_id": r.PropertyID},
		"list_conversations": {"limit": 10},
		"get_messages":       {"conversation_id": r.ConversationID},
		"send_message":       {"conversation_id": r.ConversationID, "body": "Hello from the text test."},
		"list_reviews":       nil,
		"update_calendar":    {"property_id": r.PropertyID, "from": tomorrow, "to": tomorrow, "available": false},
		"reply_to_review":    {"review_id": reviewID, "reply": "Thank you for staying with us."},
		"list_drafts":        nil,
		"list_sites":         nil,
		"get_footfall":       {"site_id": sites.Sites[0].ID},
		"revenue_summary":    {"vendor": "hostex"},
		"find_gap_nights":    {"vendor": "hostex"},
		"list_turnovers":     {"vendor": "hostex"},
		"find_reservation":   {"query": r.GuestName},
		"list_inquiries":     {"vendor": "hostex"},
		"list_transactions":  {"vendor": "hostaway"},
		"list_payouts":       {"vendor": "hospitable", "from": e.clock.Now().AddDate(0, -6, 0).Format("2006-01-02"), "to": e.clock.Now().Format("2006-01-02")},
		"list_tasks":         {"vendor": "hostaway"},
		"update_stay":        {"reservation_id": r.ID, "host_note": "Early check-in agreed for 13:00."},
		"send_quote":         {"property_id": "hospitable:" + sandbox.HospitableAucklandPropertyID, "check_in": e.clock.Now().AddDate(0, 5, 0).Format("2006-01-02"), "check_out": e.clock.Now().AddDate(0, 5, 3).Format("2006-01-02"), "adults": 2},
		"save_task":          {"property_id": fmt.Sprintf("hostaway:%d", sandbox.HostawayListingID), "title": "Replace the hallway bulb", "due": e.clock.Now().AddDate(0, 0, 2).Format("2006-01-02")},
		"write_probe":        nil,
		// Last: it removes an account.
		"disconnect_vendor": {"connection_id": byVendor["hoxtonai"]},
	}
	var names []string
	for _, tool := range e.srv.Tools() {
		names = append(names, tool.Def.Name)
		if _, ok := calls[tool.Def.Name]; !ok {
			t.Errorf("tool %s has no case here: add one", tool.Def.Name)
		}
	}
	names = append(names[:0:0], names...)
	// disconnect_vendor runs last whatever the listing order.
	for i, n := range names {
		if n == "disconnect_vendor" {
			names = append(append(names[:i:i], names[i+1:]...), n)
			break
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			// A vendor's rate limit refills between calls, as it would
			// between a model's turns: this test is about what a result
			// holds, not about budgets.
			e.clock.Advance(11 * time.Second)
			res := rawCall(t, f.client, name, calls[name])
			if res.IsError {
				t.Fatalf("tool error: %s", resultText(res))
			}
			summary, fromText := textJSON(t, res)
			if summary == "" {
				t.Error("no summary line")
			}
			b, err := json.Marshal(res.StructuredContent)
			if err != nil {
				t.Fatal(err)
			}
			var structured any
			if err := json.Unmarshal(b, &structured); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromText, structured) {
				t.Fatalf("text JSON differs from structuredContent:\ntext:       %s\nstructured: %s", strings.SplitN(resultText(res), "\n", 2)[1], b)
			}
		})
	}
}
