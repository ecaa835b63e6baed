package main

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/oauthpkce/signin"
)

// TestParseProvider: a spec becomes a provider; a secret comes only from
// the environment or a file, and every mistake is named.
func TestParseProvider(t *testing.T) {
	env := map[string]string{"HOSTGATE_OIDC_GOOGLE_SECRET": "g-secret", "HOSTGATE_OIDC_MY_DEX_SECRET": "d-secret"}
	getenv := func(k string) string { return env[k] }
	readFile := func(p string) ([]byte, error) {
		if p == "/run/secrets/kc" {
			return []byte("kc-secret\n"), nil
		}
		return nil, os.ErrNotExist
	}
	for _, tt := range []struct {
		spec string
		want signin.Provider
		err  string
	}{
		{"name=google,issuer=https://accounts.google.com,client-id=abc.apps.googleusercontent.com,domain=example.com,domain=Example.org",
			signin.Provider{Name: "google", Label: "Google", Issuer: "https://accounts.google.com", ClientID: "abc.apps.googleusercontent.com",
				ClientSecret: "g-secret", Domains: []string{"example.com", "example.org"}}, ""},
		{" name=keycloak , label=Staff SSO , issuer=https://sso.example.com/realms/staff , client-id=hostgate , allow-any=true , secret-file=/run/secrets/kc ",
			signin.Provider{Name: "keycloak", Label: "Staff SSO", Issuer: "https://sso.example.com/realms/staff", ClientID: "hostgate",
				ClientSecret: "kc-secret", AllowAnyAccount: true}, ""},
		{"name=my-dex,issuer=http://127.0.0.1:5556/dex,client-id=hostgate",
			signin.Provider{Name: "my-dex", Label: "My-dex", Issuer: "http://127.0.0.1:5556/dex", ClientID: "hostgate", ClientSecret: "d-secret"}, ""},
		{"name=google,issuer=https://accounts.google.com,client-id=x,secret=hunter2", signin.Provider{}, "must not be on the command line"},
		{"name=google,issuer=https://accounts.google.com,client-id=x,client-secret=hunter2", signin.Provider{}, "must not be on the command line"},
		{"name=okta,issuer=https://example.okta.com,client-id=x", signin.Provider{}, "set HOSTGATE_OIDC_OKTA_SECRET or give secret-file="},
		{"name=kc,issuer=https://sso.example.com,client-id=x,secret-file=/nope", signin.Provider{}, "read the client secret"},
		{"issuer=https://accounts.google.com,client-id=x", signin.Provider{}, "name= is missing"},
		{"name=google,issuer=https://accounts.google.com,client-id=x,colour=blue", signin.Provider{}, `unknown key "colour"`},
		{"name=google,issuer=https://accounts.google.com,client-id=x,allow-any=maybe", signin.Provider{}, "not true or false"},
		{"name=google,issuer=https://accounts.google.com,client-id", signin.Provider{}, "not key=value"},
		{"name=google,issuer=http://accounts.google.com,client-id=x", signin.Provider{}, "must be https"},
		{"name=google,issuer=https://accounts.google.com", signin.Provider{}, "client id is missing"},
	} {
		p, err := parseProvider(tt.spec, getenv, readFile)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.spec, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%q: the error repeats the secret: %v", tt.spec, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(p, tt.want) {
			t.Errorf("%q:\n got %+v, %v\nwant %+v", tt.spec, p, err, tt.want)
		}
	}
}

