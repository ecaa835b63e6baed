package signin

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCSRF: a token is bound to the browser cookie and to the purpose it
// was minted for, and a request a browser marks cross-site is refused.
func TestCSRF(t *testing.T) {
	e := newEnv(t, true)
	// Browser A gets its cookie with its first token.
	w := httptest.NewRecorder()
	tokA := e.m.CSRF(w, httptest.NewRequest(http.MethodGet, "/", nil), "consent\x00digest-1")
	cs := w.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != "__Host-hostgate-browser" {
		t.Fatalf("browser cookie %v", cs)
	}
	browserA := cs[0]
	w = httptest.NewRecorder()
	e.m.CSRF(w, httptest.NewRequest(http.MethodGet, "/", nil), "x")
	browserB := w.Result().Cookies()[0]
	if browserA.Value == browserB.Value {
		t.Fatal("two browsers got the same id")
	}
	tokB := e.m.csrfFor(browserB.Value, "", "consent\x00digest-1")

	post := func(token, purpose string, header map[string]string, cookies ...*http.Cookie) bool {
		r := postForm("/consent", nil)
		r.Header.Del("Sec-Fetch-Site")
		for k, v := range header {
			r.Header.Set(k, v)
		}
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return e.m.CheckCSRF(r, purpose, token)
	}
	tests := []struct {
		name    string
		token   string
		purpose string
		header  map[string]string
		cookies []*http.Cookie
		want    bool
	}{
		{"own browser, own purpose", tokA, "consent\x00digest-1", nil, []*http.Cookie{browserA}, true},
		{"Sec-Fetch-Site same-origin", tokA, "consent\x00digest-1", map[string]string{"Sec-Fetch-Site": "same-origin"}, []*http.Cookie{browserA}, true},
		{"Sec-Fetch-Site none (typed by the user)", tokA, "consent\x00digest-1", map[string]string{"Sec-Fetch-Site": "none"}, []*http.Cookie{browserA}, true},
		// Under Referrer-Policy: no-referrer our own forms post Origin: null.
		{"Origin null", tokA, "consent\x00digest-1", map[string]string{"Origin": "null"}, []*http.Cookie{browserA}, true},
		{"Sec-Fetch-Site cross-site", tokA, "consent\x00digest-1", map[string]string{"Sec-Fetch-Site": "cross-site"}, []*http.Cookie{browserA}, false},
		{"another browser's token", tokB, "consent\x00digest-1", nil, []*http.Cookie{browserA}, false},
		{"own token, another browser's cookie", tokA, "consent\x00digest-1", nil, []*http.Cookie{browserB}, false},
		{"another purpose", tokA, "signout", nil, []*http.Cookie{browserA}, false},
		{"another authorization request", tokA, "consent\x00digest-2", nil, []*http.Cookie{browserA}, false},
		{"purpose prefix", tokA, "consent", nil, []*http.Cookie{browserA}, false},
		{"no browser cookie", tokA, "consent\x00digest-1", nil, nil, false},
		{"empty browser cookie", e.m.csrfFor("", "", "consent\x00digest-1"), "consent\x00digest-1", nil, []*http.Cookie{{Name: browserA.Name, Value: ""}}, false},
		{"empty token", "", "consent\x00digest-1", nil, []*http.Cookie{browserA}, false},
		{"token with a character changed", tokA[:len(tokA)-1] + "x", "consent\x00digest-1", nil, []*http.Cookie{browserA}, false},
		{"the browser id as the token", browserA.Value, "consent\x00digest-1", nil, []*http.Cookie{browserA}, false},
	}
	for _, tt := range tests {
		if got := post(tt.token, tt.purpose, tt.header, tt.cookies...); got != tt.want {
			t.Errorf("%s: CheckCSRF = %v, want %v", tt.name, got, tt.want)
		}
	}

	t.Run("a key change invalidates tokens", func(t *testing.T) {
		other, err := New(Config{Store: e.st, Key: []byte("another key of at least 32 bytes!!"), Secure: true, Params: fastParams})
		if err != nil {
			t.Fatal(err)
		}
		if other.CheckCSRF(withCookies(browserA), "consent\x00digest-1", tokA) {
			t.Fatal("a token of another key verifies")
		}
	})
	t.Run("the cookie minted in a request is seen by a check in it", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		tok := e.m.CSRF(httptest.NewRecorder(), r, "p")
		if !e.m.CheckCSRF(r, "p", tok) {
			t.Fatal("fresh token refused in its own request")
		}
	})
	t.Run("an existing browser cookie is kept", func(t *testing.T) {
		w := httptest.NewRecorder()
		if e.m.CSRF(w, withCookies(browserA), "consent\x00digest-1") != tokA || len(w.Result().Cookies()) != 0 {
			t.Fatal("the browser id was replaced")
		}
	})
	t.Run("a short browser cookie is replaced", func(t *testing.T) {
		w := httptest.NewRecorder()
		e.m.CSRF(w, withCookies(&http.Cookie{Name: browserA.Name, Value: "short"}), "p")
		if cs := w.Result().Cookies(); len(cs) != 1 || len(cs[0].Value) < 43 {
			t.Fatalf("cookies %v", cs)
		}
	})
}
