// Package web holds what hostgate's browser pages share: the security
// headers every HTML response carries, the page layout, and the static
// style sheet. The pages themselves live with the package that owns their
// flow (sign-in, consent, connections).
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets layout.html
var files embed.FS

// AssetsPath is where the static files are served.
const AssetsPath = "/assets/"

// Mount serves the static assets.
func Mount(mux *http.ServeMux) {
	sub, _ := fs.Sub(files, "assets")
	fileServer := http.StripPrefix(AssetsPath, http.FileServerFS(sub))
	mux.Handle("GET "+AssetsPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fileServer.ServeHTTP(w, r)
	}))
}

// CSP is the content security policy of every page: nothing loads but our
// own style sheet, forms post only to us (plus, on the consent page, the
// client's redirect origin: Chrome applies form-action to the redirect that
// follows a form), and no one may frame us (clickjacking on the consent page,
// MCP security best practices).
func CSP(formTargets ...string) string {
	action := "'self'"
	if len(formTargets) > 0 {
		action += " " + strings.Join(formTargets, " ")
	}
	return "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action " + action +
		"; frame-ancestors 'none'; base-uri 'none'"
}

// SetHeaders sets the security headers of an HTML page. Pages hold forms
// with CSRF tokens or show private data, so none may be cached.
func SetHeaders(h http.Header, csp string) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// Page is a parsed page template joined to the layout.
type Page struct{ t *template.Template }

// Parse joins the named page template from fsys to the layout. The page
// defines the blocks "title" and "body"; more names are templates the page
// uses.
func Parse(fsys fs.FS, name string, more ...string) *Page {
	t := template.Must(template.New("layout.html").ParseFS(files, "layout.html"))
	return &Page{t: template.Must(t.ParseFS(fsys, append([]string{name}, more...)...))}
}

// Render writes the page with the given status, security headers and CSP.
// It renders into a buffer first, so a template error never leaves half a
// page with a 200 status.
func (p *Page) Render(w http.ResponseWriter, status int, csp string, data any) {
	var buf bytes.Buffer
	if err := p.t.Execute(&buf, data); err != nil {
		SetHeaders(w.Header(), CSP())
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<!doctype html><title>Error</title><p>Something went wrong rendering this page.</p>"))
		return
	}
	SetHeaders(w.Header(), csp)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
