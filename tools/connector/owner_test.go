package connector_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneOwnerOfConnections: outside the store and the store wrappers that
// delegate to it, only the Lifecycle writes a connection, so that
// connecting, renewing, marking needs_reauth and disconnecting have one
// owner and no caller keeps its own retry loop.
func TestOneOwnerOfConnections(t *testing.T) {
	writes := map[string]bool{"CreateConnection": true, "UpdateConnection": true, "DeleteConnection": true}
	allowed := func(rel string) bool {
		return strings.HasPrefix(rel, "store/") ||
			rel == "tools/connector/lifecycle.go" ||
			rel == "mcpserver/conncache.go" // drops its cached lists, then delegates
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != "." && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && writes[sel.Sel.Name] && !allowed(rel) {
				t.Errorf("%s calls %s: connection writes belong to connector.Lifecycle", rel, sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("scanned only %d files from %s", files, root)
	}
}
