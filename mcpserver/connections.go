package mcpserver

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/oauthpkce"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

//go:embed templates/connections.html templates/limits.html templates/connect_form.html templates/error.html
var connectionsFS embed.FS

var (
	connectionsTemplate = web.Parse(connectionsFS, "templates/connections.html", "templates/limits.html")
	connectFormTemplate = web.Parse(connectionsFS, "templates/connect_form.html")
	errorTemplate       = web.Parse(connectionsFS, "templates/error.html")
)

// Paths of the connections pages.
const (
	PathConnections   = "/connections"
	pathConnectNew    = "/connections/new"
	pathOAuthStart    = "/connections/oauth/start"
	PathOAuthCallback = "/connections/oauth/callback"
)

func (s *Server) mountConnections(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathConnections, s.handleConnections)
	mux.HandleFunc("GET "+pathConnectNew, s.handleConnectForm)
	mux.HandleFunc("POST "+pathConnectNew, s.handleConnectSubmit)
	mux.HandleFunc("POST "+pathOAuthStart, s.handleOAuthStart)
	mux.HandleFunc("GET "+PathOAuthCallback, s.handleOAuthCallback)
	s.mountOneClick(mux)
	mux.HandleFunc("POST /connections/{id}/disconnect", s.handleDisconnect)
	mux.HandleFunc("POST /connections/{id}/refresh", s.handleRefresh)
	mux.HandleFunc("POST /clients/{id}/revoke", s.handleRevokeClient)
}

// connectionsURL is the connections page that, after a connect, goes back
// to returnTo (a local path, e.g. the consent page).
func connectionsURL(returnTo string) string {
	if returnTo == "" {
		return PathConnections
	}
	return PathConnections + "?" + url.Values{"return": {returnTo}}.Encode()
}

// safeReturn keeps only local paths (no scheme, no host, no "//").
func safeReturn(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return ""
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return s
}

// host returns the signed-in host, or redirects to sign-in and reports false.
func (s *Server) host(w http.ResponseWriter, r *http.Request) (store.User, bool) {
	u, ok := s.signin.User(r)
	if !ok {
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			back = PathConnections
		}
		http.Redirect(w, r, signin.SignInURL(back), http.StatusSeeOther)
	}
	return u, ok
}

// postForm parses a page form and checks its CSRF token.
func (s *Server) postForm(w http.ResponseWriter, r *http.Request, purpose string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil || !s.signin.CheckCSRF(r, purpose, r.PostForm.Get("csrf")) {
		s.pageError(w, http.StatusForbidden, "This form expired or came from another site", "For your safety hostgate ignored it. Go back, reload the page and try again.")
		return false
	}
	return true
}

const csrfConnections = "connections"

type connectionsData struct {
	Username    string
	CSRF        string
	SignOutCSRF string
	Return      string
	Notice      string
	Highlight   string
	Connections []connRow
	Vendors     []vendorRow
	Clients     []clientRow
	MCPURL      string
	// OwnedTeams are the teams the host may connect accounts for.
	OwnedTeams []teamChoice
}

type connRow struct {
	ID, Vendor, Title, Label, Status, LastError string
	Reconnect                                   bool
	// Team names the team that owns the connection; empty for the host's
	// own. Manage: the host may reconnect and disconnect it (its own, or
	// a team's the host owns).
	Team   string
	Manage bool
}

// teamChoice is a team the host may connect an account for.
type teamChoice struct{ ID, Name string }

type vendorRow struct {
	Name, Title string
	OAuth       bool
	Kinds       []kindRow
}

type kindRow struct{ Kind, Label string }

type clientRow struct {
	ID, Name, Scopes, Since string
	Policy                  string
	// Access is how long the app's access tokens last (oauthpkce's
	// per-client lifetimes), as the host reads it.
	Access string
	// Limits is the app's limits form (limits_page.go).
	Limits limitsView
}

// clientPath is the path of a form about one client: the id is one
// escaped path segment, since a client known by its metadata document has
// a URL for an id ("https://…/client.json"), whose slashes would otherwise
// split it.
func clientPath(id, action string) string {
	return "/clients/" + url.PathEscape(id) + "/" + action
}

// RevokePath is where the row's revoke form posts.
func (c clientRow) RevokePath() string { return clientPath(c.ID, "revoke") }

