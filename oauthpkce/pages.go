package oauthpkce

import (
	"embed"
	"net/http"

	"github.com/hostgate/hostgate/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

var (
	consentTemplate = web.Parse(templateFS, "templates/consent.html")
	errorTemplate   = web.Parse(templateFS, "templates/error.html")
)

// errorPage shows an error to the host on our own page.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, e *pageError) {
	s.log.InfoContext(r.Context(), "authorize refused", "outcome", e.Title, "code", e.Code)
	errorTemplate.Render(w, e.Status, web.CSP(), e)
}
