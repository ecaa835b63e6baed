package mcpserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestPagingFiveHundredReservations: with 500 extra reservations in each
// of three accounts, paging list_reservations at the default limit returns
// every reservation exactly once, in date order, across the accounts; no
// page's text passes the budget; a cursor from another grant, an altered
// one, or one used with other arguments is refused.
func TestPagingFiveHundredReservations(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true, bulk: 500})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()

	seen := map[string]int{}
	var order []string
	vendorCalls := func() int {
		return e.sandbox.Hostex.Requests("") + e.sandbox.Hospitable.Requests("") + e.sandbox.Hostaway.Requests("")
	}
	afterFirst := -1
	cursor := ""
	pages := 0
	for {
		args := map[string]any{}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res := rawCall(t, f.client, "list_reservations", args)
		if res.IsError {
			t.Fatalf("page %d: %s", pages, resultText(res))
		}
		if n := len(resultText(res)); n > 60_000 {
			t.Fatalf("page %d text is %d bytes", pages, n)
		}
		var out tools.ReservationsOut
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) != 0 {
			t.Fatalf("page %d errors: %+v", pages, out.Errors)
		}
		if len(out.Reservations) > 50 {
			t.Fatalf("page %d has %d items, default limit 50", pages, len(out.Reservations))
		}
		for _, r := range out.Reservations {
			seen[r.ID]++
			order = append(order, r.CheckIn+" "+r.ID)
		}
		pages++
		if out.NextCursor == "" {
			break
		}
		if pages == 1 {
			afterFirst = vendorCalls()
			refusedCursors(t, e, f, out.NextCursor)
		}
		cursor = out.NextCursor
		if pages > 200 {
			t.Fatal("paging never ended")
		}
	}
	// Later pages are cut from what the first page's reads returned.
	if n := vendorCalls() - afterFirst; n != 0 {
		t.Errorf("pages after the first made %d vendor calls, want 0", n)
	}
	if len(seen) < 1500 {
		t.Fatalf("paged %d distinct reservations in %d pages, want at least the 1,500 bulk ones", len(seen), pages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s came %d times", id, n)
		}
	}
	for i := 1; i < len(order); i++ {
		if order[i][:10] < order[i-1][:10] {
			t.Fatalf("out of date order at %d: %s after %s", i, order[i], order[i-1])
		}
	}
	byVendor := map[string]int{}
	for id := range seen {
		byVendor[id[:strings.IndexByte(id, ':')]]++
	}
	for _, v := range []string{"hostex", "hospitable", "hostaway"} {
		if byVendor[v] < 500 {
			t.Errorf("%s: %d reservations paged, want at least 500", v, byVendor[v])
		}
	}
	t.Logf("%d reservations in %d pages: %v", len(seen), pages, byVendor)

	// The same count account by account, to be sure the merge lost none.
	for _, v := range []string{"hostex", "hospitable", "hostaway"} {
		n, cur := 0, ""
		for {
			args := map[string]any{"vendor": v, "limit": 100}
			if cur != "" {
				args["cursor"] = cur
			}
			var out tools.ReservationsOut
			if msg := callTool(t, f.client, "list_reservations", args, &out); msg != "" {
				t.Fatal(msg)
			}
			n += len(out.Reservations)
			if cur = out.NextCursor; cur == "" {
				break
			}
		}
		if n != byVendor[v] {
			t.Errorf("%s alone: %d reservations; in the merged listing: %d", v, n, byVendor[v])
		}
	}
}

// refusedCursors checks that a good cursor works only in its own call.
func refusedCursors(t *testing.T, e *env, f flow, cursor string) {
	t.Helper()
	other := e.authorize(t, "2025-11-25")
	defer other.client.Close()
	altered := []byte(cursor)
	altered[len(altered)/3] ^= 0x02
	for _, tc := range []struct {
		name string
		c    flow
		args map[string]any
	}{
		{"another grant", other, map[string]any{"cursor": cursor}},
		{"altered", f, map[string]any{"cursor": string(altered)}},
		{"other arguments", f, map[string]any{"cursor": cursor, "vendor": "hostex"}},
		{"another tool", f, map[string]any{"cursor": cursor}},
	} {
		tool := "list_reservations"
		if tc.name == "another tool" {
			tool = "list_properties"
		}
		res, err := tc.c.client.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: tool, Arguments: tc.args}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsError || !strings.Contains(resultText(res), "cursor") {
			t.Errorf("%s: want a tool error about the cursor, got %q", tc.name, resultText(res))
		}
	}
}
