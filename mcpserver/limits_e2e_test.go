package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// setLimits submits an app's limits form on the connections page, as the
// host: the form's own values (its CSRF token) with these choices.
func setLimits(t *testing.T, b *browsertest.Browser, clientID string, choices url.Values) *browsertest.Page {
	t.Helper()
	p := b.Get("/connections")
	return b.Submit(p.Form(t, "/clients/"+url.PathEscape(clientID)+"/limits"), choices)
}

// toolNames lists the tools the client is shown.
func toolNames(t *testing.T, c *client.Client) []string {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	slices.Sort(names)
	return names
}

// TestAppLimitedToOnePropertyAndTwoTools is issue 12's "done when" for
// per-app limits: the host limits an approved app, on the connections
// page, to one property and two tools. From its next call (no new consent)
// the app is shown the two tools only; they work and return only that
// property's data; every other tool, and either tool on another property's
// item, is refused in words that say why and where the host changes it.
// A change on the page holds from the next call, and an end date, once
// passed on the server's clock, refuses every call as a tool error (never
// an HTTP 401, which would make the client drop its token).
func TestAppLimitedToOnePropertyAndTwoTools(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	manage := e.ts.URL + "/connections"

	// Unlimited, the app sees Hostex reservations at several properties.
	var all tools.ReservationsOut
	if msg := callTool(t, f.client, "list_reservations", map[string]any{"vendor": "hostex", "limit": 100}, &all); msg != "" {
		t.Fatal(msg)
	}
	byProp := map[string][]string{}
	for _, r := range all.Reservations {
		byProp[r.PropertyID] = append(byProp[r.PropertyID], r.ID)
	}
	if len(byProp) < 2 {
		t.Fatalf("the sandbox's Hostex reservations are at %d properties; the test needs two", len(byProp))
	}
	prop := all.Reservations[0].PropertyID
	mine := byProp[prop][0]
	var other, otherProp string
	for p, ids := range byProp {
		if p != prop {
			other, otherProp = ids[0], p
			break
		}
	}
	if len(toolNames(t, f.client)) < 20 {
		t.Fatal("an unlimited app should be shown every tool")
	}

	// The host limits the app on the page.
	b := signedIn(t, e)
	page := b.Get("/connections")
	for _, want := range []string{`value="` + prop + `"`, `value="list_reservations"`, "Limits: none"} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("the connections page lacks %s", want)
		}
	}
	if h := page.Resp.Header; h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("the connections page can be framed: %v", h)
	}
	two := []string{"get_reservation", "list_reservations"}
	limited := url.Values{"tools": {"some"}, "tool": two, "properties": {"some"}, "property": {prop}}
	if p := setLimits(t, b, f.clientID, limited); !strings.Contains(p.Body, "Saved the app&#39;s limits") || !strings.Contains(p.Body, "Limits: 2 tools, 1 property, no end date") {
		t.Fatalf("saving the limits: %d\n%s", p.Resp.StatusCode, p.Body)
	}

	// Its next calls: two tools shown, each working on the one property.
	if got := toolNames(t, f.client); !slices.Equal(got, two) {
		t.Fatalf("tools/list = %v, want %v", got, two)
	}
	var res tools.ReservationsOut
	res2 := rawCall(t, f.client, "list_reservations", map[string]any{"limit": 100})
	if res2.IsError {
		t.Fatalf("list_reservations: %s", resultText(res2))
	}
	decode(t, res2, &res)
	if len(res.Reservations) == 0 {
		t.Fatal("list_reservations returned nothing for the allowed property")
	}
	for _, r := range res.Reservations {
		if r.PropertyID != prop {
			t.Fatalf("list_reservations returned %s at %s, outside the limit %s", r.ID, r.PropertyID, prop)
		}
	}
	if !strings.Contains(resultText(res2), "limited this app to the properties "+prop) {
		t.Fatalf("the result does not say the list is limited: %s", firstLine(resultText(res2)))
	}
	var one tools.ReservationOut
	if msg := callTool(t, f.client, "get_reservation", map[string]any{"reservation_id": mine}, &one); msg != "" || one.ID != mine {
		t.Fatalf("get_reservation of the allowed property: %q, %+v", msg, one)
	}

	// Either tool on another property's item is refused, without naming it.
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"get_reservation", map[string]any{"reservation_id": other}},
		{"list_reservations", map[string]any{"property_id": otherProp}},
	} {
		r := rawCall(t, f.client, tc.tool, tc.args)
		text := resultText(r)
		if !r.IsError || !strings.Contains(text, "the host lets this app use ("+prop+")") || !strings.Contains(text, manage) {
			t.Fatalf("%s %v: %v %q", tc.tool, tc.args, r.IsError, text)
		}
		if tc.tool == "get_reservation" && strings.Contains(text, otherProp) {
			t.Fatalf("the refusal names the other reservation's property: %q", text)
		}
	}

	// Every other tool is refused, naming the two it may use.
	for _, tl := range e.srv.Tools() {
		if slices.Contains(two, tl.Def.Name) {
			continue
		}
		r := rawCall(t, f.client, tl.Def.Name, nil)
		text := resultText(r)
		if !r.IsError || !strings.Contains(text, "limited this app to these tools: get_reservation, list_reservations") ||
			!strings.Contains(text, tl.Def.Name+" is not one of them") || !strings.Contains(text, manage) {
			t.Fatalf("%s under the limit: %v %q", tl.Def.Name, r.IsError, text)
		}
	}

	// A change on the page holds from the app's next call.
	limited["tool"] = append(two, "list_properties")
	setLimits(t, b, f.clientID, limited)
	var props tools.PropertiesOut
	if msg := callTool(t, f.client, "list_properties", nil, &props); msg != "" || len(props.Properties) != 1 || props.Properties[0].ID != prop {
		t.Fatalf("list_properties once allowed: %q, %+v", msg, props.Properties)
	}

	// An end date: the app works through the day named (UTC), then every
	// call is refused as a tool error, not an HTTP 401.
	limited.Set("until", e.clock.Now().Format(time.DateOnly))
	if p := setLimits(t, b, f.clientID, limited); !strings.Contains(p.Body, "until the end of 30 Nov 2026 (UTC)") {
		t.Fatalf("saving the end date:\n%s", p.Body)
	}
	if msg := callTool(t, f.client, "list_properties", nil, nil); msg != "" {
		t.Fatalf("list_properties before the end: %s", msg)
	}
	e.clock.Advance(13 * time.Hour)
	f.tokens.expire() // the access token expired with the clock: the client refreshes it
	for _, name := range []string{"list_properties", "get_reservation", "whoami"} {
		r := rawCall(t, f.client, name, map[string]any{"reservation_id": mine})
		text := resultText(r)
		if !r.IsError || !strings.Contains(text, "access to end at 1 Dec 2026 00:00 UTC") || !strings.Contains(text, manage) {
			t.Fatalf("%s after the end: %v %q", name, r.IsError, text)
		}
	}
	tok, err := f.tokens.GetToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// modernCall fails the test on any HTTP status but 200.
	if r := modernCall(t, e, tok.AccessToken, "list_properties", nil, nil); !r.IsError || !strings.Contains(resultText(r), "access to end") {
		t.Fatalf("a stateless call after the end: %q", resultText(r))
	}
	b = signedIn(t, e) // the browser session ended with the clock too
	if p := b.Get("/connections"); !strings.Contains(p.Body, "access has ended") {
		t.Fatal("the connections page does not say the app's access has ended")
	}

	// Clearing the date lets it work again, on its next call.
	limited.Set("until", "")
	setLimits(t, b, f.clientID, limited)
	if msg := callTool(t, f.client, "list_properties", nil, nil); msg != "" {
		t.Fatalf("list_properties after the end date was cleared: %s", msg)
	}
}

// firstLine is a result text's summary.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// decode reads a successful result's structured content into out.
func decode(t *testing.T, res *mcp.CallToolResult, out any) {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
