package mcpserver

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/oauthpkce/clientaddr"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// A vendor's marketplace "one-click" connect (Hospitable's Apps
// marketplace, connector.OAuth.OneClick) sends the host to hostgate's
// callback with an authorization code and no state: no browser session
// started it, so nothing says which hostgate host it is for, and redeeming
// it at once would connect the account to whoever's browser it reached (an
// attacker who makes a victim's browser open the link with the attacker's
// code would plant their account in the victim's hostgate). So the code is
// not redeemed on arrival. It is kept sealed in a single-use record for ten
// minutes, bound to the arriving browser by a random id in a cookie; the
// host signs in if needed and is asked, on a CSRF-protected page, whether
// to connect the account they came from to this hostgate host. Only that
// POST, from the same browser, consumes the record and redeems the code.

//go:embed templates/oneclick.html
var oneClickFS embed.FS

var oneClickTemplate = web.Parse(oneClickFS, "templates/oneclick.html")

const (
	// pathOneClick is the confirmation page (GET) and its form (POST).
	pathOneClick = "/connections/oauth/oneclick"
	// oneClickTTL bounds how long an arrived code waits for the host; the
	// vendor's code itself lives about as long (RFC 6749 §4.1.2: at most
	// ten minutes recommended).
	oneClickTTL = 10 * time.Minute
	// oneClickCookiePath scopes the cookie to the callback and the page.
	oneClickCookiePath = "/connections/oauth"
	// maxOneClickCode bounds a code kept before anyone signed in
	// (Hospitable's codes are a few hundred characters [I]).
	maxOneClickCode = 4096
	// oneClickPerMinute is how many codes one client address may leave
	// waiting a minute: each is a row written for an unauthenticated GET.
	oneClickPerMinute = 10
)

// VendorCallbackPath is the OAuth callback path that names its vendor,
// "/connections/oauth/callback/<vendor>". It serves the ordinary flow as
// the plain callback does, and is the only one that accepts a one-click
// arrival, since without a state only the path says which vendor sent the
// code: register it as the redirect URL at a vendor that offers one-click.
func VendorCallbackPath(vendor string) string {
	return PathOAuthCallback + "/" + url.PathEscape(vendor)
}

func (s *Server) mountOneClick(mux *http.ServeMux) {
	lim := &arrivalLimiter{now: s.cfg.Now, trusted: s.cfg.TrustedProxies, counts: map[string]int{}}
	mux.HandleFunc("GET "+PathOAuthCallback+"/{vendor}", func(w http.ResponseWriter, r *http.Request) {
		s.handleVendorCallback(w, r, lim)
	})
	mux.HandleFunc("GET "+pathOneClick, s.handleOneClickPage)
	mux.HandleFunc("POST "+pathOneClick, s.handleOneClickConfirm)
}

// handleVendorCallback takes a one-click arrival for a vendor that offers
// one-click; everything else (a state, another vendor) goes to the
// ordinary callback, which refuses a missing state as before.
func (s *Server) handleVendorCallback(w http.ResponseWriter, r *http.Request, lim *arrivalLimiter) {
	spec, ok := s.spec(r.PathValue("vendor"))
	if !ok || !spec.OAuth.Configured() || !spec.OAuth.OneClick || r.URL.Query().Get("state") != "" {
		s.handleOAuthCallback(w, r)
		return
	}
	s.oneClickArrival(w, r, spec, lim)
}

// oneClickArrival keeps the code sealed for this browser and sends the
// host to the confirmation page (through sign-in when needed). The code
// never enters a URL hostgate builds: not the sign-in return, not a page.
func (s *Server) oneClickArrival(w http.ResponseWriter, r *http.Request, spec *connector.Spec, lim *arrivalLimiter) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		msg := spec.Title + " did not grant access"
		if e == "access_denied" {
			msg = "You declined access at " + spec.Title
		}
		s.pageError(w, http.StatusBadRequest, msg, "Nothing was connected. You can try again from the connections page.")
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > maxOneClickCode {
		s.pageError(w, http.StatusBadRequest, spec.Title+" sent no usable authorization code", "Nothing was connected. Start again from "+spec.Title+" or from the connections page.")
		return
	}
	if !lim.allow(r) {
		w.Header().Set("Retry-After", "60")
		s.pageError(w, http.StatusTooManyRequests, "Too many connection requests", "Wait a minute, then start again from "+spec.Title+".")
		return
	}
	ctx := r.Context()
	// A request this browser left waiting is replaced, not kept.
	if old, err := r.Cookie(s.oneClickCookieName()); err == nil && old.Value != "" {
		_, _ = s.cfg.Store.ConsumeOneClickCode(ctx, store.Hash(old.Value))
	}
	id := randomToken()
	now := s.cfg.Now()
	err := s.cfg.Store.CreateOneClickCode(ctx, store.OneClickCode{Hash: store.Hash(id), Vendor: spec.Name,
		Code: code, CreatedAt: now, ExpiresAt: now.Add(oneClickTTL)})
	if err != nil {
		s.serverError(w, r, "create one-click code", err)
		return
	}
	s.log.InfoContext(ctx, "one-click connect waiting for the host", "vendor", spec.Name)
	http.SetCookie(w, s.oneClickCookie(id, oneClickTTL))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, pathOneClick, http.StatusSeeOther)
}

type oneClickData struct {
	Title, Username, CSRF, Expires string
}

