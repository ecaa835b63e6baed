package oauthpkce

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/store"
)

// consentData is what the consent page shows.
type consentData struct {
	CSRF         string
	Transaction  string     // the page's single-use consent transaction
	Params       url.Values // the authorization request, as hidden fields
	ClientName   string
	ClientID     string
	RedirectSite string
	Loopback     bool // the code goes to a program on this computer
	Registered   bool // dynamically registered: its name is unverified
	// DocumentHost is the host serving the client's metadata document,
	// for a client known by one: its name is unverified too.
	DocumentHost string
	// LongerAccess, when set, is how long this app's access tokens last,
	// said because it is longer than other apps' (Server.AccessTTL).
	LongerAccess string
	Scopes       []consentScope
	Connections  []consentConnection
	ConnectURL   string
	SignOutCSRF  string
	Username     string
}

type consentScope struct {
	Scope
	Checked bool
}

type consentConnection struct {
	ConnectionChoice
	Checked bool
}

// csrfConsent binds a consent form to the host it was shown to and to the
// exact authorization request.
func csrfConsent(userID string, a authRequest) string {
	return "consent\x00" + userID + "\x00" + a.digest()
}

// consentTTL is how long a consent page can be answered.
const consentTTL = 15 * time.Minute

// consentField is the form field that carries the consent transaction.
const consentField = "consent_tx"

// newConsentTransaction records a consent page about to be shown: its
// decision can be taken once, by this host in this browser session, for
// exactly this request.
func (s *Server) newConsentTransaction(r *http.Request, user store.User, a authRequest) (string, error) {
	id := newSecret("")
	now := s.now()
	err := s.cfg.Store.CreateConsentTransaction(r.Context(), store.ConsentTransaction{
		Hash: store.Hash(id), UserID: user.ID, SessionHash: s.cfg.Signin.SessionHash(r),
		Request: a.digest(), CreatedAt: now, ExpiresAt: now.Add(consentTTL),
	})
	if err != nil {
		return "", fmt.Errorf("create consent transaction: %w", err)
	}
	return id, nil
}

// useConsentTransaction consumes the consent transaction the form carries:
// one page, one decision. A second submission of the page (again, or at
// the same time) finds it gone.
func (s *Server) useConsentTransaction(r *http.Request, user store.User, a authRequest) error {
	id := r.PostForm.Get(consentField)
	expired := &pageError{Status: http.StatusForbidden, Title: "This form expired or came from another site",
		Message: "For your safety hostgate ignored it. Start again from your app."}
	if id == "" || len(r.PostForm[consentField]) > 1 {
		return expired
	}
	tx, err := s.cfg.Store.ConsumeConsentTransaction(r.Context(), store.Hash(id))
	if errors.Is(err, store.ErrNotFound) {
		return &pageError{Status: http.StatusConflict, Title: "You already answered this request",
			Message: "hostgate takes one answer per approval page, and this page was already answered (perhaps the form was sent twice). If your app is still waiting, start again from your app."}
	}
	if err != nil {
		return fmt.Errorf("consume consent transaction: %w", err)
	}
	if tx.UserID != user.ID || tx.Request != a.digest() || tx.SessionHash != s.cfg.Signin.SessionHash(r) ||
		!s.now().Before(tx.ExpiresAt) {
		return expired
	}
	return nil
}

// consentPage shows the host what the client asks for (MCP security best
// practices: name the client, show the redirect URI, CSRF-protect the form,
// forbid framing).
func (s *Server) consentPage(w http.ResponseWriter, r *http.Request, user store.User, client store.Client, a authRequest, req validRequest) error {
	d := consentData{
		CSRF: s.cfg.Signin.CSRF(w, r, csrfConsent(user.ID, a)), Params: a.values(),
		ClientName: client.Name, ClientID: client.ID, Registered: client.MetadataURL == "",
		DocumentHost: documentHost(client.MetadataURL),
		SignOutCSRF:  s.cfg.Signin.SignOutCSRF(w, r), Username: user.Username,
	}
	d.RedirectSite, d.Loopback = redirectSite(a.redirect)
	if ttl := s.AccessTTL(client); ttl > s.cfg.AccessTTL {
		d.LongerAccess = DescribeLifetime(ttl)
	}
	tx, err := s.newConsentTransaction(r, user, a)
	if err != nil {
		return err
	}
	d.Transaction = tx
	for _, sc := range s.cfg.Scopes {
		if slices.Contains(req.scopes, sc.Name) {
			d.Scopes = append(d.Scopes, consentScope{Scope: sc, Checked: true})
		}
	}
	if s.cfg.ConsentConnections != nil {
		choices, err := s.cfg.ConsentConnections(r, user.ID)
		if err != nil {
			return fmt.Errorf("list connections: %w", err)
		}
		prev := map[string]bool{}
		var approvedAt time.Time
		if ap, err := s.cfg.Store.GetApproval(r.Context(), user.ID, client.ID); err == nil {
			approvedAt = ap.UpdatedAt
			for _, id := range ap.Connections {
				prev[id] = true
			}
		}
		for _, c := range choices {
			// Share every working connection by default; a host who
			// approved this client before sees their earlier choice, plus
			// any account connected since (say, through "connect another").
			checked := c.Status == string(store.StatusOK)
			if !approvedAt.IsZero() && !c.CreatedAt.After(approvedAt) {
				checked = prev[c.ID]
			}
			d.Connections = append(d.Connections, consentConnection{ConnectionChoice: c, Checked: checked})
		}
	}
	if s.cfg.ConnectURL != nil {
		d.ConnectURL = s.cfg.ConnectURL(PathAuthorize + "?" + a.values().Encode())
	}
	consentTemplate.Render(w, http.StatusOK, web.CSP(formTarget(a.redirect)), d)
	return nil
}

