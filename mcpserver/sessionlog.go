package mcpserver

import (
	"context"
	"log/slog"
	"strings"
)

// scrubSessions is the handler of mcp-go's logger: session ids are bearer
// material for a stream, and mcp-go logs them at Info. An attribute named
// for a session is dropped, and any other whose value holds a hostgate
// session id has it redacted.
type scrubSessions struct{ slog.Handler }

func (h scrubSessions) Handle(ctx context.Context, r slog.Record) error {
	scrubbed := false
	r.Attrs(func(a slog.Attr) bool {
		if hasSession(a) {
			scrubbed = true
			return false
		}
		return true
	})
	if !scrubbed && !strings.Contains(r.Message, sessionIDPrefix) {
		return h.Handler.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, redactSessions(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a, keep := scrubAttr(a); keep {
			out.AddAttrs(a)
		}
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h scrubSessions) WithAttrs(attrs []slog.Attr) slog.Handler {
	kept := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		if a, keep := scrubAttr(a); keep {
			kept = append(kept, a)
		}
	}
	return scrubSessions{h.Handler.WithAttrs(kept)}
}

func (h scrubSessions) WithGroup(name string) slog.Handler {
	return scrubSessions{h.Handler.WithGroup(name)}
}

// hasSession reports whether a names a session or its value may hold an
// id.
func hasSession(a slog.Attr) bool {
	if strings.Contains(strings.ToLower(a.Key), "session") {
		return true
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return strings.Contains(v.String(), sessionIDPrefix)
	case slog.KindAny, slog.KindGroup:
		return strings.Contains(v.String(), sessionIDPrefix)
	}
	return false
}

// scrubAttr drops an attribute named for a session and redacts ids in the
// others' values.
func scrubAttr(a slog.Attr) (slog.Attr, bool) {
	if strings.Contains(strings.ToLower(a.Key), "session") {
		return a, false
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString, slog.KindAny, slog.KindGroup:
		if s := v.String(); strings.Contains(s, sessionIDPrefix) {
			return slog.String(a.Key, redactSessions(s)), true
		}
	}
	return a, true
}

// redactSessions replaces every hostgate session id in s.
func redactSessions(s string) string {
	for {
		i := strings.Index(s, sessionIDPrefix)
		if i < 0 {
			return s
		}
		j := i + len(sessionIDPrefix)
		for j < len(s) && isIDByte(s[j]) {
			j++
		}
		s = s[:i] + "[session]" + s[j:]
	}
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
