package mcpserver_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// urlElicitor is an MCP client's UI: it records the URL it was asked to
// show and accepts.
type urlElicitor struct {
	mu   sync.Mutex
	seen []mcp.ElicitationParams
}

func (u *urlElicitor) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	u.mu.Lock()
	u.seen = append(u.seen, req.Params)
	u.mu.Unlock()
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept}}, nil
}

// TestConnectVendorElicitsURL: connect_vendor asks a client that supports
// URL-mode elicitation to show the host the connect link itself, and falls
// back to returning the link for the model to pass on otherwise.
func TestConnectVendorElicitsURL(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()

	// Without the capability: the link comes back, not shown.
	var out tools.ConnectOut
	plain := newTokenClient(t, e, f.tokens, nil)
	if msg := callTool(t, plain, "connect_vendor", map[string]any{"vendor": "hostaway"}, &out); msg != "" || out.Shown || out.URL != e.ts.URL+"/connections?vendor=hostaway" {
		t.Fatalf("without elicitation: %+v %q", out, msg)
	}

	// With it: the client is asked to show the link, and says the host accepted.
	el := &urlElicitor{}
	c := newTokenClient(t, e, f.tokens, el)
	if msg := callTool(t, c, "connect_vendor", map[string]any{"vendor": "hostaway"}, &out); msg != "" || !out.Shown {
		t.Fatalf("with elicitation: %+v %q", out, msg)
	}
	el.mu.Lock()
	defer el.mu.Unlock()
	if len(el.seen) != 1 || el.seen[0].Mode != mcp.ElicitationModeURL || el.seen[0].URL != out.URL || !strings.Contains(el.seen[0].Message, "Hostaway") {
		t.Fatalf("elicitations = %+v", el.seen)
	}
}

// newTokenClient is an mcp-go client on protocol 2025-11-25 using tokens
// already obtained, declaring URL-mode elicitation when el is set.
func newTokenClient(t *testing.T, e *env, tokens transport.TokenStore, el client.ElicitationHandler) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(e.ts.URL+"/mcp", transport.WithHTTPOAuth(transport.OAuthConfig{
		RedirectURI: clientRedirect, TokenStore: tokens, PKCEEnabled: true,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var opts []client.ClientOption
	req := initRequest("2025-11-25")
	if el != nil {
		opts = append(opts, client.WithElicitationHandler(el))
		req.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{URL: &struct{}{}}
	}
	c := client.NewClient(tr, opts...)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Initialize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return c
}
