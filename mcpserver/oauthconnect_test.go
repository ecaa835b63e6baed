package mcpserver_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestConnectVendorOAuth connects each OAuth vendor through its fake's own
// authorize page: hostgate's start sends the browser there with a fresh
// state (and a PKCE challenge and the API audience where the vendor takes
// them), the host approves, the callback exchanges the code once and saves
// the credential sealed. Hostex and Hospitable name the account the
// sandbox token already connected, so it is reconnected in place; HoxtonAI
// sign-in is a different login than the machine client, so it is added.
// Replaying the callback is refused and changes nothing.
func TestConnectVendorOAuth(t *testing.T) {
	for _, tc := range []struct {
		vendor   string
		clientID string
		pkce     bool
		scope    string
		audience string
		inPlace  bool
		// noRedirect: the vendor fixes the redirect URL in its portal and
		// the authorize URL names none (Hospitable).
		noRedirect    bool
		access, renew string // token prefixes the fake issues
		label         string // of a new connection
	}{
		{vendor: "hostex", clientID: sandbox.HostexClientID, inPlace: true, access: "hx_oat_", renew: "hx_ort_"},
		{vendor: "hospitable", clientID: sandbox.HospitableClientID, inPlace: true, noRedirect: true, access: "hsp_oat_", renew: "hsp_ort_"},
		{vendor: "hoxtonai", clientID: sandbox.HoxtonAIClientID, pkce: true, scope: "offline_access",
			audience: sandbox.HoxtonAIAudience, access: "eyJ", renew: "v1.", label: "HoxtonAI: "},
	} {
		t.Run(tc.vendor, func(t *testing.T) {
			e := newEnv(t, envOptions{sandbox: true})
			v := e.fake(t, tc.vendor)
			b, p := e.hostBrowser(t)
			before := e.onlyConn(t, tc.vendor)
			all := e.hostConns(t)

			loc := e.startOAuth(t, b, p, tc.vendor)
			q := loc.Query()
			wantRedirect := e.ts.URL + mcpserver.PathOAuthCallback
			if tc.noRedirect {
				wantRedirect = ""
			}
			if q.Get("response_type") != "code" || q.Get("client_id") != tc.clientID || q.Get("redirect_uri") != wantRedirect || q.Has("redirect_uri") == tc.noRedirect {
				t.Fatalf("authorize URL = %s", loc)
			}
			if len(q.Get("state")) < 43 {
				t.Fatalf("state %q is not 256 random bits", q.Get("state"))
			}
			if got := q.Has("code_challenge"); got != tc.pkce {
				t.Fatalf("code_challenge sent = %v, want %v (%s)", got, tc.pkce, loc)
			}
			if tc.pkce && (q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43) {
				t.Fatalf("PKCE parameters = %v", q)
			}
			if q.Get("scope") != tc.scope || q.Get("audience") != tc.audience {
				t.Fatalf("scope %q audience %q, want %q %q", q.Get("scope"), q.Get("audience"), tc.scope, tc.audience)
			}

			cb := e.approveAtVendor(t, tc.vendor, loc, true)
			if cb.Query().Get("state") != q.Get("state") || cb.Query().Get("code") == "" {
				t.Fatalf("callback = %s", cb)
			}
			exchanges := v.TokenRequests()
			p = b.Get(cb.String())
			if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=connected" || !strings.Contains(p.Body, "Connected.") {
				t.Fatalf("callback: %s (%d):\n%s", p.URL, p.Resp.StatusCode, p.Body)
			}
			if n := v.TokenRequests() - exchanges; n != 1 {
				t.Fatalf("%d token requests for one callback, want 1", n)
			}

			var conn store.Connection
			if tc.inPlace {
				conn = e.onlyConn(t, tc.vendor)
				if conn.ID != before.ID || conn.Version <= before.Version || conn.Label != before.Label {
					t.Fatalf("reconnect in place: %+v, before %+v", conn, before)
				}
				if n := len(e.hostConns(t)); n != len(all) {
					t.Fatalf("%d connections, want %d", n, len(all))
				}
			} else {
				cs := e.vendorConns(t, tc.vendor)
				if len(cs) != 2 {
					t.Fatalf("%d %s connections, want the machine client and the sign-in", len(cs), tc.vendor)
				}
				for _, c := range cs {
					if c.ID != before.ID {
						conn = c
					}
				}
				if !strings.HasPrefix(conn.Label, tc.label) || conn.AccountID == before.AccountID {
					t.Fatalf("new connection = %+v", conn)
				}
			}
			if conn.AuthKind != store.AuthOAuth || conn.Status != store.StatusOK || conn.UserID != e.host.ID {
				t.Fatalf("connection = %+v", conn)
			}
			cred := e.credOf(t, conn.ID)
			if !strings.HasPrefix(cred.AccessToken, tc.access) || !strings.HasPrefix(cred.RefreshToken, tc.renew) || cred.Expiry.IsZero() {
				t.Fatalf("credential: access %.8q… refresh %.8q… expiry %v", cred.AccessToken, cred.RefreshToken, cred.Expiry)
			}
			if got := elementText(t, p.Body, "conn-"+conn.ID); !strings.Contains(got, "connected") {
				t.Errorf("page row = %q", got)
			}

			// The state is single use: the same callback again is refused
			// before any vendor call, and nothing changes.
			snapshot := e.hostConns(t)
			exchanges = v.TokenRequests()
			p = b.Get(cb.String())
			if p.Resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "This sign-in link expired or was already used") {
				t.Fatalf("replayed callback: %d:\n%s", p.Resp.StatusCode, p.Body)
			}
			assertPageHeaders(t, "callback error", p.Resp.Header)
			if v.TokenRequests() != exchanges || !sameConns(snapshot, e.hostConns(t)) {
				t.Fatal("the replayed callback reached the vendor or changed a connection")
			}
		})
	}
}

