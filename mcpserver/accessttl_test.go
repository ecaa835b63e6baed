package mcpserver_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/hostgate/hostgate/oauthpkce"
)

// TestConnectionsShowAccessLifetime (issue 10 item 11): the connections
// page says how long each approved app's access lasts between renewals:
// the lifetime its rule gives it (here by its metadata document URL), or
// the default; and the token endpoint issued exactly that.
func TestConnectionsShowAccessLifetime(t *testing.T) {
	e := newEnv(t, envOptions{})
	const docURL = "https://docs.example.org/oauth/client-metadata.json"
	e.srv.OAuth().SetClientAccessTTLs([]oauthpkce.ClientAccessTTL{{ClientID: docURL, TTL: 24 * time.Hour}})
	docTok, _ := e.metadataClientGrant(t, docURL)
	regTok, regID := e.grant(t, "read")
	if docTok.ExpiresIn != 24*60*60 || regTok.ExpiresIn != 60*60 {
		t.Fatalf("expires_in: document client %d, registered client %d; want 86400 and 3600", docTok.ExpiresIn, regTok.ExpiresIn)
	}
	_, p := e.hostBrowser(t)
	rows := appRows(parseHTML(t, p.Body))
	for id, want := range map[string]string{
		docURL: "Its access lasts 24 hours between renewals; revoking it stops it at once.",
		regID:  "Its access lasts 1 hour between renewals; revoking it stops it at once.",
	} {
		text, ok := rows["/clients/"+url.PathEscape(id)+"/revoke"]
		if !ok {
			t.Fatalf("no row for %s in %v", id, rows)
		}
		if !strings.Contains(text, want) {
			t.Errorf("row of %s = %q, want %q", id, text, want)
		}
	}
}

// appRows maps each approved app's revoke form to the text of its row.
func appRows(doc *html.Node) map[string]string {
	out := map[string]string{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "li" {
			for _, a := range formActions(n) {
				if strings.HasSuffix(a, "/revoke") {
					out[a] = textOf(n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}