// PolicyPath is where the row's write-policy form posts.
func (c clientRow) PolicyPath() string { return clientPath(c.ID, "policy") }

func kindLabel(k store.AuthKind) string {
	switch k {
	case store.AuthToken:
		return "Paste a personal access token"
	case store.AuthClientCredentials:
		return "Enter API credentials"
	}
	return string(k)
}

func (s *Server) handleConnections(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := connectionsData{
		Username: u.Username, CSRF: s.signin.CSRF(w, r, csrfConnections), SignOutCSRF: s.signin.SignOutCSRF(w, r),
		Return: safeReturn(q.Get("return")), Highlight: q.Get("vendor"), MCPURL: s.cfg.BaseURL + MCPPath,
	}
	switch q.Get("done") {
	case "connected":
		d.Notice = "Connected."
	case "disconnected":
		d.Notice = "Disconnected."
	case "refreshed":
		d.Notice = "Refreshed: the account works."
	case "revoked":
		d.Notice = "Access revoked. The app must ask you again."
	case "policy":
		d.Notice = "Saved how the app's messages and changes are confirmed."
	case "limits":
		d.Notice = "Saved the app's limits. They hold from its next call."
	}
	conns, err := s.cfg.Store.ListConnections(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, "list connections", err)
		return
	}
	teams, err := s.cfg.Store.ListTeams(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, "list teams", err)
		return
	}
	role := map[string]store.Membership{}
	for _, m := range teams {
		role[m.Team.ID] = m
		if m.Role == store.RoleOwner {
			d.OwnedTeams = append(d.OwnedTeams, teamChoice{ID: m.Team.ID, Name: m.Team.Name})
		}
	}
	reconnect := q.Get("reconnect")
	for _, c := range conns {
		row := connRow{ID: c.ID, Vendor: c.Vendor, Title: s.title(c.Vendor), Label: c.Label,
			Status: string(c.Status), LastError: c.LastError, Manage: c.TeamID == ""}
		if c.TeamID != "" {
			row.Team, row.Manage = role[c.TeamID].Team.Name, role[c.TeamID].Role == store.RoleOwner
		}
		row.Reconnect = row.Manage && (c.ID == reconnect || c.Status == store.StatusNeedsReauth)
		d.Connections = append(d.Connections, row)
	}
	for _, v := range s.cfg.Vendors {
		row := vendorRow{Name: v.Name, Title: v.Title, OAuth: v.OAuth.Configured()}
		for _, k := range v.AuthKinds {
			if k != store.AuthOAuth {
				row.Kinds = append(row.Kinds, kindRow{Kind: string(k), Label: kindLabel(k)})
			}
		}
		d.Vendors = append(d.Vendors, row)
	}
	aps, err := s.cfg.Store.ListApprovals(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, "list approvals", err)
		return
	}
	places, failed := s.appPlaces(ctx, conns, aps)
	for _, a := range aps {
		name := a.ClientID
		c, err := s.cfg.Store.GetClient(ctx, a.ClientID)
		if err == nil {
			name = c.Name
		}
		policy := a.WritePolicy
		if !policy.Valid() {
			policy = store.WriteAsk
		}
		lim, err := s.cfg.Store.GetAppLimits(ctx, u.ID, a.ClientID)
		if err != nil {
			s.serverError(w, r, "get app limits", err)
			return
		}
		d.Clients = append(d.Clients, clientRow{ID: a.ClientID, Name: name, Scopes: strings.Join(a.Scopes, ", "),
			Since: a.CreatedAt.Format("2 Jan 2006"), Policy: string(policy), Access: oauthpkce.DescribeLifetime(s.oauth.AccessTTL(c)),
			Limits: s.limitsView(a, lim, d.CSRF, conns, places, failed)})
	}
	connectionsTemplate.Render(w, http.StatusOK, s.connectionsCSP(), d)
}

