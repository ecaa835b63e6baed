package mcpserver

import (
	"embed"
	"net/http"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/oauthpkce/signin"
)

//go:embed templates/*.html
var templateFS embed.FS

var homeTemplate = web.Parse(templateFS, "templates/home.html")

type homeData struct {
	MCPURL      string
	Username    string
	SignOutCSRF string
	SignInURL   string
}

// handleHome tells a visitor what this server is and how to connect to it.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	d := homeData{MCPURL: s.cfg.BaseURL + MCPPath, SignInURL: signin.SignInURL("/")}
	if u, ok := s.signin.User(r); ok {
		d.Username = u.Username
		d.SignOutCSRF = s.signin.SignOutCSRF(w, r)
	}
	homeTemplate.Render(w, http.StatusOK, web.CSP(), d)
}