// TestVendorOAuthStateRules: a vendor's callback is honoured only for the
// browser session that started it, within ten minutes, once; the start
// needs the page's CSRF token; a refusal at the vendor saves nothing.
func TestVendorOAuthStateRules(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	hx := e.sandbox.Hostex
	b, page := e.hostBrowser(t)
	other, _ := e.hostBrowser(t) // the same host, signed in on another browser
	before := e.hostConns(t)
	unchanged := func(t *testing.T) {
		t.Helper()
		if !sameConns(before, e.hostConns(t)) {
			t.Fatal("a refused callback changed the connections")
		}
	}
	// flow starts a Hostex connect in b and returns the callback the
	// vendor sends back after the host approves.
	flow := func(t *testing.T) *url.URL {
		t.Helper()
		return e.approveAtVendor(t, "hostex", e.startOAuth(t, b, page, "hostex"), true)
	}
	refused := func(t *testing.T, br *browsertest.Browser, cb string, status int, text string) {
		t.Helper()
		exchanges := hx.TokenRequests()
		p := br.Get(cb)
		if p.Resp.StatusCode != status || !strings.Contains(p.Body, text) {
			t.Fatalf("callback: %d, want %d with %q:\n%s", p.Resp.StatusCode, status, text, p.Body)
		}
		if hx.TokenRequests() != exchanges {
			t.Fatal("a refused callback exchanged the code")
		}
		unchanged(t)
	}

	t.Run("another session of the same host", func(t *testing.T) {
		cb := flow(t)
		refused(t, other, cb.String(), http.StatusBadRequest, "This sign-in link expired or belongs to another session")
		// The attempt used the state up: the rightful browser must start again.
		refused(t, b, cb.String(), http.StatusBadRequest, "This sign-in link expired or was already used")
	})
	t.Run("unknown state", func(t *testing.T) {
		cb := flow(t)
		q := cb.Query()
		q.Set("state", q.Get("state")+"x")
		cb.RawQuery = q.Encode()
		refused(t, b, cb.String(), http.StatusBadRequest, "This sign-in link expired or was already used")
	})
	t.Run("no state", func(t *testing.T) {
		cb := flow(t)
		q := cb.Query()
		q.Del("state")
		cb.RawQuery = q.Encode()
		refused(t, b, cb.String(), http.StatusBadRequest, "This sign-in link expired or was already used")
	})
	t.Run("the same callback many times at once", func(t *testing.T) {
		cb := flow(t)
		exchanges := hx.TokenRequests()
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := b.Client.Get(cb.String())
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 1 || count[http.StatusBadRequest] != n-1 {
			t.Fatalf("statuses %v, want one success and %d refusals", count, n-1)
		}
		if got := hx.TokenRequests() - exchanges; got != 1 {
			t.Fatalf("%d code exchanges, want 1", got)
		}
		if cs := e.vendorConns(t, "hostex"); len(cs) != 1 || cs[0].AuthKind != store.AuthOAuth {
			t.Fatalf("hostex connections = %+v", cs)
		}
		before = e.hostConns(t)
	})
	t.Run("host declines at the vendor", func(t *testing.T) {
		cb := e.approveAtVendor(t, "hostex", e.startOAuth(t, b, page, "hostex"), false)
		if cb.Query().Get("error") != "access_denied" {
			t.Fatalf("callback = %s", cb)
		}
		refused(t, b, cb.String(), http.StatusBadRequest, "You declined access at Hostex")
	})
	t.Run("start without CSRF", func(t *testing.T) {
		for _, csrf := range []string{"", "forged"} {
			p := b.Post("/connections/oauth/start", url.Values{"vendor": {"hostex"}, "csrf": {csrf}})
			if p.Resp.StatusCode != http.StatusForbidden || !strings.Contains(p.Body, "This form expired or came from another site") {
				t.Fatalf("start with csrf %q: %d", csrf, p.Resp.StatusCode)
			}
			if loc := p.Resp.Header.Get("Location"); loc != "" {
				t.Fatalf("start without CSRF redirected to %s", loc)
			}
		}
	})
	t.Run("vendor without OAuth", func(t *testing.T) {
		p := b.Submit(page.Form(t, "/connections/oauth/start"), url.Values{"vendor": {"hostaway"}})
		if p.Resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "This vendor cannot be connected by sign-in") {
			t.Fatalf("hostaway start: %d", p.Resp.StatusCode)
		}
	})
	t.Run("just inside ten minutes", func(t *testing.T) {
		cb := flow(t)
		e.clock.Advance(9*time.Minute + 59*time.Second)
		p := b.Get(cb.String())
		if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/connections?done=connected" {
			t.Fatalf("callback after 9m59s: %s (%d)", p.URL, p.Resp.StatusCode)
		}
		before = e.hostConns(t)
	})
	t.Run("after ten minutes", func(t *testing.T) {
		cb := flow(t)
		e.clock.Advance(11 * time.Minute)
		refused(t, b, cb.String(), http.StatusBadRequest, "This sign-in link expired or belongs to another session")
	})
}