// handleOneClickPage asks the signed-in host to confirm. It shows and
// changes nothing unless this browser holds a waiting request.
func (s *Server) handleOneClickPage(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	id, ok := s.oneClickID(w, r)
	if !ok {
		return
	}
	rec, err := s.cfg.Store.GetOneClickCode(r.Context(), store.Hash(id))
	if errors.Is(err, store.ErrNotFound) || err == nil && !s.cfg.Now().Before(rec.ExpiresAt) {
		http.SetCookie(w, s.oneClickCookie("", -1))
		s.oneClickGone(w)
		return
	}
	if err != nil {
		s.serverError(w, r, "get one-click code", err)
		return
	}
	spec, ok := s.oneClickSpec(w, rec.Vendor)
	if !ok {
		return
	}
	oneClickTemplate.Render(w, http.StatusOK, web.CSP(), oneClickData{
		Title: spec.Title, Username: u.Username, CSRF: s.signin.CSRF(w, r, oneClickPurpose(rec.Hash)),
		Expires: rec.ExpiresAt.UTC().Format("15:04"),
	})
}

// handleOneClickConfirm answers the page: the record is consumed once (of
// two concurrent answers one finds it), must be this browser's and fresh;
// Connect redeems the code for the signed-in host alone, Cancel drops it.
func (s *Server) handleOneClickConfirm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.host(w, r)
	if !ok {
		return
	}
	id, ok := s.oneClickID(w, r)
	if !ok {
		return
	}
	hash := store.Hash(id)
	// The token binds this browser, its session and this very record. A
	// forged post consumes nothing: the host can still answer.
	if !s.postForm(w, r, oneClickPurpose(hash)) {
		return
	}
	action := r.PostForm.Get("action")
	if action != "connect" && action != "cancel" {
		s.pageError(w, http.StatusBadRequest, "Choose Connect or Cancel", "Go back and choose one of the two buttons.")
		return
	}
	http.SetCookie(w, s.oneClickCookie("", -1))
	rec, err := s.cfg.Store.ConsumeOneClickCode(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) || err == nil && !s.cfg.Now().Before(rec.ExpiresAt) {
		s.oneClickGone(w)
		return
	}
	if err != nil {
		s.serverError(w, r, "consume one-click code", err)
		return
	}
	if action == "cancel" {
		s.log.InfoContext(r.Context(), "one-click connect cancelled", "host_id", u.ID, "vendor", rec.Vendor)
		http.Redirect(w, r, PathConnections, http.StatusSeeOther)
		return
	}
	spec, ok := s.oneClickSpec(w, rec.Vendor)
	if !ok {
		return
	}
	// Detached, as in the ordinary callback: once the vendor has issued
	// tokens they must be stored even if the browser goes away. No
	// redirect URI: the vendor fixes it (OmitRedirectURI), and no verifier:
	// the vendor, not hostgate, began this authorization.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	_, err = s.lifecycle.Connect(ctx, connector.Connect{UserID: u.ID, Vendor: spec.Name, Kind: store.AuthOAuth, Code: rec.Code})
	s.connectOutcome(ctx, w, r, spec, err, "")
}

// oneClickID is this browser's waiting request id, or an error page.
func (s *Server) oneClickID(w http.ResponseWriter, r *http.Request) (string, bool) {
	c, err := r.Cookie(s.oneClickCookieName())
	if err != nil || c.Value == "" {
		s.pageError(w, http.StatusBadRequest, "No connection is waiting in this browser",
			"A connection started from a vendor's marketplace can be confirmed only in the browser it arrived in. Start again there, or connect from the connections page.")
		return "", false
	}
	return c.Value, true
}

// oneClickSpec is the record's vendor, if it still offers one-click.
func (s *Server) oneClickSpec(w http.ResponseWriter, vendor string) (*connector.Spec, bool) {
	spec, ok := s.spec(vendor)
	if !ok || !spec.OAuth.Configured() || !spec.OAuth.OneClick {
		s.pageError(w, http.StatusBadRequest, "This vendor cannot be connected this way", "Nothing was connected. Connect it from the connections page.")
		return nil, false
	}
	return spec, true
}

func (s *Server) oneClickGone(w http.ResponseWriter) {
	s.pageError(w, http.StatusBadRequest, "This connection request expired or was already used",
		"Nothing was connected. Start again from the vendor's marketplace, or connect from the connections page.")
}

func oneClickPurpose(hash string) string { return "oneclick\x00" + hash }

// oneClickCookieName: with https the __Secure- prefix, which browsers
// honour only on Secure cookies (RFC 6265bis §4.1.3.1); not __Host-, which
// would demand Path=/.
func (s *Server) oneClickCookieName() string {
	if s.secureCookies() {
		return "__Secure-hostgate-oneclick"
	}
	return "hostgate-oneclick"
}

// oneClickCookie carries the request id: HttpOnly, Lax (sent on the
// vendor's top-level redirect and on our own form, not on another site's
// POST), scoped to the callback and the page, and short-lived. A negative
// maxAge deletes it.
func (s *Server) oneClickCookie(value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: s.oneClickCookieName(), Value: value, Path: oneClickCookiePath, HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge / time.Second)}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.origin, "https://") }

// arrivalLimiter counts one-click arrivals per client address in fixed
// one-minute windows. Its memory is bounded: past maxEntries addresses the
// window starts over, which only lets someone who controls that many
// addresses reset the count.
type arrivalLimiter struct {
	now     func() time.Time
	trusted []netip.Prefix

	mu     sync.Mutex
	window time.Time
	counts map[string]int
}

const arrivalMaxEntries = 16384

func (l *arrivalLimiter) allow(r *http.Request) bool {
	key := clientaddr.Key(clientaddr.Of(r, l.trusted))
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.window) || now.Sub(l.window) >= time.Minute || len(l.counts) >= arrivalMaxEntries {
		l.window = now
		clear(l.counts)
	}
	if l.counts[key] >= oneClickPerMinute {
		return false
	}
	l.counts[key]++
	return true
}
