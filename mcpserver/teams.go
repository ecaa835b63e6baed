package mcpserver

import (
	"embed"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/store"
)

// Teams: a team owns vendor connections that its members use through the
// apps each of them approves. Owners connect and disconnect the team's
// accounts, invite and remove members; members use the accounts and never
// see a credential (no page shows one to anyone). The pages here create a
// team, show its members and invitations, and take an invitation link.

//go:embed templates/teams.html templates/team.html templates/join.html
var teamsFS embed.FS

var (
	teamsTemplate = web.Parse(teamsFS, "templates/teams.html")
	teamTemplate  = web.Parse(teamsFS, "templates/team.html")
	joinTemplate  = web.Parse(teamsFS, "templates/join.html")
)

// Paths of the team pages.
const (
	PathTeams = "/teams"
	PathJoin  = "/join/"
)

// inviteTTL is how long an invitation link works.
const inviteTTL = 7 * 24 * time.Hour

const csrfTeams = "teams"

func (s *Server) mountTeams(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathTeams, s.handleTeams)
	mux.HandleFunc("POST "+PathTeams, s.handleCreateTeam)
	mux.HandleFunc("GET "+PathTeams+"/{team}", s.handleTeam)
	mux.HandleFunc("POST "+PathTeams+"/{team}/invites", s.handleInvite)
	mux.HandleFunc("POST "+PathTeams+"/{team}/invites/{hash}/withdraw", s.handleWithdrawInvite)
	mux.HandleFunc("POST "+PathTeams+"/{team}/members/{user}/remove", s.handleRemoveMember)
	mux.HandleFunc("GET "+PathJoin+"{token}", s.handleJoinPage)
	mux.HandleFunc("POST "+PathJoin+"{token}", s.handleJoin)
}

type teamsData struct {
	CSRF, SignOutCSRF, Username, Notice, Error string
	Teams                                      []store.Membership
}

func (s *Server) handleTeams(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	s.renderTeams(w, r, u, http.StatusOK, "", "")
}

func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, u store.User, status int, notice, problem string) {
	ms, err := s.cfg.Store.ListTeams(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, "list teams", err)
		return
	}
	if notice == "" && r.URL.Query().Get("done") == "left" {
		notice = "You left the team."
	}
	teamsTemplate.Render(w, status, web.CSP(), teamsData{
		CSRF: s.signin.CSRF(w, r, csrfTeams), SignOutCSRF: s.signin.SignOutCSRF(w, r), Username: u.Username,
		Notice: notice, Error: problem, Teams: ms,
	})
}

// teamName checks a team name from a form: 1 to 80 characters, no control
// characters.
func teamName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 80 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", false
	}
	return s, true
}

func (s *Server) handleCreateTeam(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfTeams) {
		return
	}
	name, ok := teamName(r.PostForm.Get("name"))
	if !ok {
		s.renderTeams(w, r, u, http.StatusBadRequest, "", "Give the team a name of 1 to 80 characters.")
		return
	}
	t := store.Team{ID: randomToken()[:22], Name: name, CreatedAt: s.cfg.Now()}
	if err := s.cfg.Store.CreateTeam(r.Context(), t, u.ID); err != nil {
		s.serverError(w, r, "create team", err)
		return
	}
	s.audit(r, u.ID, "team.created", "team "+t.ID)
	http.Redirect(w, r, PathTeams+"/"+url.PathEscape(t.ID)+"?done=created", http.StatusSeeOther)
}

type teamData struct {
	CSRF, SignOutCSRF, Username, Notice string
	Team                                store.Team
	Owner                               bool
	Me                                  string
	Members                             []memberRow
	Invites                             []inviteRow
	Connections                         []connRow
	// InviteURL is a link just made: shown once, never stored.
	InviteURL, InviteRole string
}

type memberRow struct {
	UserID, Name, Email string
	Role                store.Role
	Since               string
}

type inviteRow struct {
	Hash, Role, Expires string
}

