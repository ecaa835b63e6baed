package mcpserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"github.com/mark3labs/mcp-go/mcp"
)

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestConnectionsPageNeedsSignIn: every connections page and form sends a
// browser without a session to sign in, coming back to the page it asked
// for (a form post comes back to the connections page).
func TestConnectionsPageNeedsSignIn(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	for _, tc := range []struct{ method, path, back string }{
		{"GET", "/connections", "/connections"},
		{"GET", "/connections?reconnect=abc&vendor=hostex", "/connections?reconnect=abc&vendor=hostex"},
		{"GET", "/connections/new?vendor=hostex&kind=token", "/connections/new?vendor=hostex&kind=token"},
		{"GET", "/connections/oauth/callback?code=c&state=s", "/connections/oauth/callback?code=c&state=s"},
		{"POST", "/connections/new", "/connections"},
		{"POST", "/connections/oauth/start", "/connections"},
		{"POST", "/connections/abc/disconnect", "/connections"},
		{"POST", "/connections/abc/refresh", "/connections"},
		{"POST", "/clients/abc/revoke", "/connections"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.ts.URL+tc.path, strings.NewReader("vendor=hostex"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want 303", resp.StatusCode)
			}
			if got, want := resp.Header.Get("Location"), signin.SignInURL(tc.back); got != want {
				t.Fatalf("Location = %q, want %q", got, want)
			}
		})
	}
	if n := len(e.hostConns(t)); n != 4 {
		t.Fatalf("%d connections after signed-out posts, want the 4 sandbox ones", n)
	}
}

// TestConnectionsPageLists: the signed-in host sees their four sandbox
// accounts, every vendor with the ways it can be connected, and the apps
// they approved — on a page that cannot be framed or cached.
func TestConnectionsPageLists(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	b, p := e.hostBrowser(t)
	if p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("connections page: %d", p.Resp.StatusCode)
	}
	// The "Sign in with <vendor>" forms redirect to the vendors' authorize
	// pages, so form-action names their origins (Chrome checks the redirect).
	var authOrigins []string
	for _, v := range []*sandbox.Vendor{e.sandbox.Hostex, e.sandbox.Hospitable, e.sandbox.HoxtonAI} {
		u, err := url.Parse(v.AuthorizeURL)
		if err != nil {
			t.Fatal(err)
		}
		authOrigins = append(authOrigins, u.Scheme+"://"+u.Host)
	}
	assertPageHeadersFormTo(t, "connections page", p.Resp.Header, authOrigins...)

	conns := e.hostConns(t)
	if len(conns) != 4 {
		t.Fatalf("%d connections, want 4", len(conns))
	}
	wantConn := map[string]string{
		"hostex":     "Hostex · Hostex sandbox connected Check now Disconnect",
		"hospitable": "Hospitable · Hospitable sandbox connected Check now Disconnect",
		"hostaway":   "Hostaway · Hostaway sandbox connected Check now Disconnect",
		"hoxtonai":   "HoxtonAI · HoxtonAI sandbox connected Check now Disconnect",
	}
	doc := parseHTML(t, p.Body)
	for _, c := range conns {
		if got := elementText(t, p.Body, "conn-"+c.ID); got != wantConn[c.Vendor] {
			t.Errorf("%s row = %q, want %q", c.Vendor, got, wantConn[c.Vendor])
		}
		want := []string{"/connections/" + c.ID + "/refresh", "/connections/" + c.ID + "/disconnect"}
		if got := formActions(byID(doc, "conn-"+c.ID)); !slices.Equal(got, want) {
			t.Errorf("%s row forms = %v, want %v", c.Vendor, got, want)
		}
	}

	for _, tc := range []struct {
		vendor string
		text   string
		forms  []string
		links  []link
	}{
		{"hostex", "Hostex Sign in with Hostex Paste a personal access token", []string{"/connections/oauth/start"},
			[]link{{"/connections/new?vendor=hostex&kind=token&return=", "Paste a personal access token"}}},
		{"hospitable", "Hospitable Sign in with Hospitable Paste a personal access token", []string{"/connections/oauth/start"},
			[]link{{"/connections/new?vendor=hospitable&kind=token&return=", "Paste a personal access token"}}},
		{"hostaway", "Hostaway Enter API credentials", nil,
			[]link{{"/connections/new?vendor=hostaway&kind=client_credentials&return=", "Enter API credentials"}}},
		{"hoxtonai", "HoxtonAI Sign in with HoxtonAI Enter API credentials", []string{"/connections/oauth/start"},
			[]link{{"/connections/new?vendor=hoxtonai&kind=client_credentials&return=", "Enter API credentials"}}},
	} {
		n := byID(doc, "connect-"+tc.vendor)
		if n == nil {
			t.Errorf("no connect options for %s", tc.vendor)
			continue
		}
		if got := textOf(n); got != tc.text {
			t.Errorf("%s connect options = %q, want %q", tc.vendor, got, tc.text)
		}
		if got := formActions(n); !slices.Equal(got, tc.forms) {
			t.Errorf("%s connect forms = %v, want %v", tc.vendor, got, tc.forms)
		}
		if got := links(n); !slices.Equal(got, tc.links) {
			t.Errorf("%s connect links = %v, want %v", tc.vendor, got, tc.links)
		}
	}
	if !strings.Contains(p.Body, "No app has access yet. Add <code>"+e.ts.URL+"/mcp</code>") {
		t.Errorf("the page does not say no app has access yet")
	}

	// An approved app appears, with its scopes and a revoke form.
	_, clientID := e.grant(t, "read")
	p = b.Get("/connections")
	if !strings.Contains(textOf(parseHTML(t, p.Body)), "test client since 30 Nov 2026 · read Revoke access") {
		t.Errorf("approved app not listed:\n%s", p.Body)
	}
	p.Form(t, "/clients/"+clientID+"/revoke")
	if strings.Contains(p.Body, "No app has access yet") {
		t.Errorf("the page still says no app has access")
	}
}

