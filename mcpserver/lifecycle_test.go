package mcpserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// checkNow presses a connection's "Check now" button on the connections
// page and returns where the host lands.
func checkNow(t *testing.T, e *env, connID string) string {
	t.Helper()
	b, p := e.hostBrowser(t)
	p = b.Submit(p.Form(t, "/connections/"+connID+"/refresh"), nil)
	if p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("check now: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	if p.URL.Query().Get("done") == "refreshed" && !strings.Contains(p.Body, "Refreshed: the account works.") {
		t.Errorf("no notice after checking")
	}
	return p.URL.RequestURI()
}

// readClient is an app the host approved for read, sharing every
// connection the host has now.
func readClient(t *testing.T, e *env) *client.Client {
	t.Helper()
	tok, _ := e.grant(t, "read")
	return e.tokenClient(t, tok.AccessToken)
}

// TestRefreshKeepsEveryConnectionWorking is the bug a new user met:
// refresh_connection (or "Check now") on the demo's Hostex or Hospitable
// account, connected by a pasted personal token, marked it needs_reauth
// although the token worked. For every vendor and every kind of
// connection, "Check now" and then refresh_connection leave the
// connection ok, a personal token untouched, and every account answering.
func TestRefreshKeepsEveryConnectionWorking(t *testing.T) {
	for _, tc := range []struct {
		vendor string
		kind   store.AuthKind
	}{
		{"hostex", store.AuthToken},
		{"hospitable", store.AuthToken},
		{"hostaway", store.AuthClientCredentials},
		{"hoxtonai", store.AuthClientCredentials},
		{"hostex", store.AuthOAuth},
		{"hospitable", store.AuthOAuth},
		{"hoxtonai", store.AuthOAuth},
	} {
		t.Run(tc.vendor+"/"+string(tc.kind), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{sandbox: true})
			if tc.kind == store.AuthOAuth {
				b, p := e.hostBrowser(t)
				e.connectOAuth(t, b, p, tc.vendor)
			}
			var conn store.Connection
			for _, c := range e.vendorConns(t, tc.vendor) {
				if c.AuthKind == tc.kind {
					conn = c
				}
			}
			if conn.ID == "" {
				t.Fatalf("no %s connection of kind %s", tc.vendor, tc.kind)
			}
			c := readClient(t, e)
			before := e.credOf(t, conn.ID)

			if got := checkNow(t, e, conn.ID); got != "/connections?done=refreshed" {
				t.Fatalf("check now landed on %s", got)
			}
			var info tools.ConnectionInfo
			if msg := callTool(t, c, "refresh_connection", map[string]any{"connection_id": conn.ID}, &info); msg != "" || info.Status != "ok" {
				t.Fatalf("refresh_connection = %+v, %q", info, msg)
			}
			stored, err := e.store.GetConnection(context.Background(), conn.ID)
			if err != nil || stored.Status != store.StatusOK || stored.LastError != "" {
				t.Fatalf("stored after refreshing: %+v, %v", stored, err)
			}
			if tc.kind == store.AuthToken && e.credOf(t, conn.ID) != before {
				t.Errorf("a personal token was changed by refreshing it")
			}
			var props tools.PropertiesOut
			if msg := callTool(t, c, "list_properties", nil, &props); msg != "" || len(props.Errors) != 0 {
				t.Fatalf("list_properties after refreshing: %q, errors %+v", msg, props.Errors)
			}
			var sites tools.SitesOut
			if msg := callTool(t, c, "list_sites", nil, &sites); msg != "" || len(sites.Errors) != 0 {
				t.Fatalf("list_sites after refreshing: %q, errors %+v", msg, sites.Errors)
			}
		})
	}
}