// membership returns the host's membership of the path's team, or answers
// 404: a team the host is not in does not exist for them.
func (s *Server) membership(w http.ResponseWriter, r *http.Request, u store.User) (store.Membership, bool) {
	m, err := s.cfg.Store.GetMembership(r.Context(), r.PathValue("team"), u.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.pageError(w, http.StatusNotFound, "No such team", "You are not a member of this team, or it does not exist.")
		return m, false
	}
	if err != nil {
		s.serverError(w, r, "get membership", err)
		return m, false
	}
	return m, true
}

func (s *Server) handleTeam(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	m, ok := s.membership(w, r, u)
	if !ok {
		return
	}
	notice := map[string]string{
		"created":   "Team created. Invite the people who work with you, then connect the team's vendor accounts.",
		"removed":   "Removed from the team. Their apps lost the team's accounts at once.",
		"withdrawn": "Invitation withdrawn.",
	}[r.URL.Query().Get("done")]
	s.renderTeam(w, r, u, m, notice, "", "")
}

func (s *Server) renderTeam(w http.ResponseWriter, r *http.Request, u store.User, m store.Membership, notice, inviteURL, inviteRole string) {
	ctx := r.Context()
	d := teamData{
		CSRF: s.signin.CSRF(w, r, csrfTeams), SignOutCSRF: s.signin.SignOutCSRF(w, r), Username: u.Username,
		Notice: notice, Team: m.Team, Owner: m.Role == store.RoleOwner, Me: u.ID, InviteURL: inviteURL, InviteRole: inviteRole,
	}
	members, err := s.cfg.Store.ListMembers(ctx, m.Team.ID)
	if err != nil {
		s.serverError(w, r, "list members", err)
		return
	}
	for _, mb := range members {
		row := memberRow{UserID: mb.UserID, Role: mb.Role, Since: mb.AddedAt.Format("2 Jan 2006")}
		if mu, err := s.cfg.Store.GetUser(ctx, mb.UserID); err == nil {
			row.Name, row.Email = mu.Username, mu.Email
			if row.Name == "" {
				row.Name = mu.Email
			}
		}
		d.Members = append(d.Members, row)
	}
	if d.Owner {
		invs, err := s.cfg.Store.ListInvites(ctx, m.Team.ID, s.cfg.Now())
		if err != nil {
			s.serverError(w, r, "list invites", err)
			return
		}
		for _, inv := range invs {
			d.Invites = append(d.Invites, inviteRow{Hash: inv.Hash, Role: string(inv.Role), Expires: inv.ExpiresAt.Format("2 Jan 2006 15:04 MST")})
		}
	}
	conns, err := s.cfg.Store.ListConnections(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, "list connections", err)
		return
	}
	for _, c := range conns {
		if c.TeamID == m.Team.ID {
			d.Connections = append(d.Connections, connRow{ID: c.ID, Vendor: c.Vendor, Title: s.title(c.Vendor), Label: c.Label, Status: string(c.Status)})
		}
	}
	teamTemplate.Render(w, http.StatusOK, web.CSP(), d)
}

// owner is membership for what only owners do: a member gets 403.
func (s *Server) owner(w http.ResponseWriter, r *http.Request, u store.User) (store.Membership, bool) {
	m, ok := s.membership(w, r, u)
	if ok && m.Role != store.RoleOwner {
		s.pageError(w, http.StatusForbidden, "Only a team owner can do this", "Ask an owner of "+m.Team.Name+".")
		return m, false
	}
	return m, ok
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfTeams) {
		return
	}
	m, ok := s.owner(w, r, u)
	if !ok {
		return
	}
	role := store.Role(r.PostForm.Get("role"))
	if role != store.RoleOwner {
		role = store.RoleMember
	}
	token := randomToken()
	now := s.cfg.Now()
	if err := s.cfg.Store.CreateInvite(r.Context(), store.TeamInvite{
		Hash: store.Hash(token), TeamID: m.Team.ID, Role: role, CreatedBy: u.ID, CreatedAt: now, ExpiresAt: now.Add(inviteTTL),
	}); err != nil {
		s.serverError(w, r, "create invite", err)
		return
	}
	s.audit(r, u.ID, "team.invited", "team "+m.Team.ID+" as "+string(role))
	// The link is shown on this answer only; the page is no-store.
	s.renderTeam(w, r, u, m, "", s.cfg.BaseURL+PathJoin+token, string(role))
}