// connectionsCSP is the connections page's policy: its "Sign in with
// <vendor>" forms post to us, and we answer with a redirect to the vendor's
// authorize page; Chrome applies form-action to that redirect too, so the
// vendors' authorize origins must be allowed or the button does nothing.
func (s *Server) connectionsCSP() string {
	var origins []string
	for _, v := range s.cfg.Vendors {
		if !v.OAuth.Configured() {
			continue
		}
		u, err := url.Parse(v.OAuth.AuthURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			continue
		}
		if o := u.Scheme + "://" + u.Host; !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	return web.CSP(origins...)
}

func (s *Server) title(vendor string) string {
	for _, v := range s.cfg.Vendors {
		if v.Name == vendor {
			return v.Title
		}
	}
	return vendor
}

func (s *Server) spec(vendor string) (*connector.Spec, bool) { return s.vendors.Spec(vendor) }

type connectFormData struct {
	CSRF, Vendor, Title, Kind, Return, Error, Label string
	Fields                                          []connector.Field
	// OwnedTeams and Team: whose account this is (a team the host owns,
	// or the host's own when Team is empty).
	OwnedTeams []teamChoice
	Team       string
}

// ownedTeams lists the teams the host owns, for "whose account is this".
func (s *Server) ownedTeams(r *http.Request, userID string) []teamChoice {
	ms, err := s.cfg.Store.ListTeams(r.Context(), userID)
	if err != nil {
		s.log.ErrorContext(r.Context(), "list teams", "err", err)
		return nil
	}
	var out []teamChoice
	for _, m := range ms {
		if m.Role == store.RoleOwner {
			out = append(out, teamChoice{ID: m.Team.ID, Name: m.Team.Name})
		}
	}
	return out
}

func (s *Server) handleConnectForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	spec, ok := s.spec(q.Get("vendor"))
	kind := store.AuthKind(q.Get("kind"))
	if !ok || len(spec.Fields[kind]) == 0 {
		s.pageError(w, http.StatusNotFound, "Unknown way to connect", "Go back to the connections page and pick a vendor.")
		return
	}
	connectFormTemplate.Render(w, http.StatusOK, web.CSP(), connectFormData{
		CSRF: s.signin.CSRF(w, r, csrfConnections), Vendor: spec.Name, Title: spec.Title, Kind: string(kind),
		Return: safeReturn(q.Get("return")), Fields: spec.Fields[kind], OwnedTeams: s.ownedTeams(r, u.ID), Team: q.Get("team"),
	})
}

