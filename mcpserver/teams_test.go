package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// person is a host of the team tests: a local account and a browser
// signed in as them.
type person struct {
	user store.User
	b    *browsertest.Browser
}

const personPassword = "a team member's password"

// addPerson creates a host and signs them in in a browser of their own.
func (e *env) addPerson(t testing.TB, name string) *person {
	t.Helper()
	hash, err := signin.HashPassword(personPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	u := store.User{ID: "id-" + name, Username: name, PasswordHash: hash, CreatedAt: e.clock.Now()}
	if err := e.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	p := &person{user: u, b: browsertest.New(t, e.ts.URL)}
	p.signIn(t)
	return p
}

func (p *person) signIn(t testing.TB) {
	t.Helper()
	page := p.b.Get(signin.SignInURL("/connections"))
	page = p.b.Submit(page.Form(t, "/signin"), url.Values{"username": {p.user.Username}, "password": {personPassword}})
	if page.URL.Path != "/connections" || page.Resp.StatusCode != http.StatusOK {
		t.Fatalf("%s signs in: %s (%d)", p.user.Username, page.URL, page.Resp.StatusCode)
	}
}

// post submits the form of page whose action is action, with extra values.
func (p *person) post(t testing.TB, page *browsertest.Page, action string, extra url.Values) *browsertest.Page {
	t.Helper()
	return p.b.Submit(page.Form(t, action), extra)
}

// forge posts to action with a valid CSRF token of this person's session
// (taken from form on page), as a crafted request would: what the server
// checks beyond CSRF is what is tested.
func (p *person) forge(t *testing.T, page *browsertest.Page, form, action string, extra url.Values) *browsertest.Page {
	t.Helper()
	f := page.Form(t, form)
	f.Action = action
	return p.b.Submit(f, extra)
}

// createTeam makes a team on the teams page and returns its id.
func (p *person) createTeam(t *testing.T, name string) string {
	t.Helper()
	page := p.post(t, p.b.Get("/teams"), "/teams", url.Values{"name": {name}})
	if page.Resp.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Team created") {
		t.Fatalf("create team %s: %d\n%s", name, page.Resp.StatusCode, page.Body)
	}
	return strings.TrimPrefix(page.URL.Path, "/teams/")
}

// connectToken connects a vendor account with a pasted credential on the
// real connect form, for a team (or the person alone when team is "").
func (e *env) connectFor(t *testing.T, p *person, vendor string, kind store.AuthKind, values map[string]string, team string) store.Connection {
	t.Helper()
	form := p.b.Get("/connections/new?vendor=" + vendor + "&kind=" + string(kind))
	v := url.Values{"team": {team}}
	for k, val := range values {
		v.Set(k, val)
	}
	page := p.post(t, form, "/connections/new", v)
	if page.Resp.StatusCode != http.StatusOK || !strings.Contains(page.URL.RawQuery, "done=connected") {
		t.Fatalf("%s connects %s for team %q: %s (%d)\n%s", p.user.Username, vendor, team, page.URL, page.Resp.StatusCode, page.Body)
	}
	conns, err := e.store.ListConnections(context.Background(), p.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		if c.Vendor == vendor && c.TeamID == team {
			return c
		}
	}
	t.Fatalf("no %s connection of team %q after connecting", vendor, team)
	return store.Connection{}
}

// approveAs has p approve a new app on the real consent page, sharing the
// given connection ids (the form's values replaced by them, as a crafted
// form could), and returns the app's access token.
func (e *env) approveAs(t testing.TB, p *person, app string, connections ...string) string {
	t.Helper()
	tok, _ := e.approvePair(t, p, app, connections...)
	return tok.AccessToken
}

