package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// toolResult calls a tool and returns whether it is a tool error, its text
// and its structured content decoded into out (when not nil). A transport
// error — an HTTP 401 or 403 on /mcp among them — fails the test.
func toolResult(t *testing.T, c *client.Client, name string, args map[string]any, out any) (bool, string) {
	t.Helper()
	res, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		t.Fatalf("%s: the call itself failed (not a tool error): %v", name, err)
	}
	var texts []string
	for _, ct := range res.Content {
		if tc, ok := ct.(mcp.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	if out != nil && !res.IsError {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: decode %s: %v", name, b, err)
		}
	}
	return res.IsError, strings.Join(texts, " ")
}

// TestVendorFailuresInsideTools scripts vendor faults under an mcp-go
// client authorized by the full OAuth flow and checks what the model sees:
// a vendor 401 is refreshed and retried once; a dead refresh token and a
// refused personal token mark the connection needs_reauth and the tool
// error names the reconnect URL; a 429 says how long to wait; one failing
// vendor leaves the others' answer standing. Through all of it, every
// /mcp response is HTTP 200: no vendor failure becomes an HTTP 401.
func TestVendorFailuresInsideTools(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	// Hospitable by OAuth (rotating refresh tokens), reconnecting the
	// sandbox account in place; Hostex stays on its personal token.
	b, p := e.hostBrowser(t)
	_, _ = e.connectOAuth(t, b, p, "hospitable")
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	logMark := len(e.logs.String())
	calls := 0
	call := func(name string, args map[string]any, out any) (bool, string) {
		t.Helper()
		calls++
		return toolResult(t, f.client, name, args, out)
	}
	hostex, hospitable, hostaway := e.onlyConn(t, "hostex"), e.onlyConn(t, "hospitable"), e.onlyConn(t, "hostaway")
	if hospitable.AuthKind != store.AuthOAuth {
		t.Fatalf("hospitable = %+v, want an OAuth connection", hospitable)
	}

	t.Run("a vendor 401 mid-call refreshes and retries once", func(t *testing.T) {
		for _, tc := range []struct {
			vendor, path string
			conn         store.Connection
		}{
			{"hospitable", "/properties", hospitable},
			{"hostaway", "/listings", hostaway},
		} {
			v := e.fake(t, tc.vendor)
			before := e.credOf(t, tc.conn.ID)
			tokens := v.TokenRequests()
			v.Fail(sandbox.Fault{Path: tc.path, Status: http.StatusUnauthorized})
			var out tools.PropertiesOut
			if isErr, text := call("list_properties", map[string]any{"vendor": tc.vendor}, &out); isErr || len(out.Errors) != 0 || len(out.Properties) == 0 {
				t.Fatalf("%s: list_properties after one 401: error %v %q, %+v", tc.vendor, isErr, text, out.Errors)
			}
			if n := v.TokenRequests() - tokens; n != 1 {
				t.Fatalf("%s: %d token requests, want exactly one refresh", tc.vendor, n)
			}
			after := e.credOf(t, tc.conn.ID)
			if after.AccessToken == before.AccessToken {
				t.Fatalf("%s: the renewed access token was not stored", tc.vendor)
			}
			if tc.vendor == "hospitable" && (after.RefreshToken == before.RefreshToken || after.RefreshToken == "") {
				t.Fatalf("hospitable: the rotated refresh token was not stored")
			}
			if c := e.onlyConn(t, tc.vendor); c.Status != store.StatusOK {
				t.Fatalf("%s status after a refresh = %s", tc.vendor, c.Status)
			}
		}
	})

	t.Run("429 says how long to wait", func(t *testing.T) {
		for _, tc := range []struct{ retryAfter, want string }{
			{"30", "Hostex's rate limit is spent for Hostex sandbox; try again in 30 s."},
			{"", "Hostex's rate limit is spent for Hostex sandbox; try again in a minute."},
		} {
			e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Status: http.StatusTooManyRequests, RetryAfter: tc.retryAfter})
			isErr, text := call("list_properties", map[string]any{"vendor": "hostex"}, nil)
			if !isErr || text != tc.want {
				t.Fatalf("Retry-After %q: error %v, text %q, want %q", tc.retryAfter, isErr, text, tc.want)
			}
		}
		if c := e.onlyConn(t, "hostex"); c.Status != store.StatusOK {
			t.Fatalf("a rate limit changed the connection: %s", c.Status)
		}
	})

	t.Run("one vendor failing leaves the others' answer", func(t *testing.T) {
		e.sandbox.Hostaway.Fail(sandbox.Fault{Path: "/listings", Status: http.StatusInternalServerError, Times: -1})
		defer e.sandbox.Hostaway.ClearFaults()
		var out tools.PropertiesOut
		isErr, text := call("list_properties", nil, &out)
		if isErr {
			t.Fatalf("list_properties with one vendor down is a tool error: %q", text)
		}
		want := tools.VendorError{Vendor: "hostaway", ConnectionID: hostaway.ID, Label: "Hostaway sandbox",
			Error: "Hostaway (Hostaway sandbox) is not answering properly right now. Try again in a few minutes."}
		if len(out.Errors) != 1 || out.Errors[0] != want {
			t.Fatalf("errors = %+v, want only %+v", out.Errors, want)
		}
		byVendor := map[string]int{}
		for _, p := range out.Properties {
			byVendor[p.Vendor]++
		}
		if byVendor["hostex"] == 0 || byVendor["hospitable"] == 0 || byVendor["hostaway"] != 0 {
			t.Fatalf("properties by vendor = %v", byVendor)
		}
		if summary, _, _ := strings.Cut(text, "\n"); !strings.HasSuffix(summary, "; 1 account(s) could not answer (see errors).") {
			t.Fatalf("summary = %q", summary)
		}
	})

	t.Run("a dead refresh token needs the host, with the reconnect URL", func(t *testing.T) {
		hsp := e.sandbox.Hospitable
		hsp.RotateRefreshTokensOutOfBand()
		hsp.ExpireAccessTokens()
		tokens := hsp.TokenRequests()
		isErr, text := call("list_properties", map[string]any{"vendor": "hospitable"}, nil)
		reconnect := e.ts.URL + "/connections?reconnect=" + hospitable.ID
		want := "Hospitable (Hospitable sandbox) needs the host to reconnect it. Give the host this link: " + reconnect + " — then call this again."
		if !isErr || text != want {
			t.Fatalf("error %v, text %q, want %q", isErr, text, want)
		}
		if n := hsp.TokenRequests() - tokens; n != 1 {
			t.Fatalf("%d refresh attempts, want 1", n)
		}
		assertStatus(t, call, hospitable.ID, "needs_reauth", "the vendor refused to renew access")
		// Now known dead: the next call does not even reach the vendor.
		requests := hsp.Requests("")
		if isErr, again := call("list_properties", map[string]any{"vendor": "hospitable"}, nil); !isErr || again != want {
			t.Fatalf("second call: %v %q", isErr, again)
		}
		if hsp.Requests("") != requests {
			t.Fatal("a needs_reauth connection was still called")
		}
	})

	t.Run("a refused personal token needs the host", func(t *testing.T) {
		e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Status: http.StatusUnauthorized})
		isErr, text := call("list_properties", map[string]any{"vendor": "hostex"}, nil)
		want := "Hostex (Hostex sandbox) needs the host to reconnect it. Give the host this link: " + e.ts.URL + "/connections?reconnect=" + hostex.ID + " — then call this again."
		if !isErr || text != want {
			t.Fatalf("error %v, text %q, want %q", isErr, text, want)
		}
		assertStatus(t, call, hostex.ID, "needs_reauth", "the vendor refused the saved token")
		// Across all vendors the two broken accounts are listed with their
		// links and the rest still answers.
		var out tools.PropertiesOut
		if isErr, text := call("list_properties", nil, &out); isErr || len(out.Errors) != 2 || len(out.Properties) == 0 {
			t.Fatalf("list_properties: %v %q %+v", isErr, text, out.Errors)
		}
		for _, ve := range out.Errors {
			if ve.ReconnectURL != e.ts.URL+"/connections?reconnect="+ve.ConnectionID {
				t.Errorf("error entry %+v lacks its reconnect URL", ve)
			}
		}
	})

	t.Run("the host follows the link and reconnects", func(t *testing.T) {
		p := b.Get("/connections?reconnect=" + hospitable.ID)
		if got := elementText(t, p.Body, "conn-"+hospitable.ID); got != "Hospitable · Hospitable sandbox needs you to reconnect the vendor refused to renew access Reconnect Check now Disconnect" {
			t.Fatalf("row = %q", got)
		}
		if href := linkNamed(t, p.Body, "Reconnect"); href != "#connect-hospitable" {
			t.Fatalf("reconnect link = %q", href)
		}
		_, p = e.connectOAuth(t, b, p, "hospitable")
		if p.URL.RequestURI() != "/connections?done=connected" {
			t.Fatalf("reconnect ended on %s", p.URL)
		}
		assertStatus(t, call, hospitable.ID, "ok", "")
		var out tools.PropertiesOut
		if isErr, text := call("list_properties", map[string]any{"vendor": "hospitable"}, &out); isErr || len(out.Properties) == 0 {
			t.Fatalf("list_properties after reconnecting: %v %q", isErr, text)
		}
	})

	// Every /mcp exchange of the calls above was HTTP 200.
	statuses := e.mcpStatuses(logMark)
	if len(statuses) < calls {
		t.Fatalf("%d /mcp requests logged for %d calls: is request logging captured?", len(statuses), calls)
	}
	for _, s := range statuses {
		if s != "POST 200" {
			t.Fatalf("a /mcp request answered %s; all: %v", s, statuses)
		}
	}
}

// assertStatus checks a connection's status as list_connections shows it.
func assertStatus(t *testing.T, call func(string, map[string]any, any) (bool, string), id, status, lastError string) {
	t.Helper()
	var out tools.ListConnectionsOut
	if isErr, text := call("list_connections", nil, &out); isErr {
		t.Fatalf("list_connections: %s", text)
	}
	for _, c := range out.Connections {
		if c.ID == id {
			if c.Status != status || c.LastError != lastError {
				t.Fatalf("list_connections shows %s as %q (%q), want %q (%q)", c.Vendor, c.Status, c.LastError, status, lastError)
			}
			return
		}
	}
	t.Fatalf("list_connections does not list %s: %+v", id, out.Connections)
}
