package hostex

import (
	"net/http"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// NewSpec returns Hostex as hostgate knows it, with the real endpoints.
// Configuration fills OAuth.ClientID and ClientSecret (Hostex grants OAuth
// to approved partners only [C]); tests point the URLs at the sandbox.
func NewSpec() *connector.Spec {
	return &connector.Spec{
		Name:    vendor,
		Title:   "Hostex",
		BaseURL: "https://api.hostex.io/v3",
		// OAuth first: one click, when hostgate is a registered partner;
		// the connect page skips it otherwise.
		AuthKinds: []connector.AuthKind{connector.AuthOAuth, connector.AuthToken},
		Fields: map[connector.AuthKind][]connector.Field{
			connector.AuthToken: {{
				Name:  connector.TokenField,
				Label: "Personal access token",
				Help: "Create an Open API access token in your Hostex account and paste it here. " +
					"Make it writable if hostgate should reply to guests; a read-only token can only read.",
				Secret: true,
			}},
		},
		OAuth: &connector.OAuth{
			AuthURL:   "https://hostex.io/app/authorization",
			TokenURL:  "https://api.hostex.io/v3/oauth/authorizations",
			RevokeURL: "https://api.hostex.io/v3/oauth/revoke",
			// Hostex takes neither scopes nor PKCE on its authorize link [C].
			TokenJSON: true, // see auth.go
		},
		HTTP:       connector.NewHTTPClient(30 * time.Second),
		Now:        time.Now,
		FromFields: connector.PastedTokenForm(512),
		Exchange:   exchange,
		Refresh:    refresh,
		Revoke:     revoke,
		New:        newConn,
		// Per token and path [C] (rate limits reference): 600 a minute (and
		// 6,000 in 5 min, 10,000 an hour, 50,000 a day), 120 a minute on
		// POST /availabilities and POST /listings/*; per token 1,200 a
		// minute, 12,000 in 5 min, 20,000 an hour, 100,000 a day. hostgate
		// counts every path against one path's limits, which keeps both (5
		// min follows from the minute). A conversation's 5 sends in 5 s are
		// left to the vendor's 429 and its Retry-After.
		Budget: connector.NewBudget(
			connector.Limit{N: 600, Per: time.Minute},
			connector.Limit{N: 10000, Per: time.Hour},
			connector.Limit{N: 50000, Per: 24 * time.Hour},
			connector.Limit{N: 120, Per: time.Minute, Method: http.MethodPost, Path: "/availabilities"},
			connector.Limit{N: 120, Per: time.Minute, Method: http.MethodPost, Path: "/listings/"}),
	}
}