// TestOIDCFlags: HOSTGATE_OIDC lists providers separated by semicolons or
// new lines, --oidc replaces that list, and password sign-in turned off
// needs a provider.
func TestOIDCFlags(t *testing.T) {
	t.Setenv("HOSTGATE_OIDC_GOOGLE_SECRET", "g")
	t.Setenv("HOSTGATE_OIDC_DEX_SECRET", "d")
	t.Setenv("HOSTGATE_OIDC_KC_SECRET", "k")
	parse := func(args ...string) (Config, error) {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var cfg Config
		bindFlags(fs, &cfg, defaults(t.TempDir()))
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		return cfg, cfg.validate()
	}
	names := func(cfg Config) []string {
		ps, err := cfg.oidcProviders()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	t.Setenv("HOSTGATE_OIDC", "name=google,issuer=https://accounts.google.com,client-id=g;\n name=dex,issuer=https://dex.example.com,client-id=d\n")
	cfg, err := parse()
	if err != nil || !reflect.DeepEqual(names(cfg), []string{"google", "dex"}) || !cfg.PasswordSignIn {
		t.Fatalf("from the environment: %v %v", names(cfg), err)
	}
	cfg, err = parse("--oidc", "name=kc,issuer=https://sso.example.com/realms/a,client-id=k", "--oidc", "name=dex,issuer=https://dex.example.com,client-id=d")
	if err != nil || !reflect.DeepEqual(names(cfg), []string{"kc", "dex"}) {
		t.Fatalf("flags over the environment: %v %v", names(cfg), err)
	}
	if _, err := parse("--oidc", "name=dex,issuer=https://dex.example.com,client-id=d", "--oidc", "name=dex,issuer=https://dex2.example.com,client-id=d"); err == nil || !strings.Contains(err.Error(), "two providers") {
		t.Fatalf("two providers with one name: %v", err)
	}
	if cfg, err := parse("--password-signin=false"); err != nil || cfg.PasswordSignIn {
		t.Fatalf("--password-signin=false with providers: %v %v", cfg.PasswordSignIn, err)
	}
	t.Setenv("HOSTGATE_OIDC", "")
	if _, err := parse("--password-signin=false"); err == nil || !strings.Contains(err.Error(), "leaves no way to sign in") {
		t.Fatalf("--password-signin=false alone: %v", err)
	}
	t.Setenv("HOSTGATE_PASSWORD_SIGNIN", "false")
	if _, err := parse(); err == nil {
		t.Fatal("HOSTGATE_PASSWORD_SIGNIN=false alone: no error")
	}
}

// TestServeOffersProviders: a configured hostgate shows each provider's
// button and, with passwords off, no password form; discovery waits for
// the first sign-in.
func TestServeOffersProviders(t *testing.T) {
	t.Setenv("HOSTGATE_OIDC_GOOGLE_SECRET", "g")
	cfg := defaults(t.TempDir())
	cfg.OIDC = []string{"name=google,issuer=https://accounts.google.com,client-id=g,domain=example.com"}
	cfg.PasswordSignIn = false
	a, err := open(cfg, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	ts := httptest.NewServer(a.srv.Handler())
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+signin.PathSignIn, nil)
	req.Host = "127.0.0.1:8080" // the loopback Host check
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Sign in with Google") || strings.Contains(string(body), `name="password"`) {
		t.Fatalf("%d:\n%s", resp.StatusCode, body)
	}
}

// TestUserLink: hostgate user link creates a host without a password for
// an identity, or links an existing one; one identity is one host's.
func TestUserLink(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out strings.Builder
		err := userCommand(append(args, "--data-dir", dir), strings.NewReader(""), &out)
		return out.String(), err
	}
	const iss = "https://sso.example.com/realms/staff"
	out, err := run("link", "carol", "--issuer", iss, "--subject", "kc-carol")
	if err != nil || !strings.Contains(out, "Created host carol") {
		t.Fatalf("link a new host: %q %v", out, err)
	}
	t.Setenv("HOSTGATE_PASSWORD", "a long password")
	if _, err := run("add", "dave"); err != nil {
		t.Fatal(err)
	}
	if out, err := run("link", "dave", "--issuer", iss, "--subject", "kc-dave"); err != nil || !strings.Contains(out, "now signs in at") {
		t.Fatalf("link an existing host: %q %v", out, err)
	}
	if _, err := run("link", "dave", "--issuer", iss, "--subject", "kc-carol"); err == nil || !strings.Contains(err.Error(), "already signs in as host carol") {
		t.Fatalf("carol's identity for dave: %v", err)
	}
	for _, bad := range [][]string{{"--issuer", "sso.example.com", "--subject", "x"}, {"--issuer", iss}} {
		if _, err := run(append([]string{"link", "erin"}, bad...)...); err == nil {
			t.Fatalf("link %v: no error", bad)
		}
	}
	a, err := open(defaults(dir), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	u, err := a.store.GetUserBySubject(t.Context(), iss, "kc-carol")
	if err != nil || u.Username != "carol" || u.PasswordHash != "" {
		t.Fatalf("carol: %+v %v", u, err)
	}
}
