package hostaway

import (
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Vendor is the vendor key: the registry name and the id prefix.
const Vendor = "hostaway"

// The connect-form fields of the client-credentials kind.
const (
	FieldAccountID = "account_id"
	FieldAPIKey    = "api_key"
)

// NewSpec returns Hostaway as data, with the real API base. Hostaway has no
// OAuth for third parties: a host pastes their account id and API key, and
// the client mints tokens from them.
func NewSpec() *connector.Spec {
	return &connector.Spec{
		Name:      Vendor,
		Title:     "Hostaway",
		BaseURL:   "https://api.hostaway.com/v1",
		AuthKinds: []connector.AuthKind{connector.AuthClientCredentials},
		Fields: map[connector.AuthKind][]connector.Field{
			connector.AuthClientCredentials: {
				{Name: FieldAccountID, Label: "Account ID",
					Help: "In Hostaway: Settings → Hostaway API. The number shown as your account ID."},
				{Name: FieldAPIKey, Label: "API key", Secret: true,
					Help: "In Hostaway: Settings → Hostaway API → Create. Hostaway shows the key only once."},
			},
		},
		HTTP:       connector.NewHTTPClient(30 * time.Second),
		Now:        time.Now,
		FromFields: fromFields,
		Refresh:    refresh,
		Revoke:     revoke,
		New:        newConnector,
		// 15 requests per 10 s per address, 20 per account [C] (ratelimit.go).
		Budget: newBudget(),
	}
}