// handleConsent takes the host's decision.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		return &pageError{Status: http.StatusBadRequest, Title: "This form could not be read", Message: "Start again from your app."}
	}
	a, repeated := readAuthRequest(r.PostForm)
	user, ok := s.cfg.Signin.User(r)
	if !ok {
		return &pageError{Status: http.StatusForbidden, Title: "You are signed out",
			Message: "Your sign-in expired before you decided. Start again from your app."}
	}
	if !s.cfg.Signin.CheckCSRF(r, csrfConsent(user.ID, a), r.PostForm.Get("csrf")) {
		return &pageError{Status: http.StatusForbidden, Title: "This form expired or came from another site",
			Message: "For your safety hostgate ignored it. Start again from your app."}
	}
	if err := s.useConsentTransaction(r, user, a); err != nil {
		return err
	}
	client, perr := s.checkClient(r.Context(), &a, repeated)
	if perr != nil {
		return perr
	}
	req, oerr := s.checkRequest(client, a, repeated)
	if oerr != nil {
		return toClient(a, oerr)
	}
	if r.PostForm.Get("action") != "approve" {
		s.audit(r, user.ID, client, "consent.denied", "")
		return toClient(a, badRequest(codeAccessDenied, "the host denied the request"))
	}
	// Optional scopes the host cleared are left out of the grant.
	checked := r.PostForm["grant_scope"]
	var scopes []string
	for _, name := range req.scopes {
		if i := slices.IndexFunc(s.cfg.Scopes, func(sc Scope) bool { return sc.Name == name }); i >= 0 && s.cfg.Scopes[i].Optional && !slices.Contains(checked, name) {
			continue
		}
		scopes = append(scopes, name)
	}
	if len(scopes) == 0 {
		return toClient(a, badRequest(codeAccessDenied, "the host granted none of the requested scopes"))
	}
	var conns []string
	if s.cfg.ConsentConnections != nil {
		choices, err := s.cfg.ConsentConnections(r, user.ID)
		if err != nil {
			return fmt.Errorf("list connections: %w", err)
		}
		// Only the host's own connections can be shared, whatever the form says.
		for _, c := range choices {
			if slices.Contains(r.PostForm["connection"], c.ID) {
				conns = append(conns, c.ID)
			}
		}
	}
	now := s.now()
	err := s.cfg.Store.PutApproval(r.Context(), store.Approval{
		UserID: user.ID, ClientID: client.ID, Scopes: scopes, Connections: conns, CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return fmt.Errorf("put approval: %w", err)
	}
	s.audit(r, user.ID, client, "consent.approved", strings.Join(scopes, " "))
	return s.approve(w, r, user, client, a, scopes, conns)
}

// approve issues an authorization code and sends it to the client.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, user store.User, client store.Client, a authRequest, scopes, conns []string) error {
	code := newSecret(prefixCode)
	now := s.now()
	err := s.cfg.Store.CreateAuthCode(r.Context(), store.AuthCode{
		// RedirectURI as the request sent it, empty if it sent none: the
		// token request must repeat exactly that (RFC 6749 §4.1.3).
		Hash: store.Hash(code), ClientID: client.ID, UserID: user.ID, RedirectURI: a.RedirectURI,
		Challenge: a.Challenge, Scopes: scopes, Resource: s.cfg.Resource, Connections: conns,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.CodeTTL),
	})
	if err != nil {
		return fmt.Errorf("create code: %w", err)
	}
	s.log.InfoContext(r.Context(), "code issued", "client_id", client.ID, "host_id", user.ID)
	return s.redirectToClient(w, r, a, url.Values{"code": {code}})
}

// redirectSite returns where the code will be sent (the redirect URI's
// authority, or scheme and authority for a private-use scheme), as the
// consent page names it, and whether that is this computer.
func redirectSite(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return raw, false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host, isLoopbackName(u.Hostname())
	default:
		return u.Scheme + "://" + u.Host, true
	}
}

// isLoopbackName reports whether a URL's hostname is this computer: the
// name localhost or a loopback address literal (127.0.0.0/8, ::1), never
// a DNS name that only starts like one (127.0.0.1.attacker.example).
func isLoopbackName(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Zone() == "" && ip.IsLoopback()
}

// documentHost returns the host of a client-ID metadata document URL, or
// "" for a client known otherwise.
func documentHost(metadataURL string) string {
	if metadataURL == "" {
		return ""
	}
	u, err := url.Parse(metadataURL)
	if err != nil || u.Host == "" {
		return metadataURL
	}
	return u.Host
}

// formTarget is the CSP source that lets the consent form's redirect reach
// the client.
func formTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + ":"
}

// audit adds an event about a client to the host's activity log, naming
// the client as it is called now.
func (s *Server) audit(r *http.Request, userID string, client store.Client, kind, detail string) {
	err := s.cfg.Store.AddAuditEvent(r.Context(), store.AuditEvent{At: s.now(), UserID: userID, ClientID: client.ID, AppName: client.Name, Kind: kind, Detail: detail})
	if err != nil {
		s.log.ErrorContext(r.Context(), "audit", "err", err)
	}
}