// TestRefreshRefusedToken: a personal token the vendor refuses makes
// "Check now" send the host to reconnect it, marked needs_reauth, and
// refresh_connection say where; a vendor outage is not a refusal, and the
// connection stays ok.
func TestRefreshRefusedToken(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	c := readClient(t, e)
	hostex, hospitable := e.onlyConn(t, "hostex"), e.onlyConn(t, "hospitable")

	e.sandbox.Hospitable.Fail(sandbox.Fault{Status: http.StatusServiceUnavailable, Times: -1})
	msg := callTool(t, c, "refresh_connection", map[string]any{"connection_id": hospitable.ID}, nil)
	if msg == "" || strings.Contains(msg, "reconnect") {
		t.Fatalf("refresh_connection during an outage: %q, want a failure without reconnecting", msg)
	}
	if s := e.onlyConn(t, "hospitable"); s.Status != store.StatusOK {
		t.Fatalf("hospitable after an outage: %s", s.Status)
	}
	e.sandbox.Hospitable.ClearFaults()

	e.sandbox.Hostex.Fail(sandbox.Fault{Status: http.StatusUnauthorized, Times: -1})
	if got := checkNow(t, e, hostex.ID); got != "/connections?reconnect="+hostex.ID {
		t.Fatalf("check now of a refused token landed on %s", got)
	}
	if s := e.onlyConn(t, "hostex"); s.Status != store.StatusNeedsReauth || s.LastError != "the vendor refused the saved token" {
		t.Fatalf("hostex after a refusal: %s %q", s.Status, s.LastError)
	}
	msg = callTool(t, c, "refresh_connection", map[string]any{"connection_id": hostex.ID}, nil)
	if !strings.Contains(msg, "/connections?reconnect="+hostex.ID) {
		t.Fatalf("refresh_connection of a refused token: %q, want the reconnect URL", msg)
	}
	if s := e.onlyConn(t, "hospitable"); s.Status != store.StatusOK {
		t.Fatalf("hospitable: %s", s.Status)
	}
}

// TestPasteOverOAuthRevokesGrant: pasting a personal token over a Hostex
// OAuth connection replaces it in place and revokes the OAuth grant at
// Hostex, which used to stay alive.
func TestPasteOverOAuthRevokesGrant(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	b, p := e.hostBrowser(t)
	e.connectOAuth(t, b, p, "hostex")
	conn := e.onlyConn(t, "hostex")
	grant := e.credOf(t, conn.ID)
	hx := e.sandbox.Hostex
	if conn.AuthKind != store.AuthOAuth || hostexErrorCode(t, hx, grant.AccessToken) != 0 || hx.Requests("/oauth/revoke") != 0 {
		t.Fatalf("hostex after OAuth: %+v", conn)
	}

	p = b.Get("/connections/new?vendor=hostex&kind=token")
	p = b.Submit(p.Form(t, "/connections/new"), url.Values{"access_token": {sandbox.HostexWritableToken}})
	if p.URL.RequestURI() != "/connections?done=connected" {
		t.Fatalf("paste: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	after := e.onlyConn(t, "hostex")
	if after.ID != conn.ID || after.AuthKind != store.AuthToken || e.credOf(t, after.ID).AccessToken != sandbox.HostexWritableToken {
		t.Fatalf("hostex after pasting: %+v", after)
	}
	if n := hx.Requests("/oauth/revoke"); n != 1 {
		t.Fatalf("Hostex revoke endpoint called %d times, want 1", n)
	}
	if code := hostexErrorCode(t, hx, grant.AccessToken); code != 401 {
		t.Fatalf("the replaced grant still works at Hostex: error_code %d", code)
	}
}

// TestDisconnectVendorTool: disconnect_vendor, confirmed by the host in
// the chat, revokes a Hostex OAuth grant at Hostex and deletes the
// connection, as the page's Disconnect does (TestDisconnectOnPage).
func TestDisconnectVendorTool(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	b, p := e.hostBrowser(t)
	e.connectOAuth(t, b, p, "hostex")
	conn := e.onlyConn(t, "hostex")
	cred := e.credOf(t, conn.ID)
	hx := e.sandbox.Hostex

	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	c := elicitingClient(t, e, f.tokens, &formElicitor{answer: answer(mcp.ElicitationResponseActionAccept, true)}, "2025-11-25")
	out := writeOut(t, rawCall(t, c, "disconnect_vendor", map[string]any{"connection_id": conn.ID}))
	var result tools.DisconnectOut
	if out.Status != "done" || out.Result == nil || json.Unmarshal(*out.Result, &result) != nil || !result.RevokedUpstream {
		t.Fatalf("disconnect_vendor = %+v", out)
	}
	if n := hx.Requests("/oauth/revoke"); n != 1 {
		t.Fatalf("Hostex revoke endpoint called %d times, want 1", n)
	}
	if code := hostexErrorCode(t, hx, cred.AccessToken); code != 401 {
		t.Fatalf("the revoked token still works at Hostex: error_code %d", code)
	}
	if _, err := e.store.GetConnection(context.Background(), conn.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("connection after disconnect_vendor: %v", err)
	}
}
