package tools

import (
	"encoding/json"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// moreText is what a summary gains when a page has a next one.
const moreText = " More exist: call again with the same arguments and cursor set to next_cursor."

// render turns a tool's output into its result. Clients differ in what
// they hand the model: some pass only the text content, others only the
// structured content. So the text carries everything the structured
// content does: the one-line summary, then the same JSON, compact (MCP
// 2025-06-18 onward: a tool returning structured content SHOULD also
// return it serialized in a text block). A list longer than the text
// budget is cut at a whole item, with a cursor to the rest.
func render[Out any](out Out, summary string) (*mcp.CallToolResult, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if p, ok := any(&out).(pageOf); ok {
		if b, err = fit(p, b, len(summary)+len(moreText)+1); err != nil {
			return nil, err
		}
		if p.page().NextCursor != "" {
			summary += moreText
		}
	}
	var text strings.Builder
	text.Grow(len(summary) + 1 + len(b))
	text.WriteString(summary)
	text.WriteByte('\n')
	text.Write(b)
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(text.String())},
		StructuredContent: json.RawMessage(b),
	}, nil
}