func (s *Server) handleWithdrawInvite(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfTeams) {
		return
	}
	m, ok := s.owner(w, r, u)
	if !ok {
		return
	}
	if err := s.cfg.Store.DeleteInvite(r.Context(), m.Team.ID, r.PathValue("hash")); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, "withdraw invite", err)
		return
	}
	http.Redirect(w, r, PathTeams+"/"+url.PathEscape(m.Team.ID)+"?done=withdrawn", http.StatusSeeOther)
}

// handleRemoveMember takes someone out of the team, or, for one's own
// row, leaves it. Either way the apps of whoever left lose the team's
// accounts on their next call (ListConnections reads membership now).
func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfTeams) {
		return
	}
	target := r.PathValue("user")
	var m store.Membership
	if target == u.ID {
		m, ok = s.membership(w, r, u)
	} else {
		m, ok = s.owner(w, r, u)
	}
	if !ok {
		return
	}
	err := s.cfg.Store.RemoveMember(r.Context(), m.Team.ID, target)
	switch {
	case errors.Is(err, store.ErrLastOwner):
		s.pageError(w, http.StatusConflict, "A team needs an owner", "Invite another owner first; then the last one can leave.")
		return
	case errors.Is(err, store.ErrNotFound):
		s.pageError(w, http.StatusNotFound, "Not a member", "They may have left the team already.")
		return
	case err != nil:
		s.serverError(w, r, "remove member", err)
		return
	}
	s.audit(r, u.ID, "team.member_removed", "team "+m.Team.ID+" user "+target)
	if target == u.ID {
		http.Redirect(w, r, PathTeams+"?done=left", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, PathTeams+"/"+url.PathEscape(m.Team.ID)+"?done=removed", http.StatusSeeOther)
}

type joinData struct {
	CSRF, SignOutCSRF, Username, Token string
	// Team, Role and InvitedBy describe the invitation, so nobody joins a
	// team blindly.
	Team, Role, InvitedBy string
}

// refuseInvite is the one answer to an invitation that does not work:
// unknown, used, withdrawn and expired alike, on the page and on the
// form's post.
func (s *Server) refuseInvite(w http.ResponseWriter) {
	s.pageError(w, http.StatusGone, "This invitation does not work", "It was used already, withdrawn or expired. Ask a team owner for a new link.")
}

// handleJoinPage asks the signed-in host to confirm joining, naming the
// team and who invited them: a link alone (opened by a mail scanner, say)
// changes nothing.
func (s *Server) handleJoinPage(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.PathValue("token")
	inv, err := s.cfg.Store.PreviewInvite(r.Context(), store.Hash(token), s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		s.refuseInvite(w)
		return
	}
	if err != nil {
		s.serverError(w, r, "preview invite", err)
		return
	}
	joinTemplate.Render(w, http.StatusOK, web.CSP(), joinData{
		CSRF: s.signin.CSRF(w, r, csrfTeams), SignOutCSRF: s.signin.SignOutCSRF(w, r), Username: u.Username, Token: token,
		Team: inv.TeamName, Role: string(inv.Role), InvitedBy: inv.InvitedBy,
	})
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok || !s.postForm(w, r, csrfTeams) {
		return
	}
	m, err := s.cfg.Store.AcceptInvite(r.Context(), store.Hash(r.PathValue("token")), u.ID, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		s.refuseInvite(w)
		return
	}
	if err != nil {
		s.serverError(w, r, "accept invite", err)
		return
	}
	s.audit(r, u.ID, "team.joined", "team "+m.Team.ID+" as "+string(m.Role))
	http.Redirect(w, r, PathTeams+"/"+url.PathEscape(m.Team.ID), http.StatusSeeOther)
}

// audit records a team event; the detail names ids only, never a link.
func (s *Server) audit(r *http.Request, userID, kind, detail string) {
	if err := s.cfg.Store.AddAuditEvent(r.Context(), store.AuditEvent{At: s.cfg.Now(), UserID: userID, Kind: kind, Detail: detail}); err != nil {
		s.log.ErrorContext(r.Context(), "audit", "kind", kind, "err", err)
	}
}
