package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hostgate/hostgate/internal/demo"
	"github.com/hostgate/hostgate/internal/oidcfake"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

const demoUser = "demo"

func runDemo(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var cfg Config
	bindFlags(fs, &cfg, defaults("hostgate-demo"))
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: hostgate demo [flags]\n\nRuns hostgate on this computer with sandbox vendors and a demo host account.\nThe demo password is HOSTGATE_DEMO_PASSWORD, or a new one printed at start.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	// The sandbox vendors run in this process on loopback; the real
	// vendor clients talk to them over HTTP.
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return fmt.Errorf("start sandbox vendors: %w", err)
	}
	defer sb.Close()
	// Sandbox ID: a fake OpenID provider on loopback, so that signing in
	// with an identity provider can be tried too.
	idp, err := oidcfake.Start(oidcfake.Options{ClientID: "hostgate-demo", ClientSecret: randomPassword(), User: demoIdentity})
	if err != nil {
		return fmt.Errorf("start Sandbox ID: %w", err)
	}
	defer idp.Close()
	cfg.demoProviders = []signin.Provider{demoProvider(idp)}
	if err := cfg.validate(); err != nil {
		return err
	}
	idp.SetRedirectURI(cfg.BaseURL + signin.PathOIDCCallback)
	specs := demo.Specs(sb, cfg.BaseURL+mcpserver.PathOAuthCallback)
	a, err := open(cfg, os.Stderr, specs)
	if err != nil {
		return err
	}
	defer a.close()
	password := os.Getenv("HOSTGATE_DEMO_PASSWORD")
	printed := password == ""
	if printed {
		password = randomPassword()
	}
	ctx := context.Background()
	if _, err := ensureUser(ctx, a.store, demoUser, password); err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	u, err := a.store.GetUserByUsername(ctx, demoUser)
	if err != nil {
		return err
	}
	if err := demo.Connect(ctx, a.srv, specs, u.ID); err != nil {
		return err
	}
	// Sandbox ID's one identity is the demo host's. Its issuer (a loopback
	// port) changes from run to run, so the link is made again each time.
	if err := a.store.SetUserIdentity(ctx, u.ID, idp.Issuer(), demoIdentity.Subject); err != nil {
		return fmt.Errorf("demo account: link Sandbox ID: %w", err)
	}
	return a.serve(func() { printBanner(os.Stdout, a.cfg.BaseURL, password, printed) })
}

// demoIdentity is who Sandbox ID signs in: the demo host.
var demoIdentity = oidcfake.User{Subject: "sandbox-demo-host", Email: "demo@sandbox.example", EmailVerified: true, Name: "Demo Host"}

// demoProvider is Sandbox ID as a sign-in provider. It admits only the
// identity tied to the demo host (no domains, no allow-any), as a real
// provider configured that way would.
func demoProvider(idp *oidcfake.Server) signin.Provider {
	return signin.Provider{Name: "sandbox", Label: idp.Title(), Issuer: idp.Issuer(),
		ClientID: "hostgate-demo", ClientSecret: idp.ClientSecret()}
}

// printBanner tells a newcomer how to connect. The demo password is
// printed only when hostgate made it up; it is a throwaway local account.
func printBanner(w io.Writer, base, password string, printPassword bool) {
	mcpURL := base + mcpserver.MCPPath
	pw := "(the value of HOSTGATE_DEMO_PASSWORD)"
	if printPassword {
		pw = password
	}
	fmt.Fprintf(w, `
hostgate demo is running.

  MCP server URL:  %[1]s
  Sign in as:      demo / %[2]s
                   or with "Sign in with Sandbox ID" (a fake identity provider)

Connect an app (it opens this browser page to sign in and approve):

  Claude Code:     claude mcp add --transport http hostgate %[1]s
  Cursor:          ~/.cursor/mcp.json
                   {"mcpServers": {"hostgate": {"url": "%[1]s"}}}
  Claude Desktop:  claude_desktop_config.json
                   {"mcpServers": {"hostgate": {"command": "npx",
                     "args": ["-y", "mcp-remote", "%[1]s"]}}}

Stop with Ctrl-C. Data lives in the demo data folder; delete it to start over.
`, mcpURL, pw)
}
