package hostex

import (
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
	}
}
