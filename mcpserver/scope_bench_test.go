package mcpserver

import "testing"

// BenchmarkToolCallScopeCheck measures the scope pre-check's body decode
// (scopeNeeded) on the bodies the bearer middleware sees:
//
//	go test -run '^$' -bench ToolCall ./mcpserver
func BenchmarkToolCallScopeCheck(b *testing.B) {
	s := &Server{toolScopes: map[string]string{"whoami": "read", "write_probe": "write"}}
	for _, bc := range []struct{ name, body string }{
		{"tools-call", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`},
		{"tools-list", `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`},
		{"escaped-call", `{"jsonrpc":"2.0","id":7,"method":"tools\/call","params":{"name":"write_probe","arguments":{}}}`},
	} {
		body := []byte(bc.body)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.scopeNeeded(body)
			}
		})
	}
}
