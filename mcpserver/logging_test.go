package mcpserver

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestRequestIDHandler: a record logged with a request's context carries
// its id, through With and on loggers derived before the request; one
// logged without a context carries none; wrapping twice adds it once.
func TestRequestIDHandler(t *testing.T) {
	var buf bytes.Buffer
	log := requestLogger(requestLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	derived := log.With("component", "tools")
	ctx := withRequestID(context.Background(), "abc-1")
	for _, tc := range []struct {
		name string
		log  func()
		want string // "" for no request_id
	}{
		{"InfoContext", func() { log.InfoContext(ctx, "x") }, "request_id=abc-1"},
		{"derived logger", func() { derived.WarnContext(ctx, "x", "k", "v") }, "component=tools k=v request_id=abc-1"},
		{"context without an id", func() { log.InfoContext(context.Background(), "x") }, ""},
		{"no context", func() { log.Info("x") }, ""},
	} {
		buf.Reset()
		tc.log()
		line := buf.String()
		if n := strings.Count(line, "request_id="); tc.want == "" && n != 0 || tc.want != "" && (n != 1 || !strings.Contains(line, tc.want)) {
			t.Errorf("%s: %q, want %q once", tc.name, line, tc.want)
		}
	}
}
