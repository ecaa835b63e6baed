package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// callTool calls a tool and decodes its structured result into out; it
// returns the tool error text, if any.
func callTool(t *testing.T, c *client.Client, name string, args map[string]any, out any) string {
	t.Helper()
	res, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError {
		var texts []string
		for _, c := range res.Content {
			if tc, ok := c.(mcp.TextContent); ok {
				texts = append(texts, tc.Text)
			}
		}
		return strings.Join(texts, " ")
	}
	if out != nil {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: decode %s: %v", name, b, err)
		}
	}
	return ""
}

// TestVendorsEndToEnd connects the four sandbox vendors, approves a client
// through the real consent page (which shares them), and asks through the
// mcp-go client for properties across vendors, HoxtonAI sites, and a
// reservation's messages; a read-only client gets HTTP 403 on send_message.
func TestVendorsEndToEnd(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()

	var conns tools.ListConnectionsOut
	if msg := callTool(t, f.client, "list_connections", nil, &conns); msg != "" || len(conns.Connections) != 4 {
		t.Fatalf("list_connections = %+v, %q; want the four sandbox accounts", conns, msg)
	}
	var props tools.PropertiesOut
	if msg := callTool(t, f.client, "list_properties", nil, &props); msg != "" {
		t.Fatalf("list_properties: %s", msg)
	}
	if len(props.Errors) != 0 {
		t.Fatalf("list_properties errors: %+v", props.Errors)
	}
	byVendor := map[string]int{}
	for _, p := range props.Properties {
		byVendor[p.Vendor]++
		if !strings.HasPrefix(p.ID, p.Vendor+":") {
			t.Errorf("property id %q not vendor-qualified", p.ID)
		}
	}
	for _, v := range []string{"hostex", "hospitable", "hostaway"} {
		if byVendor[v] == 0 {
			t.Errorf("no %s properties in %v", v, byVendor)
		}
	}
	var sites tools.SitesOut
	if msg := callTool(t, f.client, "list_sites", nil, &sites); msg != "" || len(sites.Sites) < 2 {
		t.Fatalf("list_sites = %+v, %q", sites, msg)
	}
	var convs tools.ConversationsOut
	if msg := callTool(t, f.client, "list_conversations", map[string]any{"vendor": "hostex"}, &convs); msg != "" || len(convs.Conversations) == 0 {
		t.Fatalf("list_conversations = %+v, %q", convs, msg)
	}
	var msgs tools.MessagesOut
	if msg := callTool(t, f.client, "get_messages", map[string]any{"conversation_id": convs.Conversations[0].ID}, &msgs); msg != "" || len(msgs.Messages) == 0 {
		t.Fatalf("get_messages = %+v, %q", msgs, msg)
	}

	// A client granted only read: send_message is refused at the HTTP layer.
	readOnly, _ := e.grant(t, "read")
	resp := postMCP(t, e.ts.URL+"/mcp", readOnly.AccessToken, `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"send_message","arguments":{"conversation_id":"`+convs.Conversations[0].ID+`","body":"hello"}}}`)
	if resp.StatusCode != http.StatusForbidden || challengeParam(resp.Header.Get("WWW-Authenticate"), "error") != "insufficient_scope" {
		t.Fatalf("send_message without write: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if n := len(e.sandbox.Hostex.SentMessages()); n != 0 {
		t.Fatalf("%d messages reached the vendor", n)
	}
	// With write, from a client that cannot ask the host: a draft the host
	// must approve (see writes_test.go), nothing sent yet.
	out := writeOut(t, rawCall(t, f.client, "send_message", map[string]any{"conversation_id": convs.Conversations[0].ID, "body": "Check-in is at 4pm."}))
	if out.Status != "draft" {
		t.Fatalf("send_message: %+v", out)
	}
	if got := e.sandbox.Hostex.SentMessages(); len(got) != 0 {
		t.Fatalf("vendor received %+v before the host approved", got)
	}
}
