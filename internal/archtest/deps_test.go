// Package archtest enforces hostgate's dependency rules: which of the
// module's packages each package may import, and which libraries only one
// layer may use. It checks every package `go list` finds in the module, and
// a package that no rule names fails the test, so a new package arrives
// with its rule. docs/architecture.md states the same rules: its table
// between the archtest markers is generated from the rules below, and
// TestDocsStateTheRules fails when the two differ (regenerate it with
// go test ./internal/archtest -run Docs -update).
//
// The rules cover each package's own source (not its _test.go files):
// tests may wire packages together as they need.
package archtest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hostgate/hostgate"

// vendor stands for every vendor package: each directory directly under
// tools/connector except sandbox and connectortest. Adding a vendor adds a
// package there and needs no new rule.
const vendor = "tools/connector/<vendor>"

// rule says which of the module's packages one package (or the vendor
// packages) may import. Anything not listed is forbidden.
type rule struct {
	pkg   string   // path relative to the module root, or vendor
	allow []string // module packages it may import
	why   string   // what the package is, for docs/architecture.md
}

// The layers, from the leaves up.
var rules = []rule{
	{"store", nil,
		"domain types, narrow role interfaces, sentinel errors, sealing of secrets"},
	{"store/sqlstore", []string{"store"},
		"the SQL backend of store.Store, on SQLite or PostgreSQL, and the migrations of each"},
	{"store/sqlstore/testdb", []string{"store", "store/sqlstore"},
		"a fresh database for a test: a SQLite file, or a schema of its own on the PostgreSQL that HOSTGATE_TEST_POSTGRES names (test support)"},
	{"store/storetest", []string{"store"},
		"the conformance suite every store backend passes (test support)"},
	{"internal/metrics", nil,
		"the Prometheus registry and every series hostgate keeps, with the values each label may take (never a user, a token or an id)"},
	{"internal/metrics/metricstest", nil,
		"reads a scrape of the metrics handler: families, values, every label value (test support)"},
	{"tools/connector", []string{"store", "internal/metrics"},
		"the vendor contract: Connector and capabilities, normalized types, errors, vendors as data (Spec), credentials and the connection lifecycle"},
	{vendor, []string{"tools/connector"},
		"one vendor's client: paths, wire types, mapping, quirks"},
	{"tools/connector/sandbox", nil,
		"faithful fake vendor servers; shares no code with the clients it fakes"},
	{"tools/connector/connectortest", []string{"tools/connector", "tools/connector/sandbox"},
		"the contract suite every vendor client passes against its fake (test support)"},
	{"tools/stays", []string{"tools/connector"},
		"figures over a host's normalized bookings: revenue, gap nights, turnovers, finding a guest; calls no vendor"},
	{"tools", []string{"store", "tools/connector", "tools/stays", vendor},
		"the MCP tools and prompts; the vendor list; never the authorization server"},
	{"internal/web", nil,
		"what every HTML page shares: security headers, layout, style sheet"},
	{"oauthpkce/clientaddr", nil,
		"who is asking: the client address behind trusted proxies, and the key abuse limits count by"},
	{"oauthpkce/signin", []string{"store", "internal/web", "oauthpkce/clientaddr", "internal/metrics"},
		"who the host at the browser is: accounts, OpenID Connect sign-in, sessions, CSRF"},
	{"oauthpkce", []string{"store", "oauthpkce/signin", "oauthpkce/clientaddr", "internal/web"},
		"the OAuth 2.1 authorization server for MCP clients; never MCP, tools or vendors"},
	{"mcpserver", []string{"store", "oauthpkce", "oauthpkce/signin", "oauthpkce/clientaddr", "tools", "tools/connector", "internal/web", "internal/metrics"},
		"the HTTP surface; the only package that knows both oauthpkce and tools"},
	{"internal/alerts", []string{"store"},
		"tells hosts outside the chat that a connection needs them: the alert loop, claims in the store, e-mail and signed webhook"},
	{"internal/alerts/alertstest", nil,
		"an SMTP server and a webhook receiver on loopback that check what alerts send (test support)"},
	{"internal/demo", []string{"store", "tools", "tools/connector", "tools/connector/sandbox", "mcpserver"},
		"the demo's wiring to the sandbox vendors, shared by cmd and end-to-end tests"},
	{"cmd/hostgate", []string{"store", "store/sqlstore", "tools", "tools/connector", vendor, "tools/connector/sandbox",
		"internal/web", "oauthpkce", "oauthpkce/signin", "oauthpkce/clientaddr", "mcpserver", "internal/demo", "internal/oidcfake", "internal/alerts"},
		"the program: chooses the store backend and, for demo, starts the sandbox and Sandbox ID; no test support"},
	{"internal/oidcfake", nil,
		"a fake OpenID Connect provider on loopback, for tests and the demo's Sandbox ID; shares no code with the sign-in it fakes"},
	{"internal/browsertest", nil,
		"plays a host's browser on the real pages (test support)"},
	{"e2e/conformance/tokenproxy", []string{"internal/browsertest"},
		"CI program: authorizes headlessly and proxies /mcp for the conformance suite; talks to hostgate over HTTP only"},
	{"e2e/conformance/authdriver", []string{"internal/browsertest"},
		"CI program: plays the host for the suite's authorization scenarios; talks to hostgate over HTTP only"},
	{"internal/archtest", nil,
		"this test"},
}

