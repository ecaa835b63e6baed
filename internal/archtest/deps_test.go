// Package archtest enforces ARCHITECTURE.md's dependency rules on the
// non-test source of every package.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/hostgate/hostgate/"

// rules: package (relative path) → the module packages it may import
// (prefix match; "" allows none), and third-party prefixes it must not.
var rules = []struct {
	pkg       string
	allow     []string
	forbidden []string
}{
	{"store", nil, nil},
	{"store/sqlstore", []string{"store"}, nil},
	{"store/storetest", []string{"store"}, nil},
	{"tools/connector", []string{"store"}, []string{"github.com/mark3labs/mcp-go"}},
	{"tools/connector/hostex", []string{"tools/connector"}, nil},
	{"tools/connector/hospitable", []string{"tools/connector"}, nil},
	{"tools/connector/hostaway", []string{"tools/connector"}, nil},
	{"tools/connector/hoxtonai", []string{"tools/connector"}, nil},
	{"tools/connector/sandbox", nil, nil},
	{"tools/connector/connectortest", []string{"tools/connector", "tools/connector/sandbox"}, nil},
	{"oauthpkce", []string{"store", "oauthpkce/signin", "internal/web"}, []string{"github.com/mark3labs/mcp-go"}},
	{"oauthpkce/signin", []string{"store", "internal/web"}, []string{"github.com/mark3labs/mcp-go"}},
	{"tools", []string{"store", "tools/connector"}, nil},
}

func TestDependencyRules(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			dir := filepath.Join(root, filepath.FromSlash(r.pkg))
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			files := 0
			for _, e := range entries {
				name := e.Name()
				if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
					continue
				}
				files++
				f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
				if err != nil {
					t.Fatal(err)
				}
				for _, imp := range f.Imports {
					path, _ := strconv.Unquote(imp.Path.Value)
					for _, bad := range r.forbidden {
						if strings.HasPrefix(path, bad) {
							t.Errorf("%s imports %s", name, path)
						}
					}
					if !strings.HasPrefix(path, module) {
						continue
					}
					own := strings.TrimPrefix(path, module)
					ok := false
					for _, a := range r.allow {
						if own == a || strings.HasPrefix(own, a+"/") && r.pkg == "tools" {
							ok = true
						}
					}
					if !ok {
						t.Errorf("%s/%s imports %s, which ARCHITECTURE.md forbids", r.pkg, name, own)
					}
				}
			}
			if files == 0 {
				t.Fatalf("no source files in %s", r.pkg)
			}
		})
	}
}
