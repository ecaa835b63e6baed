package tools

import (
	"encoding/json"
	"regexp"
	"testing"
)

// TestAllToolsInvariants checks what every tool must declare: a unique
// snake_case name, a description, a scope we issue, explicit annotations
// (a silent false read-only hint makes agents ask the host to approve
// harmless calls), an object input schema without top-level combinators,
// and an output schema.
func TestAllToolsInvariants(t *testing.T) {
	name := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[string]bool{}
	for _, tool := range All(&Deps{}) {
		d := tool.Def
		t.Run(d.Name, func(t *testing.T) {
			if !name.MatchString(d.Name) || seen[d.Name] {
				t.Fatalf("name %q is not unique snake_case", d.Name)
			}
			seen[d.Name] = true
			if d.Description == "" || len(d.Description) < 20 {
				t.Errorf("description %q too short", d.Description)
			}
			if tool.Scope != ScopeRead && tool.Scope != ScopeWrite {
				t.Errorf("scope %q", tool.Scope)
			}
			a := d.Annotations
			if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
				t.Errorf("annotations not all explicit: %+v", a)
			}
			if a.ReadOnlyHint != nil && *a.ReadOnlyHint && tool.Scope == ScopeWrite {
				t.Errorf("a read-only tool needs the write scope")
			}
			if a.DestructiveHint != nil && *a.DestructiveHint && tool.Scope != ScopeWrite {
				t.Errorf("a destructive tool must need the write scope")
			}
			var in map[string]any
			if err := json.Unmarshal(d.RawInputSchema, &in); err != nil {
				t.Fatalf("input schema: %v", err)
			}
			if in["type"] != "object" {
				t.Errorf("input schema type %v", in["type"])
			}
			for _, k := range []string{"anyOf", "oneOf", "allOf"} {
				if _, ok := in[k]; ok {
					t.Errorf("input schema has top-level %s", k)
				}
			}
			if d.OutputSchema.Type != "object" {
				t.Errorf("no object output schema")
			}
		})
	}
}

// TestEveryWriteIsConfirmed: a tool that needs the write scope changes
// something a guest or a vendor sees, so it must be a NewWrite tool (the
// host confirms it); no write tool may slip through tools.New alone.
func TestEveryWriteIsConfirmed(t *testing.T) {
	d := &Deps{}
	for _, tool := range All(d) {
		if tool.Scope != ScopeWrite {
			continue
		}
		if _, ok := d.writers[tool.Def.Name]; !ok {
			t.Errorf("%s needs the write scope but is not a confirmed write (tools.NewWrite)", tool.Def.Name)
		}
	}
	if len(d.writers) < 4 {
		t.Fatalf("only %d confirmed writes", len(d.writers))
	}
}