// restricted are libraries only some packages may import (prefix match).
var restricted = []struct {
	lib  string
	only []string
	why  string
}{
	{"github.com/mark3labs/mcp-go", []string{"tools", "mcpserver"},
		"MCP is spoken at the edge; the authorization server, the store and the vendor clients know nothing of it"},
	{"github.com/coreos/go-oidc", []string{"oauthpkce/signin"},
		"only sign-in is a relying party; nothing else verifies an identity provider's tokens"},
	{"database/sql", []string{"store/sqlstore"},
		"only the backend speaks SQL"},
	{"modernc.org/sqlite", []string{"store/sqlstore"},
		"only the backend knows the driver"},
	{"github.com/prometheus/client_golang", []string{"internal/metrics"},
		"one package defines every series and its labels, so that no label carrying a user, a token or an id can appear elsewhere"},
	{"github.com/jackc/pgx", []string{"store/sqlstore", "store/sqlstore/testdb"},
		"only the backend knows the driver (and the tests' helper, which makes and drops their schemas)"},
}

// pkg is one package of the module as `go list` sees it.
type pkg struct {
	path    string // relative to the module root
	imports []string
	err     string
}

// listPackages lists every package of the module with the imports of its
// non-test source.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}}\t{{join .Imports \" \"}}\t{{if .Error}}{{.Error}}{{end}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimRight(line, "\n"), "\t", 3)
		if len(f) != 3 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		pkgs = append(pkgs, pkg{path: relative(f[0]), imports: strings.Fields(f[1]), err: f[2]})
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// relative returns a module package's path relative to the module root, or
// "" for a path outside the module.
func relative(path string) string {
	if path == module {
		return "."
	}
	if rest, ok := strings.CutPrefix(path, module+"/"); ok {
		return rest
	}
	return ""
}

// isVendor reports whether a package path is a vendor package.
func isVendor(path string) bool {
	name, ok := strings.CutPrefix(path, "tools/connector/")
	return ok && name != "" && !strings.Contains(name, "/") && name != "sandbox" && name != "connectortest"
}

// ruleFor returns the rule of a package.
func ruleFor(path string) (rule, bool) {
	for _, r := range rules {
		if r.pkg == path || (r.pkg == vendor && isVendor(path)) {
			return r, true
		}
	}
	return rule{}, false
}

// allowed reports whether r lets its package import the module package own.
func (r rule) allowed(own string) bool {
	return slices.Contains(r.allow, own) || (slices.Contains(r.allow, vendor) && isVendor(own))
}

func TestDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	used := map[string]bool{}
	for _, p := range pkgs {
		if p.err != "" {
			t.Errorf("%s: %s", p.path, p.err)
		}
		r, ok := ruleFor(p.path)
		if !ok {
			t.Errorf("%s has no dependency rule: add one to internal/archtest (then go test ./internal/archtest -run Docs -update)", p.path)
			continue
		}
		used[r.pkg] = true
		for _, imp := range p.imports {
			if own := relative(imp); own != "" {
				if !r.allowed(own) {
					t.Errorf("%s imports %s; its rule allows %s", p.path, own, allowText(r.allow))
				}
				continue
			}
			for _, x := range restricted {
				if (imp == x.lib || strings.HasPrefix(imp, x.lib+"/")) && !slices.Contains(x.only, r.pkg) {
					t.Errorf("%s imports %s, which only %s may use", p.path, imp, strings.Join(x.only, ", "))
				}
			}
		}
	}
	// A rule for a package that no longer exists is a rule the docs still
	// state: drop it.
	for _, r := range rules {
		if !used[r.pkg] {
			t.Errorf("the rule for %s matches no package of the module", r.pkg)
		}
	}
}

func allowText(allow []string) string {
	if len(allow) == 0 {
		return "none of hostgate's packages"
	}
	return strings.Join(allow, ", ")
}

var update = flag.Bool("update", false, "rewrite the rules table in docs/architecture.md")

const (
	docsPath    = "../../docs/architecture.md"
	beginMarker = "<!-- archtest:begin: generated from internal/archtest/deps_test.go; regenerate with go test ./internal/archtest -run Docs -update -->"
	endMarker   = "<!-- archtest:end -->"
)

// rulesMarkdown renders the rules as docs/architecture.md shows them.
func rulesMarkdown() string {
	var b strings.Builder
	b.WriteString("| package | may import, of hostgate's packages | what it is |\n|---|---|---|\n")
	for _, r := range rules {
		allow := "nothing"
		if len(r.allow) > 0 {
			quoted := make([]string, len(r.allow))
			for i, a := range r.allow {
				quoted[i] = "`" + a + "`"
			}
			allow = strings.Join(quoted, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.pkg, allow, r.why)
	}
	b.WriteString("\n| library | only in | why |\n|---|---|---|\n")
	for _, x := range restricted {
		only := make([]string, len(x.only))
		for i, o := range x.only {
			only[i] = "`" + o + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", x.lib, strings.Join(only, ", "), x.why)
	}
	return b.String()
}

// TestDocsStateTheRules checks that docs/architecture.md shows exactly these
// rules; with -update it rewrites the table there.
func TestDocsStateTheRules(t *testing.T) {
	path := filepath.FromSlash(docsPath)
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin := strings.Index(text, beginMarker)
	end := strings.Index(text, endMarker)
	if begin < 0 || end < begin {
		t.Fatalf("%s has no rules table between %q and %q", docsPath, beginMarker, endMarker)
	}
	want := rulesMarkdown()
	got := strings.TrimPrefix(text[begin+len(beginMarker):end], "\n")
	if got == want {
		return
	}
	if *update {
		text = text[:begin+len(beginMarker)] + "\n" + want + text[end:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the rules table in %s differs from internal/archtest's rules; regenerate it with go test ./internal/archtest -run Docs -update\n--- docs\n%s\n--- rules\n%s", docsPath, got, want)
}
