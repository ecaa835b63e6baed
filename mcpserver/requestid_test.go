package mcpserver_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// requestIDAttr finds the request_id of a text-format log line.
var requestIDAttr = regexp.MustCompile(`(?:^| )request_id=(\S+)`)

// TestRequestIDInEveryLogLine makes one tools/call through the MCP endpoint
// against the sandbox vendors and reads what hostgate logged: the lines of
// that request, from the bearer check through the tool call and the vendor
// calls of its fan-out to the access line, all carry the id the response's
// X-Request-Id names, and no line logged meanwhile lacks a request id.
func TestRequestIDInEveryLogLine(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	p, _ := e.grant(t, "read")
	session := e.initSession(t, p.AccessToken)
	from := len(e.logs.String())

	resp := postMCPHeaders(t, e.ts.URL+"/mcp", p.AccessToken,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_properties","arguments":{}}}`,
		map[string]string{"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"})
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 200 || id == "" {
		t.Fatalf("tools/call: %d, X-Request-Id %q", resp.StatusCode, id)
	}
	// The access line is written once the handler returns, which may be
	// after the client has read the whole response.
	log := e.logs.waitFor(func(log string) bool {
		return hasLine(strings.Split(strings.TrimSpace(log[from:]), "\n"), id, "msg=http ")
	}, 5*time.Second)
	window := strings.Split(strings.TrimSpace(log[from:]), "\n")

	var mine []string
	for _, l := range window {
		m := requestIDAttr.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("a line without a request id: %s", l)
			continue
		}
		if m[1] == id {
			mine = append(mine, l)
			t.Log(l)
		}
	}
	for _, want := range []struct{ what, marker string }{
		{"bearer check", "msg=bearer "},
		{"tool call", `msg="tool call" `},
		{"vendor call", " vendor="},
		{"access", "msg=http "},
	} {
		if !hasLine(mine, id, want.marker) {
			t.Errorf("no %s line (%q) with request_id=%s", want.what, want.marker, id)
		}
	}
}

// hasLine reports whether a line of lines carries request id id and
// contains marker.
func hasLine(lines []string, id, marker string) bool {
	for _, l := range lines {
		if m := requestIDAttr.FindStringSubmatch(l); m != nil && m[1] == id && strings.Contains(l, marker) {
			return true
		}
	}
	return false
}
