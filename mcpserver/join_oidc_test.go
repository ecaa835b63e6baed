package mcpserver_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
)

// TestJoinThroughOIDCSignIn: someone signed out opens an invitation link
// and signs in with an OpenID provider. While they are at the provider,
// the database holds no trace of the invitation's token (the sign-in
// state keeps its return path sealed); once back, they land on the join
// page, which names the team and who invited, and join.
func TestJoinThroughOIDCSignIn(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true})
	ann := e.addPerson(t, "ann")
	teamID := ann.createTeam(t, "Alpha Stays")
	page := ann.post(t, ann.b.Get("/teams/"+teamID), "/teams/"+teamID+"/invites", url.Values{"role": {"member"}})
	link := regexp.MustCompile(`value="(http[^"]+/join/[^"]+)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no invitation link on the page:\n%s", page.Body)
	}
	joinPath := strings.TrimPrefix(link[1], e.ts.URL)
	token := strings.TrimPrefix(joinPath, "/join/")
	if len(token) < 40 {
		t.Fatalf("invitation token %q: the link is not what this test expects", token)
	}

	dee := browsertest.New(t, e.ts.URL)
	page = dee.Get(joinPath)
	button := regexp.MustCompile(`href="(/signin/oidc/idp[^"]*)"`).FindStringSubmatch(page.Body)
	if page.URL.Path != "/signin" || button == nil {
		t.Fatalf("signed out, the link leads to %s with no provider button:\n%s", page.URL, page.Body)
	}
	start := dee.Get(html.UnescapeString(button[1]))
	authorize := start.Resp.Header.Get("Location")
	if start.Resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(authorize, e.idp.Issuer()+"/authorize?") {
		t.Fatalf("start: %d to %q, want 303 to the provider", start.Resp.StatusCode, authorize)
	}

	// At the provider: the sign-in state is stored (with its return path),
	// the token is not.
	noToken := func(when string) {
		t.Helper()
		db := string(e.db.Contents(t))
		if !strings.Contains(db, "Alpha Stays") {
			t.Fatalf("%s: the team's name is not in the database bytes: is this the right file?", when)
		}
		if strings.Contains(db, token) {
			t.Fatalf("%s: the invitation's token is in the database in clear", when)
		}
	}
	noToken("during the sign-in")

	ib := browsertest.New(t, e.idp.Issuer())
	consent := ib.Get(authorize)
	answer := ib.Submit(consent.Form(t, "/authorize"), url.Values{"decision": {"allow"}})
	callback := answer.Resp.Header.Get("Location")
	if answer.Resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(callback, e.ts.URL+"/") {
		t.Fatalf("the provider answers %d to %q", answer.Resp.StatusCode, callback)
	}
	page = dee.Get(callback)
	if page.URL.Path != joinPath || page.Resp.StatusCode != http.StatusOK ||
		!strings.Contains(page.Body, "<strong>ann</strong> invited you to the team <strong>Alpha Stays</strong>") {
		t.Fatalf("after signing in: %d at %s, want the join page naming the team and ann:\n%s", page.Resp.StatusCode, page.URL, page.Body)
	}
	page = dee.Submit(page.Form(t, joinPath), nil)
	if page.URL.Path != "/teams/"+teamID || !strings.Contains(page.Body, "Alpha Stays") {
		t.Fatalf("dee joins: %s\n%s", page.URL, page.Body)
	}
	noToken("after joining")
	if strings.Contains(e.logs.String(), token) {
		t.Fatal("the invitation's token is in the log")
	}
}
