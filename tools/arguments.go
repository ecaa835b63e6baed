package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// A model that passes an argument the tool does not take (days to a tool
// that takes from and to, say) must hear so: dropping it silently answers
// another question than the one asked, and the model cannot tell.

// argumentNames are the properties of a tool's input schema, sorted.
func argumentNames(schema json.RawMessage) []string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return nil
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// unknownArguments is the tool error for arguments outside the schema, or
// "" when there are none.
func unknownArguments(tool string, args map[string]any, known []string) string {
	var unknown []string
	for k := range args {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	slices.Sort(unknown)
	if len(known) == 0 {
		return fmt.Sprintf("%s does not take %s; it takes no arguments. Nothing was done: call it again without any.",
			tool, quoteAll(unknown))
	}
	return fmt.Sprintf("%s does not take %s; it takes only: %s. Nothing was done: call it again with those.",
		tool, quoteAll(unknown), strings.Join(known, ", "))
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