// TestRevokeClientOnConnectionsPage: revoking an app on the connections
// page ends its access at once: the very next /mcp call with its access
// token gets 401 invalid_token, its refresh token is dead, and the page no
// longer lists it.
func TestRevokeClientOnConnectionsPage(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	tok, clientID := e.grant(t, "read")
	c := e.tokenClient(t, tok.AccessToken)
	if who := callWhoami(t, c); who.Client.ID != clientID {
		t.Fatalf("whoami before revocation = %+v", who)
	}

	b, p := e.hostBrowser(t)
	if !strings.Contains(p.Body, "test client") {
		t.Fatalf("the app is not listed before revocation")
	}
	p = b.Submit(p.Form(t, "/clients/"+clientID+"/revoke"), nil)
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=revoked" {
		t.Fatalf("revoke: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	if !strings.Contains(p.Body, "Access revoked. The app must ask you again.") {
		t.Errorf("no notice after revocation")
	}
	if strings.Contains(p.Body, "test client") || strings.Contains(p.Body, "/clients/"+clientID+"/revoke") {
		t.Errorf("the revoked app is still listed:\n%s", p.Body)
	}

	resp := postMCP(t, e.ts.URL+"/mcp", tok.AccessToken, `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`)
	if resp.StatusCode != http.StatusUnauthorized || challengeParam(resp.Header.Get("WWW-Authenticate"), "error") != "invalid_token" {
		t.Fatalf("next /mcp call after revocation: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if _, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "whoami"}}); err == nil {
		t.Fatal("the revoked app's client still calls tools")
	}
	status, body := e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {clientID}})
	if status != http.StatusBadRequest || !strings.Contains(body, "invalid_grant") {
		t.Fatalf("refresh after revocation: %d %s", status, body)
	}
	if aps, err := e.store.ListApprovals(context.Background(), e.host.ID); err != nil || len(aps) != 0 {
		t.Fatalf("approvals after revocation: %+v, %v", aps, err)
	}
}