// handleConnectSubmit saves a pasted token or API key after a cheap vendor
// call proves it works.
func (s *Server) handleConnectSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	f := r.PostForm
	spec, ok := s.spec(f.Get("vendor"))
	kind := store.AuthKind(f.Get("kind"))
	if !ok || len(spec.Fields[kind]) == 0 || spec.FromFields == nil {
		s.pageError(w, http.StatusBadRequest, "Unknown way to connect", "Go back to the connections page and pick a vendor.")
		return
	}
	values := map[string]string{}
	for _, fd := range spec.Fields[kind] {
		values[fd.Name] = f.Get(fd.Name)
	}
	team, err := s.connectTeam(r.Context(), u.ID, f.Get("team"), "")
	if err != nil {
		s.connectRefused(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	_, err = s.lifecycle.Connect(ctx, connector.Connect{UserID: u.ID, TeamID: team, Vendor: spec.Name, Kind: kind, Values: values, Label: f.Get("label")})
	var refused *connector.ConnectError
	switch {
	case errors.As(err, &refused):
		// The form again, with why, ready for another try.
		connectFormTemplate.Render(w, http.StatusBadRequest, web.CSP(), connectFormData{
			CSRF: s.signin.CSRF(w, r, csrfConnections), Vendor: spec.Name, Title: spec.Title, Kind: string(kind),
			Return: safeReturn(f.Get("return")), Fields: spec.Fields[kind], Error: connectFailure(spec.Title, refused.Err), Label: f.Get("label"),
			OwnedTeams: s.ownedTeams(r, u.ID), Team: team,
		})
	case err != nil:
		s.serverError(w, r, "save connection", err)
	default:
		s.finishConnect(w, r, f.Get("return"))
	}
}

// ConnectWithFields connects (or reconnects) a vendor account from
// connect-form values, as the connect form does. The demo uses it to
// connect the sandbox accounts.
func (s *Server) ConnectWithFields(ctx context.Context, userID, vendor string, kind store.AuthKind, values map[string]string, label string) (store.Connection, error) {
	return s.lifecycle.Connect(ctx, connector.Connect{UserID: userID, Vendor: vendor, Kind: kind, Values: values, Label: label})
}

// connectFailure explains to the host why a credential was not accepted.
func connectFailure(title string, err error) string {
	switch {
	case errors.Is(err, connector.ErrUnauthorized), errors.Is(err, connector.ErrNeedsReauth):
		return title + " did not accept these credentials. Check them and try again."
	case errors.Is(err, connector.ErrForbidden):
		return title + " accepted the credentials but refused access. Check the token's permissions."
	case errors.Is(err, connector.ErrAccount):
		return title + " reports a problem with the account (for example an expired subscription)."
	case errors.Is(err, connector.ErrBadRequest):
		return "Some fields are missing or malformed: " + err.Error()
	default:
		return title + " could not be reached just now. Try again in a minute."
	}
}

// finishConnect goes back where the host came from (the consent page) or
// to the connections page.
func (s *Server) finishConnect(w http.ResponseWriter, r *http.Request, returnTo string) {
	if ret := safeReturn(returnTo); ret != "" {
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, PathConnections+"?done=connected", http.StatusSeeOther)
}

func (s *Server) handleDisconnect(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	c, a, err := s.connectionAccess(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		s.pageError(w, http.StatusNotFound, "No such connection", "It may have been disconnected already.")
		return
	}
	if a != canManage {
		s.connectRefused(w, r, errNotTeamOwner)
		return
	}
	if _, err := s.lifecycle.Disconnect(r.Context(), c); err != nil {
		s.serverError(w, r, "disconnect", err)
		return
	}
	http.Redirect(w, r, afterAction(r, "done", "disconnected"), http.StatusSeeOther)
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	c, _, err := s.connectionAccess(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		s.pageError(w, http.StatusNotFound, "No such connection", "It may have been disconnected.")
		return
	}
	if _, err := s.lifecycle.Refresh(r.Context(), c); err != nil {
		http.Redirect(w, r, afterAction(r, "reconnect", c.ID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, afterAction(r, "done", "refreshed"), http.StatusSeeOther)
}

// afterAction is the connections page to show after a form, keeping the
// way back to a consent page the host came from.
func afterAction(r *http.Request, key, value string) string {
	q := url.Values{key: {value}}
	if ret := safeReturn(r.PostForm.Get("return")); ret != "" {
		q.Set("return", ret)
	}
	return PathConnections + "?" + q.Encode()
}

func (s *Server) handleRevokeClient(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfConnections) {
		return
	}
	if err := s.oauth.RevokeClient(r.Context(), u.ID, r.PathValue("id")); err != nil {
		s.serverError(w, r, "revoke client", err)
		return
	}
	s.log.InfoContext(r.Context(), "client revoked by host", "host_id", u.ID, "client_id", r.PathValue("id"))
	s.recordHostAction(r.Context(), store.AuditEvent{UserID: u.ID, ClientID: r.PathValue("id"), Kind: eventGrantRevoked, Detail: "by you, on the connections page"})
	http.Redirect(w, r, PathConnections+"?done=revoked", http.StatusSeeOther)
}

// consentChoices lists the host's connections for the consent page.
func consentChoices(r *http.Request, st store.Store, vendors []*connector.Spec, userID string) ([]oauthpkce.ConnectionChoice, error) {
	conns, err := st.ListConnections(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	title := map[string]string{}
	for _, v := range vendors {
		title[v.Name] = v.Title
	}
	teams := map[string]string{}
	if ms, err := st.ListTeams(r.Context(), userID); err != nil {
		return nil, err
	} else {
		for _, m := range ms {
			teams[m.Team.ID] = m.Team.Name
		}
	}
	out := make([]oauthpkce.ConnectionChoice, 0, len(conns))
	for _, c := range conns {
		t := title[c.Vendor]
		if t == "" {
			t = c.Vendor
		}
		label := c.Label
		if c.TeamID != "" {
			label += " (team " + teams[c.TeamID] + ")"
		}
		out = append(out, oauthpkce.ConnectionChoice{ID: c.ID, Vendor: t, Label: label, Status: string(c.Status), CreatedAt: c.CreatedAt})
	}
	return out, nil
}

func (s *Server) pageError(w http.ResponseWriter, status int, title, msg string) {
	errorTemplate.Render(w, status, web.CSP(), struct{ Title, Message, Code string }{title, msg, ""})
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, op string, err error) {
	s.log.ErrorContext(r.Context(), op, "err", err)
	s.pageError(w, http.StatusInternalServerError, "Something went wrong", "hostgate could not finish this step. Try again in a moment.")
}
