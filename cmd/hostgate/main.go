// Command hostgate runs the hostgate MCP server: an MCP endpoint for your
// short-term-rental accounts, behind its own OAuth 2.1 authorization server.
//
//	hostgate demo      try it on this computer: sandbox vendors, a demo host
//	hostgate serve     run it for real
//	hostgate user add  create or update a host account
//	hostgate keys rotate  rotate the master key while hostgate runs
//	hostgate backup    copy the database while hostgate runs
//	hostgate version
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `hostgate: use your short-term-rental accounts (Hostex, Hospitable, Hostaway,
HoxtonAI) from Claude, Cursor and other MCP apps.

Usage:
  hostgate demo [flags]              try hostgate on this computer: serves on
                                     http://127.0.0.1:8080 with its data in ./hostgate-demo,
                                     sandbox vendors and a demo host account "demo"
  hostgate serve [flags]             run hostgate (set --base-url to its public https URL)
  hostgate user add NAME [flags]     create a host account, or set its password
                                     (password from HOSTGATE_PASSWORD or asked on stdin)
  hostgate user passwd NAME [flags]  set an existing host's password; setting a
                                     password signs that host out of every browser
  hostgate user link NAME --issuer URL --subject SUB
                                     let an OpenID Connect identity sign in as host NAME
  hostgate keys rotate [flags]       rotate the master key while hostgate runs: add a
                                     new key, re-seal every vendor credential under it,
                                     retire the old one; safe to run again after a stop
  hostgate backup --to FILE [flags]  write a consistent copy of the database to FILE
                                     while hostgate runs (never the key: back it up apart)
  hostgate version                   print the version

Run "hostgate serve --help" for the flags; each has a HOSTGATE_* environment
variable. The secret key comes from HOSTGATE_SECRET_KEY (base64 of 32 bytes,
e.g. openssl rand -base64 32; several separated by commas, newest first) or,
if unset, from <data-dir>/secret.key (one key a line, newest first), created
on first run.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = runServe(args)
	case "demo":
		err = runDemo(args)
	case "user":
		err = runUser(args)
	case "keys":
		err = runKeys(args)
	case "backup":
		err = runBackup(args)
	case "version", "--version", "-version":
		fmt.Println("hostgate", version)
	case "help", "--help", "-help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "hostgate: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostgate:", err)
		os.Exit(1)
	}
}
