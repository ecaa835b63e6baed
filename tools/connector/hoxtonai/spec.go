package hoxtonai

import (
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Vendor is the vendor key: the registry name and the id prefix.
const Vendor = "hoxtonai"

// Audience is the API every HoxtonAI access token must be issued for [C].
const Audience = "https://api.hoxton.cloud"

// The connect-form fields of the client-credentials kind: a host's own
// machine-to-machine client.
const (
	FieldClientID     = "client_id"
	FieldClientSecret = "client_secret"
)

// NewSpec returns HoxtonAI as data, with the real endpoints. A host
// connects by signing in (OAuth; hostgate's client id and secret come from
// configuration) or with their own machine-to-machine client.
func NewSpec() *connector.Spec {
	return &connector.Spec{
		Name:      Vendor,
		Title:     "HoxtonAI",
		BaseURL:   "https://api.hoxton.cloud",
		AuthKinds: []connector.AuthKind{connector.AuthOAuth, connector.AuthClientCredentials},
		Fields: map[connector.AuthKind][]connector.Field{
			connector.AuthClientCredentials: {
				{Name: FieldClientID, Label: "Client ID",
					Help: "A machine-to-machine OAuth client from app.hoxton.ai → Settings → OAuth clients."},
				{Name: FieldClientSecret, Label: "Client secret", Secret: true,
					Help: "The secret shown with that client."},
			},
		},
		OAuth: &connector.OAuth{
			AuthURL:   "https://auth.hoxton.ai/authorize",
			TokenURL:  "https://auth.hoxton.ai/oauth/token",
			RevokeURL: "https://auth.hoxton.ai/oauth/revoke",
			// offline_access yields a refresh token [C], which renewal
			// needs. profile would add an ID token [C], which hostgate
			// neither needs nor verifies (see tokenSubject), and openid is
			// not among the reference's scopes: neither is asked for.
			Scopes: []string{"offline_access"},
			// Auth0 takes S256 challenges on the authorization-code flow [I].
			PKCE:       true,
			AuthParams: map[string]string{"audience": Audience},
			// The reference posts JSON to the token endpoint, for the
			// code exchange and the client-credentials grant alike [C].
			TokenJSON: true,
		},
		HTTP:       connector.NewHTTPClient(30 * time.Second),
		Now:        time.Now,
		FromFields: fromFields,
		Exchange:   exchange,
		Refresh:    refresh,
		Revoke:     revoke,
		New:        newConnector,
		// HoxtonAI publishes no limit [I]: nothing to count, and its 429s
		// come back with their Retry-After.
		Budget: connector.NewBudget(),
	}
}

// audience is the API audience tokens are requested for.
func audience(s *connector.Spec) string {
	if s.OAuth != nil && s.OAuth.AuthParams["audience"] != "" {
		return s.OAuth.AuthParams["audience"]
	}
	return Audience
}
