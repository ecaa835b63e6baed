package mcpserver_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/mark3labs/mcp-go/client"
)

// listed is one item of a list result, as the test places it.
type listed struct {
	json         string // the item, for identity
	id           string
	property     string // the property the item names itself
	reservations []string
	conversation string // a conversation naming neither property nor reservation
}

// listAll calls a list tool and follows next_cursor to the end; it
// returns the items under key, and the first page's summary.
func listAll(t *testing.T, c *client.Client, tool string, args map[string]any, key string, self bool) ([]listed, string) {
	t.Helper()
	var items []listed
	var summary string
	a := map[string]any{}
	for k, v := range args {
		a[k] = v
	}
	for page := 0; ; page++ {
		if page > 50 {
			t.Fatalf("%s: more than 50 pages", tool)
		}
		res := rawCall(t, c, tool, a)
		if res.IsError {
			t.Fatalf("%s %v: %s", tool, a, resultText(res))
		}
		if page == 0 {
			summary = firstLine(resultText(res))
		}
		var out map[string]json.RawMessage
		decode(t, res, &out)
		var raw []map[string]any
		if err := json.Unmarshal(out[key], &raw); err != nil {
			t.Fatalf("%s: %s: %v", tool, key, err)
		}
		for _, m := range raw {
			b, _ := json.Marshal(m)
			it := listed{json: string(b)}
			it.id, _ = m["id"].(string)
			it.property, _ = m["property_id"].(string)
			if self {
				it.property = it.id
			}
			if r, _ := m["reservation_id"].(string); r != "" {
				it.reservations = []string{r}
			}
			if rs, ok := m["reservation_ids"].([]any); ok {
				for _, r := range rs {
					it.reservations = append(it.reservations, r.(string))
				}
			}
			if tool == "list_conversations" && it.property == "" && len(it.reservations) == 0 {
				it.conversation = it.id
			}
			items = append(items, it)
		}
		var next string
		_ = json.Unmarshal(out["next_cursor"], &next)
		if next == "" {
			return items, summary
		}
		a["cursor"] = next
	}
}

