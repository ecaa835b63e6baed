package mcpserver_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
)

// TestLimitedItemsByID: under a property limit, every tool that names an
// item by id is refused, before it reads or previews anything, when the
// item is at another property, and runs when it is at an allowed one.
// Writes so refused leave no draft; a tool that acts on a whole account is
// refused outright.
func TestLimitedItemsByID(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true, noBudgets: true})
	for _, v := range e.sandbox.Vendors() {
		v.SetRateLimiting(false)
	}
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	c := f.client
	ctx := context.Background()

	// Unlimited: an allowed property of each vendor (its first), and an
	// item of each kind at an allowed property and at another.
	var props tools.PropertiesOut
	if msg := callTool(t, c, "list_properties", map[string]any{"limit": 100}, &props); msg != "" {
		t.Fatal(msg)
	}
	allowed := map[string]bool{}
	var allowedList []string
	otherProp := map[string]string{} // vendor → a property not allowed
	for _, p := range props.Properties {
		switch {
		case !slices.ContainsFunc(allowedList, func(id string) bool { return strings.HasPrefix(id, p.Vendor+":") }):
			allowed[p.ID] = true
			allowedList = append(allowedList, p.ID)
		case otherProp[p.Vendor] == "":
			otherProp[p.Vendor] = p.ID
		}
	}
	var sites tools.SitesOut
	callTool(t, c, "list_sites", nil, &sites)
	if len(sites.Sites) < 2 {
		t.Fatalf("%d sites; the test needs two", len(sites.Sites))
	}
	allowed[sites.Sites[0].ID] = true
	allowedList = append(allowedList, sites.Sites[0].ID)
	slices.Sort(allowedList)

	var res tools.ReservationsOut
	callTool(t, c, "list_reservations", map[string]any{"vendor": "hostex", "limit": 100}, &res)
	var resMine, resOther, convOther string
	for _, r := range res.Reservations {
		switch {
		case allowed[r.PropertyID] && resMine == "":
			resMine = r.ID
		case !allowed[r.PropertyID] && r.ConversationID != "" && convOther == "":
			resOther, convOther = r.ID, r.ConversationID
		}
	}
	var revs tools.ReviewsOut
	callTool(t, c, "list_reviews", map[string]any{"vendor": "hostex", "limit": 100}, &revs)
	var reviewOther string
	for _, r := range revs.Reviews {
		if !allowed[r.PropertyID] && r.PropertyID != "" {
			reviewOther = r.ID
			break
		}
	}
	var tasks tools.TasksOut
	callTool(t, c, "list_tasks", map[string]any{"vendor": "hostaway", "from": "2026-11-01", "to": "2027-01-31", "limit": 100}, &tasks)
	var taskOther string
	for _, tk := range tasks.Tasks {
		if !allowed[tk.PropertyID] && tk.PropertyID != "" {
			taskOther = tk.ID
			break
		}
	}
	for what, v := range map[string]string{"reservation at an allowed property": resMine, "reservation with a conversation elsewhere": resOther,
		"review elsewhere": reviewOther, "task elsewhere": taskOther, "hostex property elsewhere": otherProp["hostex"],
		"hospitable property elsewhere": otherProp["hospitable"]} {
		if v == "" {
			t.Fatalf("the sandbox has no %s", what)
		}
	}
	conns := e.hostConns(t)
	var hostexConn string
	for _, cn := range conns {
		if cn.Vendor == "hostex" {
			hostexConn = cn.ID
		}
	}

	if err := e.setAppLimits(ctx, store.AppLimits{UserID: e.host.ID, ClientID: f.clientID, Properties: allowedList}); err != nil {
		t.Fatal(err)
	}
	drafts := func() int {
		t.Helper()
		ds, err := e.store.ListDrafts(ctx, e.host.ID, f.clientID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}
	before := drafts()
	refusal := "the host lets this app use (" + strings.Join(allowedList, ", ") + ")"
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"get_property", map[string]any{"property_id": otherProp["hostex"]}},
		{"get_calendar", map[string]any{"property_id": otherProp["hostaway"]}},
		{"get_reservation", map[string]any{"reservation_id": resOther}},
		{"get_messages", map[string]any{"conversation_id": convOther}},
		{"list_conversations", map[string]any{"reservation_id": resOther}},
		{"list_reviews", map[string]any{"property_id": otherProp["hospitable"]}},
		{"list_reservations", map[string]any{"property_id": otherProp["hostex"]}},
		{"list_tasks", map[string]any{"property_id": otherProp["hostaway"]}},
		{"revenue_summary", map[string]any{"property_id": otherProp["hostex"]}},
		{"find_gap_nights", map[string]any{"property_id": otherProp["hostex"]}},
		{"list_turnovers", map[string]any{"property_id": otherProp["hostex"]}},
		{"get_footfall", map[string]any{"site_id": sites.Sites[1].ID}},
		{"send_message", map[string]any{"conversation_id": convOther, "body": "Hello"}},
		{"update_calendar", map[string]any{"property_id": otherProp["hostex"], "from": "2026-12-20", "to": "2026-12-20", "available": false}},
		{"reply_to_review", map[string]any{"review_id": reviewOther, "reply": "Thank you"}},
		{"update_stay", map[string]any{"reservation_id": resOther, "host_note": "note"}},
		{"send_quote", map[string]any{"property_id": otherProp["hospitable"], "check_in": "2026-12-20", "check_out": "2026-12-22", "adults": 2}},
		{"save_task", map[string]any{"task_id": taskOther, "title": "Check the boiler"}},
		{"save_task", map[string]any{"property_id": otherProp["hostaway"], "title": "Check the boiler"}},
	} {
		r := rawCall(t, c, tc.tool, tc.args)
		text := resultText(r)
		if !r.IsError || !strings.Contains(text, refusal) || !strings.Contains(text, e.ts.URL+"/connections") {
			t.Errorf("%s %v on another property: %v %q", tc.tool, tc.args, r.IsError, text)
		}
	}
	if n := drafts(); n != before {
		t.Errorf("%d drafts made by refused writes", n-before)
	}
	if r := rawCall(t, c, "disconnect_vendor", map[string]any{"connection_id": hostexConn}); !r.IsError || !strings.Contains(resultText(r), "acts on a whole vendor account") {
		t.Errorf("disconnect_vendor under a property limit: %q", resultText(r))
	}
	if len(e.vendorConns(t, "hostex")) != 1 {
		t.Fatal("the Hostex account was disconnected")
	}

	// At an allowed property the same tools run; a write reaches its
	// confirmation (a draft, for this client cannot ask in the chat).
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"get_property", map[string]any{"property_id": allowedList[0]}},
		{"get_reservation", map[string]any{"reservation_id": resMine}},
		{"get_footfall", map[string]any{"site_id": sites.Sites[0].ID}},
		{"update_stay", map[string]any{"reservation_id": resMine, "host_note": "Allowed"}},
	} {
		if r := rawCall(t, c, tc.tool, tc.args); r.IsError {
			t.Errorf("%s %v at an allowed property: %q", tc.tool, tc.args, resultText(r))
		}
	}
	if n := drafts(); n != before+1 {
		t.Errorf("%d drafts after an allowed write, want %d", n, before+1)
	}
}