// TestConnectByForm: the token and API-key forms save nothing a cheap
// vendor call did not accept, explain why on a 400 page without echoing
// the secret, and on success reconnect the same vendor account in place
// (the sandbox has one account per vendor) rather than add a duplicate.
func TestConnectByForm(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	b, _ := e.hostBrowser(t)

	// The form itself.
	p := b.Get("/connections/new?vendor=hostex&kind=token")
	if p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("hostex token form: %d", p.Resp.StatusCode)
	}
	assertPageHeaders(t, "connect form", p.Resp.Header)
	f := p.Form(t, "/connections/new")
	if f.Method != http.MethodPost || f.Values.Get("vendor") != "hostex" || f.Values.Get("kind") != "token" || f.Values.Get("csrf") == "" {
		t.Fatalf("hostex token form = %+v", f)
	}
	if !strings.Contains(p.Body, `<input type="password" id="f-access_token" name="access_token"`) {
		t.Errorf("the token field is not a password field:\n%s", p.Body)
	}
	for _, q := range []string{"vendor=hostaway&kind=token", "vendor=nope&kind=token", "vendor=hostex&kind=oauth"} {
		if p := b.Get("/connections/new?" + q); p.Resp.StatusCode != http.StatusNotFound || !strings.Contains(p.Body, "Unknown way to connect") {
			t.Errorf("form %s: %d", q, p.Resp.StatusCode)
		}
	}

	before := e.hostConns(t)
	for _, tc := range []struct {
		name   string
		vendor string
		kind   string
		values url.Values
		secret string // must not be echoed
		want   string
	}{
		{"hostex token the vendor refuses", "hostex", "token", url.Values{"access_token": {"hx_pat_made_up_0123456789"}}, "hx_pat_made_up_0123456789",
			"Hostex did not accept these credentials. Check them and try again."},
		{"hostex token of a lapsed account", "hostex", "token", url.Values{"access_token": {sandbox.HostexLapsedToken}}, sandbox.HostexLapsedToken,
			"Hostex reports a problem with the account (for example an expired subscription)."},
		{"hostex token that is not a token", "hostex", "token", url.Values{"access_token": {"two words"}}, "two words",
			"Some fields are missing or malformed: hostex: that does not look like a Hostex access token: invalid request"},
		{"hostex empty token", "hostex", "token", url.Values{"access_token": {"  "}}, "",
			"Some fields are missing or malformed: hostex: paste the personal access token: invalid request"},
		{"hostaway wrong API key", "hostaway", "client_credentials", url.Values{"account_id": {sandbox.HostawayAccountID}, "api_key": {"wrong-key-0123456789"}}, "wrong-key-0123456789",
			"Hostaway did not accept these credentials. Check them and try again."},
		{"hostaway account id not a number", "hostaway", "client_credentials", url.Values{"account_id": {"acme"}, "api_key": {sandbox.HostawayAPIKey}}, sandbox.HostawayAPIKey,
			"Some fields are missing or malformed: hostaway: the account ID is the number shown under Settings → Hostaway API: invalid request"},
		{"hoxtonai wrong client secret", "hoxtonai", "client_credentials", url.Values{"client_id": {sandbox.HoxtonAIM2MClientID}, "client_secret": {"wrong-secret-0123456789"}}, "wrong-secret-0123456789",
			"HoxtonAI did not accept these credentials. Check them and try again."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.Get("/connections/new?vendor=" + tc.vendor + "&kind=" + tc.kind)
			extra := url.Values{"label": {"My label"}}
			for k, v := range tc.values {
				extra[k] = v
			}
			p = b.Submit(p.Form(t, "/connections/new"), extra)
			if p.Resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400:\n%s", p.Resp.StatusCode, p.Body)
			}
			assertPageHeaders(t, "connect form error", p.Resp.Header)
			if got := elementText(t, p.Body, "connect-error"); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			if tc.secret != "" && strings.Contains(p.Body, tc.secret) {
				t.Errorf("the page echoes the submitted secret")
			}
			// The form comes back, label kept, ready for another try.
			if f := p.Form(t, "/connections/new"); f.Values.Get("label") != "My label" || f.Values.Get("vendor") != tc.vendor {
				t.Errorf("form after error = %+v", f.Values)
			}
			if after := e.hostConns(t); !sameConns(before, after) {
				t.Errorf("connections changed after a refused credential:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}

	// No CSRF token: refused before any vendor call.
	calls := e.sandbox.Hostex.Requests("")
	p = b.Post("/connections/new", url.Values{"vendor": {"hostex"}, "kind": {"token"}, "access_token": {sandbox.HostexReadOnlyToken}})
	if p.Resp.StatusCode != http.StatusForbidden || e.sandbox.Hostex.Requests("") != calls {
		t.Fatalf("connect without CSRF: %d, %d vendor calls", p.Resp.StatusCode, e.sandbox.Hostex.Requests("")-calls)
	}

	// A working read-only token for the account already connected replaces
	// the credential in place: same row, no duplicate.
	hostex := e.onlyConn(t, "hostex")
	p = b.Get("/connections/new?vendor=hostex&kind=token")
	p = b.Submit(p.Form(t, "/connections/new"), url.Values{"access_token": {sandbox.HostexReadOnlyToken}, "label": {"Read-only"}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=connected" || !strings.Contains(p.Body, "Connected.") {
		t.Fatalf("hostex read-only token: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	after := e.onlyConn(t, "hostex")
	if after.ID != hostex.ID || after.Version <= hostex.Version || after.Status != store.StatusOK || after.AuthKind != store.AuthToken {
		t.Fatalf("hostex after reconnect = %+v, before %+v", after, hostex)
	}
	// A reconnect takes the label the host typed.
	if after.Label != "Read-only" {
		t.Errorf("label after reconnect = %q", after.Label)
	}
	if got := e.credOf(t, after.ID).AccessToken; got != sandbox.HostexReadOnlyToken {
		t.Errorf("hostex credential was not replaced")
	}

	// Hostaway by account id and API key, with a return to a local page:
	// a fresh token is minted and the same row updated.
	hostaway := e.onlyConn(t, "hostaway")
	oldTok := e.credOf(t, hostaway.ID).AccessToken
	p = b.Get("/connections/new?vendor=hostaway&kind=client_credentials&return=" + url.QueryEscape("/connections?vendor=hostaway"))
	p = b.Submit(p.Form(t, "/connections/new"), url.Values{"account_id": {sandbox.HostawayAccountID}, "api_key": {sandbox.HostawayAPIKey}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?vendor=hostaway" {
		t.Fatalf("hostaway: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	after = e.onlyConn(t, "hostaway")
	cred := e.credOf(t, after.ID)
	if after.ID != hostaway.ID || after.Version <= hostaway.Version || cred.AccessToken == oldTok || cred.ClientID != sandbox.HostawayAccountID || cred.ClientSecret != sandbox.HostawayAPIKey {
		t.Fatalf("hostaway after reconnect = %+v", after)
	}
	// A return that leaves hostgate is ignored.
	p = b.Get("/connections/new?vendor=hostaway&kind=client_credentials&return=" + url.QueryEscape("//evil.example/x"))
	p = b.Submit(p.Form(t, "/connections/new"), url.Values{"account_id": {sandbox.HostawayAccountID}, "api_key": {sandbox.HostawayAPIKey}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=connected" {
		t.Fatalf("hostaway with a foreign return: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	if n := len(e.hostConns(t)); n != 4 {
		t.Fatalf("%d connections, want still 4", n)
	}
}

// sameConns reports whether two listings hold the same rows at the same versions.
func sameConns(a, b []store.Connection) bool {
	return slices.EqualFunc(a, b, func(x, y store.Connection) bool {
		return x.ID == y.ID && x.Version == y.Version && string(x.Secret) == string(y.Secret) && x.Status == y.Status
	})
}

// TestDisconnectOnPage: disconnecting a Hostex OAuth connection revokes it
// at Hostex (its tokens stop working there) and deletes the row; another
// host's connection, an unknown one, or a post without CSRF change nothing.
func TestDisconnectOnPage(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	ctx := context.Background()
	b, p := e.hostBrowser(t)
	_, p = e.connectOAuth(t, b, p, "hostex")
	conn := e.onlyConn(t, "hostex")
	cred := e.credOf(t, conn.ID)
	if conn.AuthKind != store.AuthOAuth || cred.RefreshToken == "" {
		t.Fatalf("hostex after OAuth = %+v", conn)
	}
	hx := e.sandbox.Hostex
	if code := hostexErrorCode(t, hx, cred.AccessToken); code != 0 {
		t.Fatalf("the OAuth token does not work at Hostex before disconnect: error_code %d", code)
	}

	// Bob, another host, has a connection of his own.
	bob := store.User{ID: "host-2", Username: "bob", PasswordHash: e.host.PasswordHash, CreatedAt: e.clock.Now()}
	if err := e.store.CreateUser(ctx, bob); err != nil {
		t.Fatal(err)
	}
	bobConn := store.Connection{ID: "bob-conn", UserID: bob.ID, Vendor: "hostex", AccountID: "prop-1", Label: "Bob's",
		AuthKind: store.AuthToken, Secret: connector.Credential{AccessToken: sandbox.HostexWritableToken}.Encode(),
		Status: store.StatusOK, CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := e.store.CreateConnection(ctx, bobConn); err != nil {
		t.Fatal(err)
	}

	f := p.Form(t, "/connections/"+conn.ID+"/disconnect")
	for _, tc := range []struct {
		name   string
		action string
		values url.Values
		status int
		text   string
	}{
		{"another host's connection", "/connections/" + bobConn.ID + "/disconnect", nil, http.StatusNotFound, "No such connection"},
		{"an unknown connection", "/connections/nope/disconnect", nil, http.StatusNotFound, "No such connection"},
		{"no CSRF token", "/connections/" + conn.ID + "/disconnect", url.Values{"csrf": {""}}, http.StatusForbidden, "This form expired or came from another site"},
		{"a CSRF token of another form", "/connections/" + conn.ID + "/disconnect", url.Values{"csrf": {p.Form(t, "/signout").Values.Get("csrf")}}, http.StatusForbidden, "This form expired or came from another site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := *f
			g.Action = tc.action
			p := b.Submit(&g, tc.values)
			if p.Resp.StatusCode != tc.status || !strings.Contains(p.Body, tc.text) {
				t.Fatalf("status %d, want %d with %q:\n%s", p.Resp.StatusCode, tc.status, tc.text, p.Body)
			}
			assertPageHeaders(t, "error page", p.Resp.Header)
		})
	}
	if _, err := e.store.GetConnection(ctx, bobConn.ID); err != nil {
		t.Fatalf("bob's connection: %v", err)
	}
	if n := hx.Requests("/oauth/revoke"); n != 0 {
		t.Fatalf("%d revocations before the real disconnect", n)
	}

	p = b.Submit(f, nil)
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=disconnected" || !strings.Contains(p.Body, "Disconnected.") {
		t.Fatalf("disconnect: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	if n := hx.Requests("/oauth/revoke"); n != 1 {
		t.Fatalf("Hostex revoke endpoint called %d times, want 1", n)
	}
	if code := hostexErrorCode(t, hx, cred.AccessToken); code != 401 {
		t.Fatalf("the revoked access token still works at Hostex: error_code %d", code)
	}
	if _, err := e.store.GetConnection(ctx, conn.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("connection after disconnect: %v", err)
	}
	if byID(parseHTML(t, p.Body), "conn-"+conn.ID) != nil {
		t.Errorf("the page still lists the disconnected account")
	}
	if n := len(e.hostConns(t)); n != 3 {
		t.Fatalf("%d connections left, want 3", n)
	}
	// Disconnecting it again: it is gone.
	if p := b.Submit(f, nil); p.Resp.StatusCode != http.StatusNotFound {
		t.Fatalf("second disconnect: %d", p.Resp.StatusCode)
	}
}

// hostexErrorCode asks the Hostex fake for properties with a token and
// returns the envelope's error_code (0: the token works).
func hostexErrorCode(t *testing.T, hx *sandbox.Vendor, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, hx.APIBase+"/properties?offset=0&limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+token) // an OAuth token, as Hostex takes one
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		ErrorCode int `json:"error_code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	return env.ErrorCode
}
