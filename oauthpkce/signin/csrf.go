package signin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// CSRF returns the anti-forgery token for a form with the given purpose,
// bound to this browser (its browser cookie, set here if missing), to the
// signed-in session the browser carries (if any) and to the purpose, so a
// token minted for one form, one authorization request or one session is
// worthless for another. The session matters on http loopback, where
// every port shares the browser's cookies: the browser cookie alone could
// be known to another program on this computer.
func (m *Manager) CSRF(w http.ResponseWriter, r *http.Request, purpose string) string {
	return m.csrfFor(m.browser(w, r), m.SessionHash(r), purpose)
}

// CheckCSRF reports whether the request's form token is the one CSRF minted
// for this browser and purpose. It also refuses requests a browser marks as
// cross-site (Sec-Fetch-Site). It never compares Origin: under
// Referrer-Policy no-referrer, browsers send "Origin: null" on our own forms.
func (m *Manager) CheckCSRF(r *http.Request, purpose, token string) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	c, err := r.Cookie(m.browserCookie)
	if err != nil || c.Value == "" || token == "" {
		return false
	}
	want := m.csrfFor(c.Value, m.SessionHash(r), purpose)
	return hmac.Equal([]byte(want), []byte(token))
}

// csrfFor is the token of a browser id, a session (the hash of its cookie,
// "" when signed out) and a purpose.
func (m *Manager) csrfFor(browser, session, purpose string) string {
	mac := hmac.New(sha256.New, m.key)
	mac.Write([]byte("csrf\x00"))
	mac.Write([]byte(browser))
	mac.Write([]byte{0})
	mac.Write([]byte(session))
	mac.Write([]byte{0})
	mac.Write([]byte(purpose))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// browser returns this browser's random id cookie, setting a new one if it
// has none. The id is not a session: it only anchors CSRF tokens, including
// the sign-in form's (login CSRF).
func (m *Manager) browser(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(m.browserCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	v := randomString()
	http.SetCookie(w, m.cookie(m.browserCookie, v, 0))
	// Make the new id visible to a CheckCSRF later in this same request.
	r.AddCookie(&http.Cookie{Name: m.browserCookie, Value: v})
	return v
}
