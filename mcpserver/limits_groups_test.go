package mcpserver

import (
	"testing"

	"github.com/hostgate/hostgate/tools"
)

// TestToolGroupsCoverEveryTool: the limits form shows every tool in a
// group a host recognizes, once; a group names no tool that is gone.
func TestToolGroupsCoverEveryTool(t *testing.T) {
	grouped := map[string]bool{}
	for _, g := range toolGroups {
		for _, n := range g.names {
			if grouped[n] {
				t.Errorf("%s is in two groups", n)
			}
			grouped[n] = true
		}
	}
	names := map[string]bool{}
	for _, tl := range tools.All(&tools.Deps{StateKey: make([]byte, 32)}) {
		names[tl.Def.Name] = true
		if !grouped[tl.Def.Name] {
			t.Errorf("%s is in no group of the limits form: add it to toolGroups", tl.Def.Name)
		}
	}
	for n := range grouped {
		if !names[n] {
			t.Errorf("toolGroups names %s, which is no tool", n)
		}
	}
}
