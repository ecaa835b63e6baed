package hospitable

import (
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// NewSpec returns Hospitable as hostgate knows it, with the real endpoints.
// Configuration fills OAuth.ClientID and ClientSecret (from the Partner
// Portal, where the scopes and redirect URL are also set [C]); tests point
// the URLs at the sandbox.
func NewSpec() *connector.Spec {
	return &connector.Spec{
		Name:    vendor,
		Title:   "Hospitable",
		BaseURL: "https://public.api.hospitable.com/v2",
		// OAuth first: one click, when hostgate is a registered partner;
		// the connect page skips it otherwise.
		AuthKinds: []connector.AuthKind{connector.AuthOAuth, connector.AuthToken},
		Fields: map[connector.AuthKind][]connector.Field{
			connector.AuthToken: {{
				Name:  connector.TokenField,
				Label: "Personal access token",
				Help: "Create a personal access token in your Hospitable account and paste it here. " +
					"Give it the message:write scope if hostgate should reply to guests.",
				Secret: true,
			}},
		},
		OAuth: &connector.OAuth{
			AuthURL:  "https://auth.hospitable.com/oauth/authorize",
			TokenURL: "https://auth.hospitable.com/oauth/token",
			// No revocation endpoint [C]; scopes live in the Partner Portal
			// [C]; PKCE is undocumented, so none is sent.
			TokenJSON: true, // see auth.go
			// The redirect URL is set in the Partner Portal; the authorize
			// URL is client_id and response_type (and state), and the token
			// request names none (authentication guide [C]).
			OmitRedirectURI: true,
			// One-click from the Apps marketplace arrives at that same URL
			// with a code and no state (authentication guide, "Two ways to
			// initiate the connection" [C]).
			OneClick: true,
		},
		HTTP:       connector.NewHTTPClient(30 * time.Second),
		Now:        time.Now,
		FromFields: connector.PastedTokenForm(8192), // a JWT of about a thousand characters [C]
		Exchange:   exchange,
		Refresh:    refresh,
		New:        newConn,
		// Hospitable publishes no general limit [C]: nothing to count, and
		// its 429s come back with their Retry-After [T].
		Budget: connector.NewBudget(),
	}
}
