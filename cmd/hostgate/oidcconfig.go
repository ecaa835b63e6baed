package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hostgate/hostgate/oauthpkce/signin"
)

// oidcList is the repeatable --oidc flag: each use adds one provider.
// The first use replaces the providers HOSTGATE_OIDC named (a flag wins
// over the environment).
type oidcList struct {
	specs *[]string
	set   bool
}

func (l *oidcList) String() string {
	if l == nil || l.specs == nil {
		return ""
	}
	return strings.Join(*l.specs, "; ")
}

func (l *oidcList) Set(v string) error {
	if !l.set {
		*l.specs, l.set = nil, true
	}
	*l.specs = append(*l.specs, v)
	return nil
}

// bindOIDCFlags defines --oidc and --password-signin.
func bindOIDCFlags(fs *flag.FlagSet, cfg *Config, def Config) {
	cfg.OIDC = def.OIDC
	if v, ok := os.LookupEnv("HOSTGATE_OIDC"); ok {
		cfg.OIDC = splitProviders(v)
	}
	fs.Var(&oidcList{specs: &cfg.OIDC}, "oidc", "an OpenID Connect provider hosts may sign in with; repeat for several: "+
		"name=NAME,issuer=URL,client-id=ID[,label=TEXT][,domain=DOMAIN]...[,allow-any=true][,secret-file=PATH]; "+
		"the client secret comes from HOSTGATE_OIDC_<NAME>_SECRET or secret-file (HOSTGATE_OIDC, providers separated by ;)")
	password := def.PasswordSignIn
	if v, ok := os.LookupEnv("HOSTGATE_PASSWORD_SIGNIN"); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			password = b
		} else {
			fmt.Fprintf(os.Stderr, "hostgate: HOSTGATE_PASSWORD_SIGNIN=%q is not true or false; using %t\n", v, password)
		}
	}
	fs.BoolVar(&cfg.PasswordSignIn, "password-signin", password, "let hosts sign in with a username and password; false leaves only the --oidc providers (HOSTGATE_PASSWORD_SIGNIN)")
}

// splitProviders splits HOSTGATE_OIDC into provider specs: separated by
// semicolons or new lines.
func splitProviders(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// oidcProviders parses --oidc into providers, with their secrets.
func (c *Config) oidcProviders() ([]signin.Provider, error) {
	var out []signin.Provider
	seen := map[string]bool{}
	for _, spec := range c.OIDC {
		p, err := parseProvider(spec, os.Getenv, os.ReadFile)
		if err != nil {
			return nil, fmt.Errorf("--oidc %q: %w", redactSpec(spec), err)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("--oidc: two providers are named %q; give each its own name", p.Name)
		}
		seen[p.Name] = true
		out = append(out, p)
	}
	for _, p := range c.demoProviders {
		if seen[p.Name] {
			return nil, fmt.Errorf("--oidc: the demo's provider is named %q; name yours otherwise", p.Name)
		}
		out = append(out, p)
	}
	if !c.PasswordSignIn && len(out) == 0 {
		return nil, errors.New("--password-signin=false leaves no way to sign in: configure at least one --oidc provider")
	}
	return out, nil
}

// parseProvider parses one provider spec: comma-separated key=value
// pairs. The secret is never in the spec: it comes from the environment
// or a file, so it shows in no process list or shell history.
func parseProvider(spec string, getenv func(string) string, readFile func(string) ([]byte, error)) (signin.Provider, error) {
	var p signin.Provider
	var secretFile string
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, fmt.Errorf("%q is not key=value", k)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "name":
			p.Name = v
		case "label":
			p.Label = v
		case "issuer":
			p.Issuer = v
		case "client-id":
			p.ClientID = v
		case "domain", "domains":
			p.Domains = append(p.Domains, strings.ToLower(v))
		case "allow-any":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return p, fmt.Errorf("allow-any=%q is not true or false", v)
			}
			p.AllowAnyAccount = b
		case "secret-file":
			secretFile = v
		case "secret", "client-secret":
			return p, errors.New("the client secret must not be on the command line or in HOSTGATE_OIDC: put it in HOSTGATE_OIDC_<NAME>_SECRET or a file named by secret-file=")
		default:
			return p, fmt.Errorf("unknown key %q (known: name, label, issuer, client-id, domain, allow-any, secret-file)", k)
		}
	}
	if p.Name == "" {
		return p, errors.New("name= is missing")
	}
	if p.Label == "" {
		p.Label = defaultLabel(p.Name)
	}
	env := secretEnv(p.Name)
	switch {
	case secretFile != "":
		b, err := readFile(secretFile)
		if err != nil {
			return p, fmt.Errorf("read the client secret: %w", err)
		}
		p.ClientSecret = strings.TrimSpace(string(b))
	case getenv(env) != "":
		p.ClientSecret = getenv(env)
	default:
		return p, fmt.Errorf("no client secret: set %s or give secret-file=", env)
	}
	if err := p.Check(); err != nil {
		return p, err
	}
	return p, nil
}

// secretEnv is the variable holding a provider's client secret.
func secretEnv(name string) string {
	return "HOSTGATE_OIDC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_SECRET"
}

// defaultLabel names a provider on its button when no label is given.
func defaultLabel(name string) string {
	switch name {
	case "google":
		return "Google"
	case "microsoft", "entra":
		return "Microsoft"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// redactSpec drops any secret= value from a spec quoted in an error.
func redactSpec(spec string) string {
	parts := strings.Split(spec, ",")
	for i, kv := range parts {
		k, _, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if k == "secret" || k == "client-secret" {
			parts[i] = k + "=…"
		}
	}
	return strings.Join(parts, ",")
}

// checkProviders tells the operator at start whether each OpenID Connect
// provider answers discovery. A provider that does not is no reason to
// stop: hostgate serves its other ways in and tries the provider again
// when someone signs in with it.
func (a *app) checkProviders(ctx context.Context) {
	providers, _ := a.cfg.oidcProviders() // checked by validate
	if len(providers) == 0 {
		return
	}
	a.log.Info("OpenID Connect redirect URI to register with each provider", "redirect_uri", a.cfg.BaseURL+signin.PathOIDCCallback)
	failed := a.srv.Signin().CheckProviders(ctx)
	for _, p := range providers {
		if err := failed[p.Name]; err != nil {
			a.log.Warn("OpenID Connect provider did not answer discovery; sign-in with it is retried when someone uses it",
				"provider", p.Name, "issuer", p.Issuer, "err", err)
		} else {
			a.log.Info("OpenID Connect provider ready", "provider", p.Name, "issuer", p.Issuer)
		}
	}
}