// approvePair is approveAs returning the token pair and the app's client id.
func (e *env) approvePair(t testing.TB, p *person, app string, connections ...string) (pair, string) {
	t.Helper()
	id := e.registerClient(t, app, clientRedirect)
	verifier, challenge := pkce("t")
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {clientRedirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st"},
		"resource": {e.ts.URL + "/mcp"}, "scope": {"read write"}}
	page := p.b.Get("/authorize?" + q.Encode())
	if page.URL.Path != "/authorize" || page.Resp.StatusCode != http.StatusOK {
		t.Fatalf("%s authorizes %s: %s (%d)", p.user.Username, app, page.URL, page.Resp.StatusCode)
	}
	page = p.post(t, page, "/consent", url.Values{"action": {"approve"}, "connection": connections})
	loc, err := url.Parse(page.Resp.Header.Get("Location"))
	if page.Resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("%s approves %s: %d %s", p.user.Username, app, page.Resp.StatusCode, page.Body)
	}
	status, body := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {id},
		"redirect_uri": {clientRedirect}, "code_verifier": {verifier}, "resource": {e.ts.URL + "/mcp"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok pair
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		t.Fatal(err)
	}
	return tok, id
}

// TestTeamsIsolation: two teams, three people, three MCP clients. Team A
// (Ann owns it, Ben is a member) has a Hostex account; team B (Cat owns
// it) a Hostaway one. Every path from one team to the other is refused;
// a member uses the team's account but cannot disconnect it or see its
// credential; when Ann removes Ben, Ben's next tool call on the team's
// account fails with a clear tool error, and Ben can still sign in.
func TestTeamsIsolation(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	ann, ben, cat := e.addPerson(t, "ann"), e.addPerson(t, "ben"), e.addPerson(t, "cat")
	teamA, teamB := ann.createTeam(t, "Alpha Stays"), cat.createTeam(t, "Beta Homes")

	hostexA := e.connectFor(t, ann, "hostex", store.AuthToken, map[string]string{connector.TokenField: sandbox.HostexWritableToken}, teamA)
	hostawayB := e.connectFor(t, cat, "hostaway", store.AuthClientCredentials,
		map[string]string{"account_id": sandbox.HostawayAccountID, "api_key": sandbox.HostawayAPIKey}, teamB)

	// Only an owner connects for a team: Ben is in no team yet, Cat is not
	// an owner of A.
	refused := func(who *person, page *browsertest.Page, status int, text string) {
		t.Helper()
		if page.Resp.StatusCode != status || !strings.Contains(page.Body, text) {
			t.Fatalf("%s: %d, want %d with %q:\n%s", who.user.Username, page.Resp.StatusCode, status, text, page.Body)
		}
	}
	form := cat.b.Get("/connections/new?vendor=hostex&kind=token")
	refused(cat, cat.post(t, form, "/connections/new", url.Values{"team": {teamA}, connector.TokenField: {sandbox.HostexWritableToken}}),
		http.StatusForbidden, "Only a team owner can do this")

	// Ann invites Ben as a member; the link works once.
	page := ann.post(t, ann.b.Get("/teams/"+teamA), "/teams/"+teamA+"/invites", url.Values{"role": {"member"}})
	link := regexp.MustCompile(`value="(http[^"]+/join/[^"]+)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no invitation link on the page:\n%s", page.Body)
	}
	joinPath := strings.TrimPrefix(link[1], e.ts.URL)
	// The page names the team and who invited, before anything is joined.
	page = ben.b.Get(joinPath)
	if page.Resp.StatusCode != http.StatusOK || !strings.Contains(page.Body, "<strong>ann</strong> invited you to the team <strong>Alpha Stays</strong>") ||
		!strings.Contains(page.Body, "as a member") {
		t.Fatalf("the join page does not name the team and the inviter: %d\n%s", page.Resp.StatusCode, page.Body)
	}
	page = ben.post(t, page, joinPath, nil)
	if page.URL.Path != "/teams/"+teamA || !strings.Contains(page.Body, "Alpha Stays") {
		t.Fatalf("ben joins: %s\n%s", page.URL, page.Body)
	}
	// Used, unknown or expired: the same refusal on the page and on the post.
	usedPage := cat.b.Get(joinPath)
	refused(cat, usedPage, http.StatusGone, "This invitation does not work")
	if strings.Contains(usedPage.Body, "Alpha Stays") || strings.Contains(usedPage.Body, "ann") {
		t.Fatalf("a used invitation's page names its team or inviter:\n%s", usedPage.Body)
	}
	refused(cat, cat.b.Get("/join/"+strings.Repeat("A", 43)), http.StatusGone, "This invitation does not work")
	refused(cat, cat.forge(t, cat.b.Get("/teams"), "/teams", joinPath, nil), http.StatusGone, "This invitation does not work")
	if strings.Contains(e.logs.String(), strings.TrimPrefix(joinPath, "/join/")) {
		t.Fatal("the invitation token is in the log")
	}

	// Three apps. Cat's consent form is forged to share team A's account
	// too: hostgate shares only what Cat may use.
	annApp := e.tokenClient(t, e.approveAs(t, ann, "Ann's app", hostexA.ID))
	benApp := e.tokenClient(t, e.approveAs(t, ben, "Ben's app", hostexA.ID))
	catApp := e.tokenClient(t, e.approveAs(t, cat, "Cat's app", hostawayB.ID, hostexA.ID))

	var conns tools.ListConnectionsOut
	if msg := callTool(t, catApp, "list_connections", nil, &conns); msg != "" || len(conns.Connections) != 1 || conns.Connections[0].ID != hostawayB.ID {
		t.Fatalf("Cat's app lists %+v (%s); want team B's Hostaway account alone", conns.Connections, msg)
	}
	if msg := callTool(t, benApp, "list_connections", nil, &conns); msg != "" || len(conns.Connections) != 1 || conns.Connections[0].Team != "Alpha Stays" {
		t.Fatalf("Ben's app lists %+v (%s); want team A's Hostex account, named as the team's", conns.Connections, msg)
	}
	var props tools.PropertiesOut
	if msg := callTool(t, benApp, "list_properties", nil, &props); msg != "" || len(props.Properties) == 0 {
		t.Fatalf("Ben's app lists no property of team A: %s %+v", msg, props)
	}
	var hostexProp string
	for _, pr := range props.Properties {
		if pr.Vendor != "hostex" {
			t.Fatalf("Ben's app sees %s, not team A's", pr.ID)
		}
		hostexProp = pr.ID
	}
	if msg := callTool(t, annApp, "list_properties", nil, &props); msg != "" || len(props.Properties) == 0 {
		t.Fatalf("Ann's app: %s", msg)
	}
	// A vendor-qualified id of team A's property gets Cat's app nothing.
	var prop tools.PropertyOut
	if msg := callTool(t, catApp, "get_property", map[string]any{"property_id": hostexProp}, &prop); msg == "" {
		t.Fatalf("Cat's app read team A's property %s: %+v", hostexProp, prop)
	}
	if msg := callTool(t, catApp, "list_properties", map[string]any{"vendor": "hostex"}, &props); msg == "" {
		t.Fatalf("Cat's app listed Hostex properties: %+v", props)
	}

	// Pages: Cat cannot reach team A by its id; Ben, a member, cannot
	// disconnect the account, and no page shows him the credential.
	refused(cat, cat.b.Get("/teams/"+teamA), http.StatusNotFound, "No such team")
	catPage := cat.b.Get("/teams/" + teamB)
	refused(cat, cat.forge(t, catPage, "/teams/"+teamB+"/invites", "/teams/"+teamA+"/invites", nil), http.StatusNotFound, "No such team")
	catConns := cat.b.Get("/connections")
	refused(cat, cat.forge(t, catConns, "/connections/"+hostawayB.ID+"/disconnect", "/connections/"+hostexA.ID+"/disconnect", nil),
		http.StatusNotFound, "No such connection")
	refused(cat, cat.forge(t, catConns, "/connections/"+hostawayB.ID+"/refresh", "/connections/"+hostexA.ID+"/refresh", nil),
		http.StatusNotFound, "No such connection")
	refused(cat, cat.forge(t, catPage, "/teams/"+teamB+"/invites", "/teams/"+teamA+"/members/"+ben.user.ID+"/remove", nil),
		http.StatusNotFound, "No such team")

	benConns := ben.b.Get("/connections")
	if !strings.Contains(benConns.Body, "team Alpha Stays") || strings.Contains(benConns.Body, "/connections/"+hostexA.ID+"/disconnect") {
		t.Fatalf("Ben's connections page:\n%s", benConns.Body)
	}
	benTeam := ben.b.Get("/teams/" + teamA)
	for _, page := range []*browsertest.Page{benConns, benTeam} {
		if strings.Contains(page.Body, sandbox.HostexWritableToken) || strings.Contains(page.Body, "hx_pat") {
			t.Fatal("a page shows Ben the team's credential")
		}
	}
	refused(ben, ben.forge(t, benConns, "/connections/"+hostexA.ID+"/refresh", "/connections/"+hostexA.ID+"/disconnect", nil),
		http.StatusForbidden, "Only a team owner can do this")
	refused(ben, ben.forge(t, benTeam, "/teams/"+teamA+"/members/"+ben.user.ID+"/remove", "/teams/"+teamA+"/invites", nil),
		http.StatusForbidden, "Only a team owner can do this")
	if res := rawCall(t, benApp, "disconnect_vendor", map[string]any{"connection_id": hostexA.ID}); !res.IsError ||
		!strings.Contains(resultText(res), "only an owner of the team can disconnect it") {
		t.Fatalf("Ben's app disconnects the team's account: %s", resultText(res))
	}
	if _, err := e.store.GetConnection(context.Background(), hostexA.ID); err != nil {
		t.Fatalf("team A's account after Ben's attempts: %v", err)
	}

	// The team's activity: its owner sees what Ben's app did with the
	// team's account; Ben (a member) and Cat (another team) get nothing.
	page = ann.b.Get("/activity?team=" + teamA)
	if page.Resp.StatusCode != http.StatusOK || !strings.Contains(page.Body, "What the apps of Alpha Stays did") ||
		!strings.Contains(page.Body, "Ben&#39;s app") || !strings.Contains(page.Body, ">ben<") || strings.Contains(page.Body, "Cat&#39;s app") {
		t.Fatalf("team A's activity for Ann: %d\n%s", page.Resp.StatusCode, page.Body)
	}
	csv := ann.b.Get("/activity/export?format=csv&team=" + teamA)
	if !strings.Contains(csv.Body, "Ben's app") || strings.Contains(csv.Body, "Cat's app") {
		t.Fatalf("team A's export for Ann:\n%s", csv.Body)
	}
	for _, who := range []*person{ben, cat} {
		refused(who, who.b.Get("/activity?team="+teamA), http.StatusNotFound, "No such team")
		refused(who, who.b.Get("/activity/export?format=jsonl&team="+teamA), http.StatusNotFound, "No such team")
	}
	if own := cat.b.Get("/activity"); strings.Contains(own.Body, "Ben&#39;s app") {
		t.Fatal("Cat's own activity shows Ben's app")
	}

	// Ann removes Ben: his app's next call on the team's account fails,
	// saying why; Ann's still works; Ben still signs in.
	page = ann.post(t, ann.b.Get("/teams/"+teamA), "/teams/"+teamA+"/members/"+ben.user.ID+"/remove", nil)
	if !strings.Contains(page.Body, "Removed from the team") {
		t.Fatalf("remove Ben: %d\n%s", page.Resp.StatusCode, page.Body)
	}
	res := rawCall(t, benApp, "list_properties", nil)
	if !res.IsError || !strings.Contains(resultText(res), "no longer available to the host") {
		t.Fatalf("Ben's app after his removal: %s", resultText(res))
	}
	if msg := callTool(t, annApp, "list_properties", nil, &props); msg != "" || len(props.Properties) == 0 {
		t.Fatalf("Ann's app after removing Ben: %s", msg)
	}
	refused(ben, ben.b.Get("/teams/"+teamA), http.StatusNotFound, "No such team")
	fresh := &person{user: ben.user, b: browsertest.New(t, e.ts.URL)}
	fresh.signIn(t)

	// The last owner cannot leave; an owner's removal of the account then
	// ends it for the team.
	page = ann.post(t, ann.b.Get("/teams/"+teamA), "/teams/"+teamA+"/members/"+ann.user.ID+"/remove", nil)
	refused(ann, page, http.StatusConflict, "A team needs an owner")
	page = ann.post(t, ann.b.Get("/connections"), "/connections/"+hostexA.ID+"/disconnect", nil)
	if _, err := e.store.GetConnection(context.Background(), hostexA.ID); err == nil {
		t.Fatalf("Ann, an owner, could not disconnect the team's account: %d\n%s", page.Resp.StatusCode, page.Body)
	}
}
