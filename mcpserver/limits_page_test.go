package mcpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"golang.org/x/net/html"
)

// TestLimitsFormRefusesBadInput: the limits form of an app known by its
// metadata URL (a read-only app): every bad choice is refused with a 400
// that says what is wrong, and nothing is saved; a form without its CSRF
// token, or for an app the host has not approved, or from a browser not
// signed in, is refused too.
func TestLimitsFormRefusesBadInput(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	_, clientID := e.metadataClientGrant(t, "https://docs.example.org/oauth/client-metadata.json")
	b, p := e.hostBrowser(t)
	if strings.Contains(p.Body, `value="send_message"`) || !strings.Contains(p.Body, "not offered: you did not give this app write access") {
		t.Fatal("a read-only app is offered the tools that change things")
	}
	form := p.Form(t, "/clients/"+url.PathEscape(clientID)+"/limits")
	ok := url.Values{"tools": {"some"}, "tool": {"list_properties"}, "properties": {"all"}}
	for _, tc := range []struct {
		name string
		set  url.Values
		want string
	}{
		{"no choice of tools", url.Values{"tools": nil}, "every tool or only some"},
		{"some tools, none ticked", url.Values{"tool": nil}, "Tick at least one tool"},
		{"an unknown tool", url.Values{"tool": {"list_properties", "rm_rf"}}, "&#34;rm_rf&#34; is not a tool"},
		{"a write tool for a read-only app", url.Values{"tool": {"send_message"}}, "&#34;send_message&#34; is not a tool"},
		{"no choice of properties", url.Values{"properties": {"several"}}, "every property or only some"},
		{"some properties, none ticked", url.Values{"properties": {"some"}}, "Tick at least one property"},
		{"a property not vendor-qualified", url.Values{"properties": {"some"}, "property": {"12111947"}}, "is not a property of an account you shared"},
		{"a property of a vendor not shared", url.Values{"properties": {"some"}, "property": {"guesty:1"}}, "is not a property of an account you shared"},
		{"a date that is none", url.Values{"until": {"2026-02-30"}}, "is not a date like"},
		{"a date in words", url.Values{"until": {"next Friday"}}, "is not a date like"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range ok {
				v[k] = vs
			}
			for k, vs := range tc.set {
				v[k] = vs
			}
			p := b.Submit(form, v)
			if p.Resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, tc.want) {
				t.Fatalf("status %d, want 400 saying %q:\n%s", p.Resp.StatusCode, tc.want, p.Body)
			}
			if l, err := e.store.GetAppLimits(context.Background(), e.host.ID, clientID); err != nil || !l.None() {
				t.Fatalf("limits after a refused form: %+v, %v", l, err)
			}
		})
	}
	// The good form saves, for a client whose id is a URL (escaped into
	// the form's path).
	if p := b.Submit(form, ok); p.Resp.StatusCode != http.StatusOK || !strings.Contains(p.Body, "Saved the app&#39;s limits") {
		t.Fatalf("saving: %d\n%s", p.Resp.StatusCode, p.Body)
	}
	if l, _ := e.store.GetAppLimits(context.Background(), e.host.ID, clientID); len(l.Tools) != 1 || l.Tools[0] != "list_properties" {
		t.Fatalf("saved limits %+v", l)
	}

	noCSRF := url.Values{"tools": {"all"}, "properties": {"all"}}
	if p := b.Post(form.Action, noCSRF); p.Resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a form without its CSRF token: %d", p.Resp.StatusCode)
	}
	v := url.Values{"csrf": form.Values["csrf"], "tools": {"all"}, "properties": {"all"}}
	if p := b.Post("/clients/never-approved/limits", v); p.Resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an app not approved: %d", p.Resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+form.Action, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
		t.Fatalf("signed out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if l, _ := e.store.GetAppLimits(context.Background(), e.host.ID, clientID); len(l.Tools) != 1 {
		t.Fatalf("limits changed by a refused form: %+v", l)
	}
}

// TestLimitsFormVendorFailure: when a vendor cannot list its properties,
// the connections page still renders; it says which account could not be
// read, lists the properties it could, and keeps a property allowed before
// on the form, ticked, so saving the form does not drop it unseen.
func TestLimitsFormVendorFailure(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	const kept = "hostex:12111947"
	if err := e.setAppLimits(context.Background(), store.AppLimits{UserID: e.host.ID, ClientID: f.clientID, Properties: []string{kept}}); err != nil {
		t.Fatal(err)
	}
	e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Status: http.StatusInternalServerError, Times: -1})
	defer e.sandbox.Hostex.ClearFaults()
	b, p := e.hostBrowser(t)
	if p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("connections page: %d", p.Resp.StatusCode)
	}
	for _, want := range []string{"could not read the properties of Hostex · Hostex sandbox", "Alfama Tile House", `value="` + kept + `" checked`, "1 property"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	form := p.Form(t, "/clients/"+url.PathEscape(f.clientID)+"/limits")
	if got := form.Values["property"]; len(got) != 1 || got[0] != kept {
		t.Fatalf("the form would send properties %v, want the one allowed before", got)
	}
	if p := b.Submit(form, nil); p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("saving the form as shown: %d\n%s", p.Resp.StatusCode, p.Body)
	}
	if l, _ := e.store.GetAppLimits(context.Background(), e.host.ID, f.clientID); len(l.Properties) != 1 || l.Properties[0] != kept {
		t.Fatalf("limits after saving the form as shown: %+v", l)
	}
	// Every control of the form has its label, for keyboards and screen
	// readers: each input sits inside a label, or is hidden.
	checkLabelled(t, p.Body, form.Action)
}

// checkLabelled fails for an input of the form with action that is
// neither hidden nor inside a label.
func checkLabelled(t *testing.T, body, action string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	inputs := 0
	var walk func(n *html.Node, inForm, inLabel bool)
	walk = func(n *html.Node, inForm, inLabel bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				inForm = attr(n, "action") == action
			case "label":
				inLabel = true
			case "input":
				if inForm && attr(n, "type") != "hidden" {
					inputs++
					if !inLabel {
						t.Errorf("input %s=%s has no label", attr(n, "name"), attr(n, "value"))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm, inLabel)
		}
	}
	walk(doc, false, false)
	if inputs < 5 {
		t.Fatalf("%d inputs found in the form %s", inputs, action)
	}
}
