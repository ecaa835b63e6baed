package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestUnknownArguments(t *testing.T) {
	known := argumentNames(json.RawMessage(`{"type":"object","properties":{"to":{},"from":{},"vendor":{}}}`))
	if strings.Join(known, ",") != "from,to,vendor" {
		t.Fatalf("argumentNames = %v", known)
	}
	if msg := unknownArguments("list_turnovers", map[string]any{"from": "2026-12-01", "vendor": "hostex"}, known); msg != "" {
		t.Fatalf("known arguments refused: %s", msg)
	}
	msg := unknownArguments("list_turnovers", map[string]any{"days": 3, "from": "x", "Vendor": "hostex"}, known)
	for _, want := range []string{`list_turnovers does not take "Vendor", "days"`, "it takes only: from, to, vendor", "Nothing was done"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if msg := unknownArguments("whoami", map[string]any{"x": 1}, nil); !strings.Contains(msg, "it takes no arguments. Nothing was done: call it again without any.") {
		t.Errorf("no-argument tool: %q", msg)
	}
}
