package mcpserver_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// benchClient is a client sized like an MCP client pool: enough idle
// connections that the benchmark measures the server, not dialing.
func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
}

// runCalls posts body to u in parallel with the given headers.
func runCalls(b *testing.B, c *http.Client, u string, h http.Header, body []byte) {
	b.ReportAllocs()
	b.SetParallelism(8) // 8×GOMAXPROCS concurrent clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
			req.Header = h.Clone()
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func mcpHeaders(token, session string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	h.Set("Mcp-Protocol-Version", "2025-11-25")
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if session != "" {
		h.Set("Mcp-Session-Id", session)
	}
	return h
}

var whoamiCall = []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`)

// BenchmarkToolCall compares a whoami call through hostgate — bearer
// check, scope check, grant-bound session, two store reads, structured
// result — with the same call on a bare mcp-go server (stateful, no auth),
// the baseline hostgate's throughput should stay within 0.9× of.
//
//	go test -run '^$' -bench ToolCall -benchtime 3s ./mcpserver/
func BenchmarkToolCall(b *testing.B) {
	b.Run("hostgate/whoami", func(b *testing.B) {
		e := newEnv(b, envOptions{quiet: true})
		p, _ := e.grant(b, "read")
		sess := e.initSession(b, p.AccessToken)
		runCalls(b, benchClient(), e.ts.URL+"/mcp", mcpHeaders(p.AccessToken, sess), whoamiCall)
	})
	b.Run("bare-mcp-go/whoami", func(b *testing.B) {
		s := server.NewMCPServer("bare", "1", server.WithToolCapabilities(false))
		s.AddTool(mcp.NewTool("whoami", mcp.WithDescription("who")), func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText("host alice via bench with scopes read"), nil
		})
		ts, c, sess := bareSession(b, s)
		defer ts.Close()
		runCalls(b, c, ts.URL, mcpHeaders("", sess), whoamiCall)
	})
}

// BenchmarkVendorCall is a cold vendor call: list_properties on the Hostex
// sandbox account through hostgate with fresh=true, so every call goes to
// the fake (token check, connection lookup, the read cache's flight, the
// vendor client with its budget, decoding into the normalized result,
// structured result), beside a bare mcp-go tool making the same GET and
// returning the raw body. One call at a time, so no two calls share a
// vendor request; the fake's rate limits are off. cpu-ns/op is the
// process's CPU per call (server, client and fake alike on both sides).
//
//	go test -run '^$' -bench VendorCall -benchtime 3s ./mcpserver/
func BenchmarkVendorCall(b *testing.B) {
	call := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_properties","arguments":{"vendor":"hostex","fresh":true}}}`)
	e := newEnv(b, envOptions{quiet: true, sandbox: true, cacheBytes: connector.DefaultCacheBytes, noBudgets: true})
	for _, v := range e.sandbox.Vendors() {
		v.SetRateLimiting(false)
	}
	// One grant for every run of the sub-benchmark: the sign-in limiter
	// would (rightly) refuse a sign-in per calibration round.
	p, _ := e.grant(b, "read")
	sess := e.initSession(b, p.AccessToken)
	var hostgate, bare side
	b.Run("hostgate/list_properties-cold", func(b *testing.B) {
		c, h := benchClient(), mcpHeaders(p.AccessToken, sess)
		before := e.sandbox.Hostex.Requests("/properties")
		b.ReportAllocs()
		hostgate.measure(b, func() {
			b.ResetTimer()
			for range b.N {
				if err := post(c, e.ts.URL+"/mcp", h, call); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n := e.sandbox.Hostex.Requests("/properties") - before; n < b.N {
			b.Fatalf("%d vendor requests for %d cold calls", n, b.N)
		}
	})
	b.Run("bare-mcp-go/raw-body", func(b *testing.B) {
		ts, c, bsess := bareListProperties(b, e.sandbox.Hostex)
		defer ts.Close()
		h := mcpHeaders("", bsess)
		b.ReportAllocs()
		bare.measure(b, func() {
			b.ResetTimer()
			for range b.N {
				if err := post(c, ts.URL, h, call); err != nil {
					b.Fatal(err)
				}
			}
		})
		compare(b, &bare, map[string]*side{"cold": &hostgate})
	})
}

// bareSession serves s as a bare mcp-go server (stateful, no auth) and
// opens a session on it.
func bareSession(b *testing.B, s *server.MCPServer) (*httptest.Server, *http.Client, string) {
	b.Helper()
	ts := httptest.NewServer(server.NewStreamableHTTPServer(s, server.WithStateful(true)))
	c := benchClient()
	req, _ := http.NewRequest(http.MethodPost, ts.URL, bytes.NewReader([]byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"0"}}}`)))
	req.Header = mcpHeaders("", "")
	resp, err := c.Do(req)
	if err != nil {
		ts.Close()
		b.Fatal(err)
	}
	resp.Body.Close()
	return ts, c, resp.Header.Get("Mcp-Session-Id")
}