// TestConsentConnectAnother: from the consent page the host follows
// "Connect another account", signs in at HoxtonAI, is sent back to the very
// same authorization request, sees the new account offered, and approves
// with one account unchecked: the app then sees only the checked ones.
func TestConsentConnectAnother(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	id := e.registerClient(t, "picky client", clientRedirect)
	verifier, challenge := pkce("p")
	authQuery := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {clientRedirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st"},
		"resource": {e.ts.URL + "/mcp"}, "scope": {"read"}}
	b := browsertest.New(t, e.ts.URL)
	p := b.Get("/authorize?" + authQuery.Encode())
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {hostName}, "password": {hostPassword}})
	if p.URL.Path != "/authorize" || p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %s (%d)", p.URL, p.Resp.StatusCode)
	}
	if got := p.Form(t, "/consent").Values["connection"]; len(got) != 4 {
		t.Fatalf("consent offers %d connections checked, want the 4 sandbox ones", len(got))
	}

	href := mustURL(t, linkNamed(t, p.Body, "Connect another account"))
	ret := href.Query().Get("return")
	if href.Path != "/connections" || !strings.HasPrefix(ret, "/authorize?") {
		t.Fatalf("connect another = %s", href)
	}
	if back := mustURL(t, ret).Query(); back.Get("client_id") != id || back.Get("code_challenge") != challenge || back.Get("state") != "st" {
		t.Fatalf("return = %s does not repeat the authorization request", ret)
	}
	p = b.Get(href.String())
	if p.Resp.StatusCode != http.StatusOK || linkNamed(t, p.Body, "go back to approving the app") != ret {
		t.Fatalf("connections page with return: %d", p.Resp.StatusCode)
	}
	if f := p.Form(t, "/connections/oauth/start"); f.Values.Get("return") != ret {
		t.Fatalf("the connect form drops the return: %v", f.Values)
	}
	// The token and API-key links carry it too, through their form.
	paste := mustURL(t, linkNamed(t, p.Body, "Paste a personal access token"))
	if paste.Query().Get("return") != ret {
		t.Fatalf("token link %s drops the return", paste)
	}
	if f := b.Get(paste.String()).Form(t, "/connections/new"); f.Values.Get("return") != ret {
		t.Fatalf("token form drops the return: %v", f.Values)
	}

	_, p = e.connectOAuth(t, b, p, "hoxtonai")
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != ret {
		t.Fatalf("after connecting: %s (%d), want back on %s", p.URL.RequestURI(), p.Resp.StatusCode, ret)
	}
	var added store.Connection
	for _, c := range e.vendorConns(t, "hoxtonai") {
		if c.AuthKind == store.AuthOAuth {
			added = c
		}
	}
	if added.ID == "" {
		t.Fatal("no HoxtonAI sign-in connection was saved")
	}
	f := p.Form(t, "/consent")
	if got := f.Values["connection"]; len(got) != 5 || !strings.Contains(p.Body, "HoxtonAI · "+added.Label) {
		t.Fatalf("consent after connecting offers %v, want 5 including %q", got, added.Label)
	}

	// Approve with Hostaway unchecked.
	hostaway := e.onlyConn(t, "hostaway")
	var keep []string
	for _, c := range f.Values["connection"] {
		if c != hostaway.ID {
			keep = append(keep, c)
		}
	}
	p = b.Submit(f, url.Values{"action": {"approve"}, "connection": keep})
	if p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %d:\n%s", p.Resp.StatusCode, p.Body)
	}
	code := mustURL(t, p.Resp.Header.Get("Location")).Query().Get("code")
	status, body := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {id},
		"redirect_uri": {clientRedirect}, "code_verifier": {verifier}, "resource": {e.ts.URL + "/mcp"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok pair
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		t.Fatal(err)
	}

	c := e.tokenClient(t, tok.AccessToken)
	var conns tools.ListConnectionsOut
	if msg := callTool(t, c, "list_connections", nil, &conns); msg != "" {
		t.Fatalf("list_connections: %s", msg)
	}
	got := map[string]bool{}
	for _, cn := range conns.Connections {
		got[cn.ID] = true
	}
	if len(got) != 4 || got[hostaway.ID] || !got[added.ID] {
		t.Fatalf("list_connections = %+v, want the 4 checked (with the new HoxtonAI sign-in, without Hostaway)", conns.Connections)
	}
	// And the unchecked vendor is out of reach of the tools.
	if msg := callTool(t, c, "list_properties", map[string]any{"vendor": "hostaway"}, nil); !strings.Contains(msg, "No Hostaway account is shared with this app") {
		t.Fatalf("list_properties for the unshared vendor: %q", msg)
	}
}