// TestLimitedLists: under a property limit every list tool returns exactly
// the items of the allowed properties that it returns unlimited, none of
// another property, and leaves out (and says so) what it cannot place. One
// row per list tool; each row must see items of other properties
// unlimited, or it would prove nothing.
func TestLimitedLists(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true, noBudgets: true})
	for _, v := range e.sandbox.Vendors() {
		v.SetRateLimiting(false)
	}
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	c := f.client
	today := e.clock.Now()
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }

	rows := []struct {
		tool string
		args map[string]any
		key  string
		self bool // the item's id is its property (properties, sites)
		// unplaced: no item can be placed (payouts name no stay), so
		// the limited list is empty and says why.
		unplaced bool
		// top: the tool returns the best matches only, so the limited
		// list may hold matches the unlimited one had no room for.
		top bool
	}{
		{tool: "list_properties", key: "properties", self: true},
		{tool: "list_sites", key: "sites", self: true},
		{tool: "list_reservations", args: map[string]any{"from": day(-60), "to": day(60)}, key: "reservations"},
		{tool: "list_conversations", key: "conversations"},
		{tool: "list_reviews", key: "reviews"},
		{tool: "list_inquiries", key: "inquiries"},
		{tool: "list_payouts", args: map[string]any{"from": day(-300), "to": day(0)}, key: "payouts", unplaced: true},
		{tool: "list_transactions", args: map[string]any{"from": day(-60), "to": day(0)}, key: "transactions"},
		{tool: "list_tasks", args: map[string]any{"from": day(-30), "to": day(30)}, key: "tasks"},
		{tool: "revenue_summary", key: "properties"},
		{tool: "find_gap_nights", key: "gaps"},
		{tool: "list_turnovers", key: "turnovers"},
		{tool: "find_reservation", args: map[string]any{"query": "guest.example"}, key: "matches", top: true},
	}
	withLimit := func(args map[string]any) map[string]any {
		a := map[string]any{"limit": 100}
		for k, v := range args {
			a[k] = v
		}
		return a
	}
	pageless := map[string]bool{"find_reservation": true}

	// Unlimited first.
	unlimited := map[string][]listed{}
	for _, r := range rows {
		args := r.args
		if !pageless[r.tool] {
			args = withLimit(r.args)
		}
		unlimited[r.tool], _ = listAll(t, c, r.tool, args, r.key, r.self)
	}
	// The allowed places: the first property of each vendor, and a site.
	allowed := map[string]bool{}
	vendors := map[string]bool{}
	for _, key := range []string{"list_properties", "list_sites"} {
		for _, it := range unlimited[key] {
			v, _, _ := strings.Cut(it.id, ":")
			if !vendors[v] {
				vendors[v] = true
				allowed[it.id] = true
			}
		}
	}
	if len(allowed) != 4 {
		t.Fatalf("allowed places %v: want one of each of the four vendors", allowed)
	}
	// Where each reservation and conversation is, read unlimited as the
	// test's own truth.
	resProp, convProp := map[string]string{}, map[string]string{}
	for _, span := range [][2]int{{-180, 180}, {181, 365}} {
		rs, _ := listAll(t, c, "list_reservations", withLimit(map[string]any{"from": day(span[0]), "to": day(span[1])}), "reservations", false)
		for _, it := range rs {
			var m map[string]any
			_ = json.Unmarshal([]byte(it.json), &m)
			resProp[it.id] = it.property
			if cv, _ := m["conversation_id"].(string); cv != "" {
				convProp[cv] = it.property
			}
		}
	}
	place := func(it listed) (string, bool) {
		switch {
		case it.property != "":
			return it.property, true
		case it.conversation != "":
			p, ok := convProp[it.conversation]
			return p, ok
		case len(it.reservations) > 0:
			// Every stay must be placed; a disallowed one decides.
			p := ""
			for _, r := range it.reservations {
				rp, ok := resProp[r]
				if !ok {
					res := rawCall(t, c, "get_reservation", map[string]any{"reservation_id": r})
					if res.IsError {
						return "", false
					}
					var out struct {
						PropertyID string `json:"property_id"`
					}
					decode(t, res, &out)
					rp, resProp[r] = out.PropertyID, out.PropertyID
				}
				if rp == "" {
					return "", false
				}
				if p == "" || !allowed[rp] {
					p = rp
				}
			}
			return p, true
		}
		return "", false
	}
	// Place every unlimited item now, while the app may still read them.
	truth := map[string]map[string]string{}
	for _, r := range rows {
		truth[r.tool] = map[string]string{}
		for _, it := range unlimited[r.tool] {
			if p, ok := place(it); ok {
				truth[r.tool][it.json] = p
			}
		}
	}

	var props []string
	for p := range allowed {
		props = append(props, p)
	}
	slices.Sort(props)
	if err := e.setAppLimits(context.Background(), store.AppLimits{UserID: e.host.ID, ClientID: f.clientID, Properties: props}); err != nil {
		t.Fatal(err)
	}

	for _, r := range rows {
		t.Run(r.tool, func(t *testing.T) {
			all := unlimited[r.tool]
			outside := 0
			for _, it := range all {
				if p, ok := truth[r.tool][it.json]; ok && !allowed[p] {
					outside++
				}
			}
			if len(all) == 0 || outside == 0 && !r.unplaced {
				t.Fatalf("unlimited, %d items and %d of other properties: the row proves nothing", len(all), outside)
			}
			args := r.args
			if !pageless[r.tool] {
				args = withLimit(r.args)
			}
			got, summary := listAll(t, c, r.tool, args, r.key, r.self)
			if !strings.Contains(summary, "limited this app to the properties "+strings.Join(props, ", ")) {
				t.Errorf("summary does not say the list is limited: %s", summary)
			}
			gotSet := map[string]bool{}
			for _, it := range got {
				gotSet[it.json] = true
				p, ok := truth[r.tool][it.json]
				if r.top && !ok {
					p, ok = it.property, it.property != ""
				}
				if !ok {
					// Not in the unlimited list (or not placeable by the test).
					t.Errorf("limited item not found, or not placed, unlimited: %s", it.json)
					continue
				}
				if !allowed[p] {
					t.Errorf("item of property %s shown under the limit: %s", p, it.json)
				}
			}
			if r.unplaced {
				if len(got) != 0 || !strings.Contains(summary, "could not tell which property") {
					t.Errorf("%d items shown; summary %q", len(got), summary)
				}
				return
			}
			for _, it := range all {
				if it.property != "" && allowed[it.property] && !gotSet[it.json] && !r.top {
					t.Errorf("item of an allowed property left out: %s", it.json)
				}
			}
			if len(got) == 0 {
				t.Errorf("nothing shown of the allowed properties (%d items unlimited)", len(all))
			}
			t.Logf("%d items unlimited, %d of other properties, %d shown", len(all), outside, len(got))
		})
	}
}

// TestLimitsDoNotShapeAnotherApp: with the vendor read cache on, a limited
// app's lists come from the same cached reads as another app's, and the
// other app, unlimited, still sees everything, before and after.
func TestLimitsDoNotShapeAnotherApp(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, cacheBytes: connector.DefaultCacheBytes})
	a := e.authorize(t, "2025-11-25")
	defer a.client.Close()
	b := e.authorize(t, "2025-11-25")
	defer b.client.Close()
	args := map[string]any{"vendor": "hostex", "limit": 100}
	var before tools.ReservationsOut
	callTool(t, b.client, "list_reservations", args, &before)
	if len(before.Reservations) < 2 {
		t.Fatalf("%d reservations; the test needs several", len(before.Reservations))
	}
	prop := before.Reservations[0].PropertyID
	if err := e.setAppLimits(context.Background(), store.AppLimits{UserID: e.host.ID, ClientID: a.clientID, Properties: []string{prop}}); err != nil {
		t.Fatal(err)
	}
	var limited, after tools.ReservationsOut
	callTool(t, a.client, "list_reservations", args, &limited)
	callTool(t, b.client, "list_reservations", args, &after)
	if len(limited.Reservations) == 0 || len(limited.Reservations) >= len(before.Reservations) {
		t.Fatalf("the limited app got %d of %d reservations", len(limited.Reservations), len(before.Reservations))
	}
	if len(after.Reservations) != len(before.Reservations) {
		t.Fatalf("the other app got %d reservations after the limited one read them, %d before", len(after.Reservations), len(before.Reservations))
	}
	callTool(t, a.client, "list_reservations", args, &limited)
	for _, r := range limited.Reservations {
		if r.PropertyID != prop {
			t.Fatalf("the limited app, reading after the other, got %s at %s", r.ID, r.PropertyID)
		}
	}
}
