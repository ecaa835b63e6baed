package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestUserAdmin drives hostgate user add, list, disable and enable on a
// real data directory: list shows no hash, disabling revokes the host's
// app tokens and signs it out at once (by username or by e-mail), and
// enabling lets it sign in again without reviving anything.
func TestUserAdmin(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		var out strings.Builder
		err := userCommand(append(args, "--data-dir", dir), strings.NewReader(""), &out)
		return out.String(), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("hostgate user %v: %v", args, err)
		}
		return out
	}
	t.Setenv("HOSTGATE_PASSWORD", "a long password")
	must("add", "alice", "--email", "alice@example.com")
	must("add", "bob")
	if _, err := run("add", "carol", "--email", "not an address"); err == nil {
		t.Fatal("user add took a bad e-mail address")
	}

	// Alice has a browser session and an app with a live token; so has Bob.
	ctx := context.Background()
	a, err := open(defaults(dir), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := a.store.CreateClient(ctx, store.Client{ID: "app", Name: "App", RedirectURIs: []string{"http://127.0.0.1/cb"}, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	access := map[string]string{}
	for _, name := range []string{"alice", "bob"} {
		u, err := a.store.GetUserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		code := store.AuthCode{Hash: name + "-code", ClientID: "app", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := a.store.CreateAuthCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		access[name] = store.Hash(name + "-access")
		g := store.Grant{ID: name + "-grant", UserID: u.ID, ClientID: "app", Scopes: []string{"read"}, CreatedAt: now}
		at := store.Token{Hash: access[name], Kind: store.KindAccess, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		rt := store.Token{Hash: store.Hash(name + "-refresh"), Kind: store.KindRefresh, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := a.store.RedeemAuthCode(ctx, code.Hash, now, g, at, rt); err != nil {
			t.Fatal(err)
		}
		if err := a.store.CreateSession(ctx, store.BrowserSession{Hash: store.Hash(name + "-session"), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	a.close()
	live := func(name string) (token, session bool) {
		t.Helper()
		a, err := open(defaults(dir), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		tk, g, err := a.store.GetToken(ctx, access[name])
		if err != nil {
			t.Fatal(err)
		}
		_, serr := a.store.GetSession(ctx, store.Hash(name+"-session"))
		return tk.RevokedAt.IsZero() && g.RevokedAt.IsZero(), serr == nil
	}

	list := must("list")
	for _, want := range []string{"alice", "alice@example.com", "bob", "password", "active"} {
		if !strings.Contains(list, want) {
			t.Errorf("user list lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, "argon2") {
		t.Fatalf("user list shows a password hash:\n%s", list)
	}

	if out := must("disable", "ALICE@example.com"); !strings.Contains(out, "Disabled host alice") {
		t.Fatalf("disable said %q", out)
	}
	if tok, sess := live("alice"); tok || sess {
		t.Fatalf("after disable: alice's token live %v, session live %v; want neither", tok, sess)
	}
	if tok, sess := live("bob"); !tok || !sess {
		t.Fatal("disabling alice touched bob")
	}
	if list := must("list"); !strings.Contains(list, "disabled "+time.Now().UTC().Format(time.DateOnly)) {
		t.Fatalf("list does not show alice disabled:\n%s", list)
	}
	must("enable", "alice")
	if tok, _ := live("alice"); tok {
		t.Fatal("enable revived alice's revoked token")
	}
	if list := must("list"); strings.Contains(list, "disabled") {
		t.Fatalf("list still shows a disabled host:\n%s", list)
	}
	if _, err := run("disable", "nobody"); err == nil || !strings.Contains(err.Error(), "there is no host nobody") {
		t.Fatalf("disable nobody: %v", err)
	}
	if _, err := run("frobnicate"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("unknown command: %v", err)
	}
}
