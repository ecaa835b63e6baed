package storetest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newUser(id string) store.User {
	return store.User{
		ID:           id,
		Username:     "name-" + id,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		CreatedAt:    at(-time.Hour),
	}
}

func seedUser(t testing.TB, s store.Store, id string) store.User {
	t.Helper()
	u := newUser(id)
	check(t, "CreateUser", s.CreateUser(t.Context(), u))
	return u
}

func newClient(id string) store.Client {
	return store.Client{
		ID:                id,
		Name:              "Client " + id,
		RedirectURIs:      []string{"http://localhost:3333/callback", "https://app.example/cb?x=1"},
		GrantTypes:        []string{"authorization_code", "refresh_token"},
		ResponseTypes:     []string{"code"},
		Scope:             "read write",
		AuthMethod:        "client_secret_basic",
		SecretHash:        store.Hash("secret-" + id),
		ClientURI:         "https://app.example/",
		LogoURI:           "https://app.example/logo.png",
		SoftwareID:        "sw-1",
		SoftwareVersion:   "1.2.3",
		ApplicationType:   "native",
		MetadataURL:       "https://app.example/client.json",
		MetadataExpiresAt: at(24 * time.Hour),
		RegisteredFrom:    "192.0.2.7",
		CreatedAt:         at(-time.Hour),
	}
}

func seedClient(t testing.TB, s store.Store, id string) store.Client {
	t.Helper()
	c := newClient(id)
	check(t, "CreateClient", s.CreateClient(t.Context(), c))
	return c
}

func tok(hash string, kind store.TokenKind, created time.Time, life time.Duration) store.Token {
	return store.Token{Hash: hash, Kind: kind, CreatedAt: created, ExpiresAt: created.Add(life)}
}

func newCode(hash, clientID, userID string) store.AuthCode {
	return store.AuthCode{
		Hash:        hash,
		ClientID:    clientID,
		UserID:      userID,
		RedirectURI: "http://localhost:3333/callback",
		Challenge:   "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		Scopes:      []string{"read", "write"},
		Resource:    "https://hostgate.example/mcp",
		Connections: []string{"conn-1", "conn-2"},
		CreatedAt:   t0,
		ExpiresAt:   at(10 * time.Minute),
	}
}

// seedGrant issues a grant (through an authorization code, the only way the
// interface creates one) with an access token "<id>-a0" and a refresh
// token "<id>-r0"; the user and client must exist.
func seedGrant(t testing.TB, s store.Store, id, userID, clientID string, created time.Time) (store.Grant, store.Token, store.Token) {
	t.Helper()
	ctx := t.Context()
	code := newCode("code-"+id, clientID, userID)
	code.CreatedAt, code.ExpiresAt = created, created.Add(10*time.Minute)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, code))
	g := store.Grant{
		ID:          id,
		UserID:      userID,
		ClientID:    clientID,
		Scopes:      []string{"read"},
		Resource:    "https://hostgate.example/mcp",
		Connections: []string{"conn-1"},
		CreatedAt:   created,
	}
	a := tok(id+"-a0", store.KindAccess, created, time.Hour)
	r := tok(id+"-r0", store.KindRefresh, created, 30*24*time.Hour)
	check(t, "RedeemAuthCode", s.RedeemAuthCode(ctx, code.Hash, created, g, a, r))
	a.GrantID, r.GrantID = id, id
	return g, a, r
}
