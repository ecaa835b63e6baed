package oauthpkce

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestTokenRequestErrors: the token endpoint's checks before any grant,
// with RFC 6749 §5.2's codes; invalid_client is 401 with a Basic challenge
// when the client tried Basic.
func TestTokenRequestErrors(t *testing.T) {
	f := newFixture(t, nil)
	bogus := url.Values{"grant_type": {"authorization_code"}, "code": {"hgc_unknown"}, "code_verifier": {strings.Repeat("v", 43)}, "redirect_uri": {loopbackRedirect}}
	pub := with(bogus, url.Values{"client_id": {publicClient.ID}})
	tests := []struct {
		name        string
		contentType string // default form
		body        string // default form.Encode()
		form        url.Values
		basicID     string
		basicSecret string
		rawAuth     string // an Authorization header as is
		status      int
		code        string
		basic       bool // a WWW-Authenticate: Basic challenge
	}{
		{name: "JSON body", contentType: "application/json", body: `{"grant_type":"authorization_code"}`, status: 400, code: codeInvalidRequest},
		{name: "no content type", contentType: "-", form: pub, status: 400, code: codeInvalidRequest},
		{name: "multipart body", contentType: "multipart/form-data; boundary=x", form: pub, status: 400, code: codeInvalidRequest},
		{name: "form with charset accepted", contentType: "application/x-www-form-urlencoded; charset=UTF-8", form: pub, status: 400, code: codeInvalidGrant},
		{name: "body over 16 KiB", form: with(pub, url.Values{"state": {strings.Repeat("x", 17<<10)}}), status: 400, code: codeInvalidRequest},
		{name: "repeated parameter", form: with(pub, url.Values{"code": {"a", "b"}}), status: 400, code: codeInvalidRequest},
		{name: "repeated grant_type", form: with(pub, url.Values{"grant_type": {"authorization_code", "authorization_code"}}), status: 400, code: codeInvalidRequest},
		{name: "repeated client_id", form: with(pub, url.Values{"client_id": {publicClient.ID, publicClient.ID}}), status: 400, code: codeInvalidRequest},
		{name: "grant_type missing", form: with(pub, url.Values{"grant_type": nil}), status: 400, code: codeInvalidRequest},
		{name: "grant_type password", form: with(pub, url.Values{"grant_type": {"password"}}), status: 400, code: codeUnsupportedGrantType},
		{name: "grant_type client_credentials", form: with(pub, url.Values{"grant_type": {"client_credentials"}}), status: 400, code: codeUnsupportedGrantType},
		{name: "grant_type device_code", form: with(pub, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}}), status: 400, code: codeUnsupportedGrantType},
		{name: "no client", form: bogus, status: 401, code: codeInvalidClient},
		{name: "unknown client", form: with(bogus, url.Values{"client_id": {"no-such-client"}}), status: 401, code: codeInvalidClient},
		{name: "unknown client by Basic", form: bogus, basicID: "no-such-client", basicSecret: "x", status: 401, code: codeInvalidClient, basic: true},
		{name: "public client sends a secret it does not have", form: with(pub, url.Values{"client_secret": {"guess"}}), status: 401, code: codeInvalidClient},
		{name: "public client by Basic", form: bogus, basicID: publicClient.ID, basicSecret: "guess", status: 401, code: codeInvalidClient, basic: true},
		{name: "Basic client, wrong secret", form: bogus, basicID: basicClient.ID, basicSecret: "wrong", status: 401, code: codeInvalidClient, basic: true},
		{name: "Basic client, empty secret", form: bogus, basicID: basicClient.ID, basicSecret: "", status: 401, code: codeInvalidClient, basic: true},
		{name: "Basic client, no credentials", form: with(bogus, url.Values{"client_id": {basicClient.ID}}), status: 401, code: codeInvalidClient},
		{name: "Basic client, right secret in the body", form: with(bogus, url.Values{"client_id": {basicClient.ID}, "client_secret": {webSecret}}), status: 401, code: codeInvalidClient},
		{name: "post client, wrong secret", form: with(bogus, url.Values{"client_id": {postClient.ID}, "client_secret": {"wrong"}}), status: 401, code: codeInvalidClient},
		{name: "post client, right secret by Basic", form: bogus, basicID: postClient.ID, basicSecret: postSecret, status: 401, code: codeInvalidClient, basic: true},
		{name: "Basic credentials not form-encoded", form: bogus, rawAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:secret")), status: 401, code: codeInvalidClient, basic: true},
		{name: "Basic and client_secret_post together", form: with(bogus, url.Values{"client_secret": {webSecret}}), basicID: basicClient.ID, basicSecret: webSecret, status: 400, code: codeInvalidRequest},
		{name: "Basic and another client_id in the body", form: with(bogus, url.Values{"client_id": {publicClient.ID}}), basicID: basicClient.ID, basicSecret: webSecret, status: 400, code: codeInvalidRequest},
		// The positive controls: authentication passes, the code does not.
		{name: "Basic client authenticated", form: bogus, basicID: basicClient.ID, basicSecret: webSecret, status: 400, code: codeInvalidGrant},
		{name: "Basic client with its own client_id in the body", form: with(bogus, url.Values{"client_id": {basicClient.ID}}), basicID: basicClient.ID, basicSecret: webSecret, status: 400, code: codeInvalidGrant},
		{name: "post client authenticated", form: with(bogus, url.Values{"client_id": {postClient.ID}, "client_secret": {postSecret}}), status: 400, code: codeInvalidGrant},
		{name: "public client identified", form: pub, status: 400, code: codeInvalidGrant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.on(t)
			body := tt.body
			if body == "" {
				body = tt.form.Encode()
			}
			req, err := http.NewRequest(http.MethodPost, f.ts.URL+PathToken, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			switch tt.contentType {
			case "":
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			case "-":
			default:
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.basicID != "" {
				req.SetBasicAuth(url.QueryEscape(tt.basicID), url.QueryEscape(tt.basicSecret))
			}
			if tt.rawAuth != "" {
				req.Header.Set("Authorization", tt.rawAuth)
			}
			r := f.do(req)
			wantError(t, r, tt.status, tt.code)
			challenge := r.header.Get("WWW-Authenticate")
			if tt.basic != strings.HasPrefix(challenge, "Basic ") {
				t.Fatalf("WWW-Authenticate %q, want a Basic challenge: %v", challenge, tt.basic)
			}
		})
	}
}

// TestTokenAuthorizationCodeErrors: a code is bound to its client, redirect
// URI, resource and PKCE verifier. A request failing any of these gets the
// RFC 6749 §5.2 code and consumes nothing: the right request then works.
func TestTokenAuthorizationCodeErrors(t *testing.T) {
	f := newFixture(t, nil)
	b := f.hostBrowser()
	tests := []struct {
		name   string
		change func(v url.Values, a authReq) url.Values
		status int
		code   string
	}{
		{"code missing", func(v url.Values, _ authReq) url.Values { return with(v, url.Values{"code": nil}) }, 400, codeInvalidRequest},
		{"code unknown", func(v url.Values, _ authReq) url.Values {
			return with(v, url.Values{"code": {"hgc_" + strings.Repeat("A", 43)}})
		}, 400, codeInvalidGrant},
		{"code of another client", func(v url.Values, _ authReq) url.Values {
			return with(v, url.Values{"client_id": {otherClient.ID}, "redirect_uri": {otherRedirect}})
		}, 400, codeInvalidGrant},
		{"code of another client, its redirect_uri", func(v url.Values, _ authReq) url.Values { return with(v, url.Values{"client_id": {otherClient.ID}}) }, 400, codeInvalidGrant},
		{"wrong redirect_uri", func(v url.Values, _ authReq) url.Values { return with(v, url.Values{"redirect_uri": {otherRedirect}}) }, 400, codeInvalidGrant},
		{"redirect_uri with a trailing slash", func(v url.Values, _ authReq) url.Values {
			return with(v, url.Values{"redirect_uri": {loopbackRedirect + "/"}})
		}, 400, codeInvalidGrant},
		{"redirect_uri empty though sent at /authorize", func(v url.Values, _ authReq) url.Values { return with(v, url.Values{"redirect_uri": {""}}) }, 400, codeInvalidGrant},
		{"code_verifier missing", func(v url.Values, _ authReq) url.Values { return with(v, url.Values{"code_verifier": nil}) }, 400, codeInvalidRequest},
		{"wrong code_verifier", func(v url.Values, _ authReq) url.Values {
			other, _ := newVerifier(t)
			return with(v, url.Values{"code_verifier": {other}})
		}, 400, codeInvalidGrant},
		{"code_verifier is the challenge (plain)", func(v url.Values, a authReq) url.Values {
			return with(v, url.Values{"code_verifier": {a.v.Get("code_challenge")}})
		}, 400, codeInvalidGrant},
		{"code_verifier one character short", func(v url.Values, a authReq) url.Values {
			return with(v, url.Values{"code_verifier": {a.verifier[:42]}})
		}, 400, codeInvalidGrant},
		{"code_verifier with a character outside RFC 7636's set", func(v url.Values, a authReq) url.Values {
			return with(v, url.Values{"code_verifier": {a.verifier + "+"}})
		}, 400, codeInvalidGrant},
		{"foreign resource", func(v url.Values, _ authReq) url.Values {
			return with(v, url.Values{"resource": {"https://evil.example/mcp"}})
		}, 400, codeInvalidTarget},
		{"resource is the issuer", func(v url.Values, _ authReq) url.Values { return with(v, url.Values{"resource": {f.ts.URL}}) }, 400, codeInvalidTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.on(t)
			a := f.authReq(publicClient, "")
			code := f.code(b, a)
			good := exchangeForm(publicClient, a, code)
			wantError(t, f.token(tt.change(good, a)), tt.status, tt.code)
			// Not consumed, nothing revoked: the client holding the
			// verifier redeems the code.
			tr := wantTokens(t, f.token(good))
			if !f.verify(tr.str("access_token")) {
				t.Fatal("the tokens of the code are refused")
			}
		})
	}
	t.Run("resource omitted or a variant of ours", func(t *testing.T) {
		f := f.on(t)
		for _, res := range []string{"", f.ts.URL + "/mcp/", strings.Replace(f.ts.URL, "http://", "HTTP://", 1) + "/mcp"} {
			a := f.authReq(publicClient, "")
			v := exchangeForm(publicClient, a, f.code(b, a))
			v.Set("resource", res)
			if res == "" {
				v.Del("resource")
			}
			acc, err := f.s.VerifyAccessToken(context.Background(), wantTokens(t, f.token(v)).str("access_token"))
			if err != nil || acc.Resource != f.s.cfg.Resource {
				t.Fatalf("resource %q: access %+v, %v", res, acc, err)
			}
		}
	})
	t.Run("confidential clients", func(t *testing.T) {
		f := f.on(t)
		a := f.authReq(basicClient, "")
		v := exchangeForm(basicClient, a, f.code(b, a))
		v.Del("client_id")
		wantTokens(t, f.postForm(PathToken, v, basicClient.ID, webSecret))
		a = f.authReq(postClient, "")
		v = exchangeForm(postClient, a, f.code(b, a))
		v.Set("client_secret", postSecret)
		wantTokens(t, f.token(v))
	})
}

// TestTokenCodeExpiry: a code lives CodeTTL, at most 10 minutes.
func TestTokenCodeExpiry(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CodeTTL = 10 * time.Minute })
	b := f.hostBrowser()
	a := f.authReq(publicClient, "")
	early := f.authReq(publicClient, "")
	earlyCode := f.code(b, early)
	code := f.code(b, a)
	f.advance(10*time.Minute - time.Second)
	wantTokens(t, f.token(exchangeForm(publicClient, early, earlyCode)))
	f.advance(2 * time.Second) // 10 min + 1 s
	wantError(t, f.token(exchangeForm(publicClient, a, code)), http.StatusBadRequest, codeInvalidGrant)
}

// TestTokenCodeReplay: a code is single use, and a second redemption
// revokes what the first issued (OAuth 2.1 §4.1.3).
func TestTokenCodeReplay(t *testing.T) {
	f := newFixture(t, nil)
	b := f.hostBrowser()
	a := f.authReq(publicClient, "")
	v := exchangeForm(publicClient, a, f.code(b, a))
	first := wantTokens(t, f.token(v))
	at, rt := first.str("access_token"), first.str("refresh_token")
	if !f.verify(at) || !f.verify(at) { // the second call is served from the cache
		t.Fatal("fresh access token refused")
	}
	wantError(t, f.token(v), http.StatusBadRequest, codeInvalidGrant)
	if f.verify(at) {
		t.Fatal("the access token issued from a replayed code still works")
	}
	wantError(t, f.token(refreshForm(publicClient, rt)), http.StatusBadRequest, codeInvalidGrant)
	// A third try is refused the same way.
	wantError(t, f.token(v), http.StatusBadRequest, codeInvalidGrant)

	t.Run("a replay with a wrong verifier revokes nothing", func(t *testing.T) {
		f := f.on(t)
		a := f.authReq(publicClient, "")
		v := exchangeForm(publicClient, a, f.code(b, a))
		at := wantTokens(t, f.token(v)).str("access_token")
		other, _ := newVerifier(t)
		wantError(t, f.token(with(v, url.Values{"code_verifier": {other}})), http.StatusBadRequest, codeInvalidGrant)
		if !f.verify(at) {
			t.Fatal("a request without the verifier revoked the grant")
		}
	})
}

// TestTokenCodeConcurrentRedemption: of 16 simultaneous redemptions of one
// code over HTTP exactly one succeeds.
func TestTokenCodeConcurrentRedemption(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	body := exchangeForm(publicClient, a, f.code(f.hostBrowser(), a)).Encode()
	const n = 16
	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.Post(f.ts.URL+PathToken, "application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch statuses[i] {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d", statuses[i])
		}
	}
	if ok != 1 {
		t.Fatalf("%d redemptions succeeded, want exactly 1 (statuses %v)", ok, statuses)
	}
}

var (
	accessTokenRE  = regexp.MustCompile(`^hga_[A-Za-z0-9_-]{43}$`)
	refreshTokenRE = regexp.MustCompile(`^hgr_[A-Za-z0-9_-]{43}$`)
	codeRE         = regexp.MustCompile(`^hgc_[A-Za-z0-9_-]{43}$`)
)

// TestTokensOpaqueAndHashed: codes and tokens carry 256 random bits after
// a recognizable prefix, and the store holds only their SHA-256 hashes.
func TestTokensOpaqueAndHashed(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	a := f.authReq(publicClient, "")
	code := f.code(f.hostBrowser(), a)
	tr := wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
	rotated := wantTokens(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))))
	secrets := []string{code, tr.str("access_token"), tr.str("refresh_token"), rotated.str("access_token"), rotated.str("refresh_token")}
	for i, re := range []*regexp.Regexp{codeRE, accessTokenRE, refreshTokenRE, accessTokenRE, refreshTokenRE} {
		s := secrets[i]
		if !re.MatchString(s) {
			t.Fatalf("%q does not match %s", s, re)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(s[4:]); err != nil || len(raw) != 32 {
			t.Fatalf("%q does not carry 256 bits: %v", s, err)
		}
	}
	if ac, err := f.st.GetAuthCode(ctx, store.Hash(code)); err != nil || ac.Hash != store.Hash(code) || ac.UsedAt.IsZero() {
		t.Fatalf("code by hash: %+v, %v", ac, err)
	}
	for i, s := range secrets[1:] {
		tok, g, err := f.st.GetToken(ctx, store.Hash(s))
		wantKind := []store.TokenKind{store.KindAccess, store.KindRefresh}[i%2]
		if err != nil || tok.Hash != store.Hash(s) || tok.Kind != wantKind || g.ClientID != publicClient.ID {
			t.Fatalf("token by hash: %+v %+v, %v", tok, g, err)
		}
		if _, _, err := f.st.GetToken(ctx, s); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("token found by its plaintext: %v", err)
		}
	}
	// No plaintext anywhere in the database files, WAL included.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(f.st.Path() + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) || bytes.Contains(data, []byte(s[4:])) {
				t.Fatalf("database file %s holds a plaintext secret", suffix)
			}
		}
	}
}

// TestTokenRefreshRotation: each refresh rotates the pair; the presented
// token stays redeemable until one of its successors is used (a parallel
// refresh); a reuse after that revokes the whole grant (OAuth 2.1 §4.3.1).
func TestTokenRefreshRotation(t *testing.T) {
	f := newFixture(t, nil)
	first := f.grant(f.hostBrowser(), publicClient, "")
	rt0 := first.str("refresh_token")

	second := wantTokens(t, f.token(refreshForm(publicClient, rt0)))
	if second.str("access_token") == first.str("access_token") || second.str("refresh_token") == rt0 {
		t.Fatal("refresh did not rotate the pair")
	}
	if second.str("scope") != "read write" || second.body["expires_in"] != float64(3600) {
		t.Fatalf("refresh response %v", second.body)
	}

	// Within the grace: rt0 again, before its successor is used.
	parallel := wantTokens(t, f.token(refreshForm(publicClient, rt0)))
	if !f.verify(parallel.str("access_token")) || !f.verify(second.str("access_token")) {
		t.Fatal("tokens of parallel refreshes refused")
	}

	// The client keeps the second pair and uses its refresh token: the
	// parallel sibling is dropped.
	third := wantTokens(t, f.token(refreshForm(publicClient, second.str("refresh_token"))))
	if !f.verify(third.str("access_token")) {
		t.Fatal("newest access token refused")
	}

	// After the grace: rt0 once more is a reuse. The grant is revoked, the
	// newest tokens with it.
	wantError(t, f.token(refreshForm(publicClient, rt0)), http.StatusBadRequest, codeInvalidGrant)
	for name, at := range map[string]string{"first": first.str("access_token"), "third": third.str("access_token"), "parallel": parallel.str("access_token")} {
		if f.verify(at) {
			t.Fatalf("the %s access token still works after refresh-token reuse", name)
		}
	}
	wantError(t, f.token(refreshForm(publicClient, third.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
	g, err := f.st.GetGrant(context.Background(), mustAccessGrant(t, f, third.str("refresh_token")))
	if err != nil || g.Active() {
		t.Fatalf("grant %+v, %v: want revoked", g, err)
	}

	t.Run("the dropped sibling is a reuse too", func(t *testing.T) {
		f := f.on(t)
		first := f.grant(f.hostBrowser(), publicClient, "")
		a := wantTokens(t, f.token(refreshForm(publicClient, first.str("refresh_token"))))
		b := wantTokens(t, f.token(refreshForm(publicClient, first.str("refresh_token"))))
		c := wantTokens(t, f.token(refreshForm(publicClient, a.str("refresh_token"))))
		wantError(t, f.token(refreshForm(publicClient, b.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
		if f.verify(c.str("access_token")) {
			t.Fatal("grant not revoked on sibling reuse")
		}
	})
	t.Run("a narrower scope is accepted", func(t *testing.T) {
		f := f.on(t)
		first := f.grant(f.hostBrowser(), publicClient, "")
		wantTokens(t, f.token(with(refreshForm(publicClient, first.str("refresh_token")), url.Values{"scope": {"read"}})))
	})
	t.Run("a confidential client refreshes with its secret", func(t *testing.T) {
		f := f.on(t)
		first := f.grant(f.hostBrowser(), postClient, "")
		v := with(refreshForm(postClient, first.str("refresh_token")), url.Values{"client_secret": {postSecret}})
		wantTokens(t, f.token(v))
		wantError(t, f.token(refreshForm(postClient, first.str("refresh_token"))), http.StatusUnauthorized, codeInvalidClient)
	})
}

// mustAccessGrant returns the grant id of a token.
func mustAccessGrant(t *testing.T, f *fixture, tok string) string {
	t.Helper()
	tk, _, err := f.st.GetToken(context.Background(), store.Hash(tok))
	if err != nil {
		t.Fatal(err)
	}
	return tk.GrantID
}

// TestTokenRefreshErrors: a refresh token is bound to its client and grant,
// may not widen the scope, and expires. Rows that are not a reuse revoke
// nothing: the owner's refresh still works after them.
func TestTokenRefreshErrors(t *testing.T) {
	tests := []struct {
		name    string
		request func(f *fixture, tr tokenResult, code string) url.Values
		status  int
		code    string
		revokes bool
	}{
		{name: "refresh_token missing", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return with(refreshForm(publicClient, ""), url.Values{"refresh_token": nil})
		}, status: 400, code: codeInvalidRequest},
		{name: "unknown refresh token", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return refreshForm(publicClient, "hgr_"+strings.Repeat("A", 43))
		}, status: 400, code: codeInvalidGrant},
		{name: "access token as refresh token", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return refreshForm(publicClient, tr.str("access_token"))
		}, status: 400, code: codeInvalidGrant},
		{name: "authorization code as refresh token", request: func(f *fixture, tr tokenResult, code string) url.Values {
			return refreshForm(publicClient, code)
		}, status: 400, code: codeInvalidGrant},
		{name: "refresh token of another client", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return refreshForm(otherClient, tr.str("refresh_token"))
		}, status: 400, code: codeInvalidGrant},
		{name: "refresh token of another client, wider scope", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return with(refreshForm(otherClient, tr.str("refresh_token")), url.Values{"scope": {"read write admin"}})
		}, status: 400, code: codeInvalidGrant},
		{name: "widened scope", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return with(refreshForm(publicClient, tr.str("refresh_token")), url.Values{"scope": {"read write"}})
		}, status: 400, code: codeInvalidScope},
		{name: "unknown scope", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return with(refreshForm(publicClient, tr.str("refresh_token")), url.Values{"scope": {"admin"}})
		}, status: 400, code: codeInvalidScope},
		{name: "foreign resource", request: func(f *fixture, tr tokenResult, _ string) url.Values {
			return with(refreshForm(publicClient, tr.str("refresh_token")), url.Values{"resource": {"https://evil.example/mcp"}})
		}, status: 400, code: codeInvalidTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			a := f.authReq(publicClient, "read")
			code := f.code(f.hostBrowser(), a)
			tr := wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
			wantError(t, f.token(tt.request(f, tr, code)), tt.status, tt.code)
			if !f.verify(tr.str("access_token")) {
				t.Fatal("the grant was revoked")
			}
			wantTokens(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))))
		})
	}
	t.Run("expired refresh token", func(t *testing.T) {
		f := newFixture(t, nil)
		tr := f.grant(f.hostBrowser(), publicClient, "")
		f.advance(30*24*time.Hour + time.Second)
		wantError(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
	})
	t.Run("revoked grant", func(t *testing.T) {
		f := newFixture(t, nil)
		tr := f.grant(f.hostBrowser(), publicClient, "")
		if err := f.s.RevokeGrant(context.Background(), mustAccessGrant(t, f, tr.str("access_token"))); err != nil {
			t.Fatal(err)
		}
		wantError(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
	})
}

// TestTokenLifetimes: AccessTTL and RefreshTTL set expires_in and the
// tokens' expiry; the defaults are 1 hour and 30 days.
func TestTokenLifetimes(t *testing.T) {
	tests := []struct {
		name              string
		access, refresh   time.Duration
		wantAccess, wantR time.Duration
	}{
		{"defaults", 0, 0, time.Hour, 30 * 24 * time.Hour},
		{"configured", 5 * time.Minute, 2 * time.Hour, 5 * time.Minute, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.AccessTTL, c.RefreshTTL = tt.access, tt.refresh })
			issued := f.clock.Now()
			tr := f.grant(f.hostBrowser(), publicClient, "")
			if tr.body["expires_in"] != float64(tt.wantAccess/time.Second) {
				t.Fatalf("expires_in %v, want %v", tr.body["expires_in"], tt.wantAccess.Seconds())
			}
			at, _, _ := f.st.GetToken(context.Background(), store.Hash(tr.str("access_token")))
			rt, _, _ := f.st.GetToken(context.Background(), store.Hash(tr.str("refresh_token")))
			if !at.ExpiresAt.Equal(issued.Add(tt.wantAccess)) || !rt.ExpiresAt.Equal(issued.Add(tt.wantR)) {
				t.Fatalf("expiries %v, %v", at.ExpiresAt, rt.ExpiresAt)
			}
			f.advance(tt.wantAccess - time.Second)
			if !f.verify(tr.str("access_token")) {
				t.Fatal("access token refused before its expiry")
			}
			f.advance(time.Second)
			if f.verify(tr.str("access_token")) {
				t.Fatal("access token accepted at its expiry")
			}
			f.advance(tt.wantR - tt.wantAccess)
			wantError(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
		})
	}
}

// TestTokenRefreshGraceBounded: a rotated refresh token may be presented
// again (a parallel refresh) only within refreshReuseGrace of its first
// use; after that it is a reuse and the grant is revoked (issue 10, item 8).
func TestTokenRefreshGraceBounded(t *testing.T) {
	tests := []struct {
		name    string
		after   time.Duration
		allowed bool
	}{
		{"at once", 0, true},
		{"just inside the grace", refreshReuseGrace, true},
		{"just after the grace", refreshReuseGrace + time.Second, false},
		{"a day later", 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			first := f.grant(f.hostBrowser(), publicClient, "")
			second := wantTokens(t, f.token(refreshForm(publicClient, first.str("refresh_token"))))
			f.advance(tt.after)
			again := f.token(refreshForm(publicClient, first.str("refresh_token")))
			if tt.allowed {
				wantTokens(t, again)
				if !f.verify(second.str("access_token")) {
					t.Fatal("the first successor was revoked by a parallel refresh")
				}
				return
			}
			wantError(t, again, http.StatusBadRequest, codeInvalidGrant)
			if f.verify(second.str("access_token")) {
				t.Fatal("reuse after the grace did not revoke the grant")
			}
			wantError(t, f.token(refreshForm(publicClient, second.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)
		})
	}
}

// TestTokenGrantTypesEnforced: a client registered without refresh_token
// gets no refresh token and may not use one (issue 10, item 10).
func TestTokenGrantTypesEnforced(t *testing.T) {
	f := newFixture(t, nil)
	codeOnly := publicClient
	codeOnly.ID, codeOnly.GrantTypes = "client-code-only", []string{"authorization_code"}
	codeOnly.CreatedAt = f.clock.Now()
	if err := f.st.CreateClient(context.Background(), codeOnly); err != nil {
		t.Fatal(err)
	}
	a := f.authReq(codeOnly, "")
	r := f.token(exchangeForm(codeOnly, a, f.code(f.hostBrowser(), a)))
	if r.status != http.StatusOK || r.str("access_token") == "" {
		t.Fatalf("code exchange %d %v", r.status, r.body)
	}
	if _, ok := r.body["refresh_token"]; ok {
		t.Fatalf("a client without the refresh_token grant type got a refresh token: %v", r.body)
	}

	// A refresh token it somehow holds (here: one of a grant made before
	// the rule, planted in the store) is refused with unauthorized_client.
	tests := []struct {
		name   string
		client store.Client
		status int
		code   string
	}{
		{"registered without refresh_token", codeOnly, http.StatusBadRequest, codeUnauthorizedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := refreshForm(tt.client, "hgr_"+strings.Repeat("B", 43))
			wantError(t, f.token(v), tt.status, tt.code)
		})
	}
}

// TestTokenCodeLifetimeDefault: codes live 60 s by default (issue 10,
// item 11).
func TestTokenCodeLifetimeDefault(t *testing.T) {
	tests := []struct {
		name  string
		ttl   time.Duration
		valid time.Duration
	}{
		{"default", 0, time.Minute},
		{"configured", 5 * time.Minute, 5 * time.Minute},
		{"capped", time.Hour, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.CodeTTL = tt.ttl })
			a := f.authReq(publicClient, "")
			code := f.code(f.hostBrowser(), a)
			ac, err := f.st.GetAuthCode(context.Background(), store.Hash(code))
			if err != nil {
				t.Fatal(err)
			}
			if got := ac.ExpiresAt.Sub(ac.CreatedAt); got != tt.valid {
				t.Fatalf("code lives %v, want %v", got, tt.valid)
			}
			f.advance(tt.valid)
			wantError(t, f.token(exchangeForm(publicClient, a, code)), http.StatusBadRequest, codeInvalidGrant)
		})
	}
}

// TestTokenGrantAbsoluteLifetime: refreshing stops GrantTTL after the
// grant was made, however often the client refreshed (issue 10, item 11).
func TestTokenGrantAbsoluteLifetime(t *testing.T) {
	tests := []struct {
		name  string
		ttl   time.Duration
		limit time.Duration
	}{
		{"default", 0, 90 * 24 * time.Hour},
		{"configured", 3 * 24 * time.Hour, 3 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.GrantTTL = tt.ttl })
			start := f.clock.Now()
			tr := f.grant(f.hostBrowser(), publicClient, "")
			rt := tr.str("refresh_token")
			// Refresh every day, well within the idle lifetime.
			for f.clock.Now().Add(24 * time.Hour).Before(start.Add(tt.limit)) {
				f.advance(24 * time.Hour)
				tr = wantTokens(t, f.token(refreshForm(publicClient, rt)))
				rt = tr.str("refresh_token")
				tk, _, err := f.st.GetToken(context.Background(), store.Hash(rt))
				if err != nil {
					t.Fatal(err)
				}
				if tk.ExpiresAt.After(start.Add(tt.limit)) {
					t.Fatalf("refresh token expires %v, after the grant's end %v", tk.ExpiresAt, start.Add(tt.limit))
				}
			}
			f.advance(start.Add(tt.limit).Sub(f.clock.Now()))
			wantError(t, f.token(refreshForm(publicClient, rt)), http.StatusBadRequest, codeInvalidGrant)
		})
	}
}

// TestTokenRedirectURIOptional: the token request may leave out
// redirect_uri (OAuth 2.1 §10.2); one that is present must match the
// authorization request's (issue 10, item 13).
func TestTokenRedirectURIOptional(t *testing.T) {
	tests := []struct {
		name     string
		redirect []string // nil: left out
		ok       bool
	}{
		{"left out", nil, true},
		{"the same", []string{loopbackRedirect}, true},
		{"another port", []string{"http://127.0.0.1:1/callback"}, false},
		{"another path", []string{"http://127.0.0.1:51234/other"}, false},
		{"empty", []string{""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			a := f.authReq(publicClient, "")
			v := with(exchangeForm(publicClient, a, f.code(f.hostBrowser(), a)), url.Values{"redirect_uri": tt.redirect})
			if tt.redirect == nil {
				v.Del("redirect_uri")
			}
			r := f.token(v)
			if tt.ok {
				wantTokens(t, r)
			} else {
				wantError(t, r, http.StatusBadRequest, codeInvalidGrant)
			}
		})
	}
}

// TestSetLifetimes: SetLifetimes (what --code-ttl and --grant-ttl set)
// changes the lifetimes of the codes and grants a running server issues.
func TestSetLifetimes(t *testing.T) {
	f := newFixture(t, nil)
	f.s.SetLifetimes(2*time.Minute, 2*time.Hour)
	start := f.clock.Now()
	a := f.authReq(publicClient, "")
	code := f.code(f.hostBrowser(), a)
	ac, err := f.st.GetAuthCode(context.Background(), store.Hash(code))
	if err != nil {
		t.Fatal(err)
	}
	if got := ac.ExpiresAt.Sub(ac.CreatedAt); got != 2*time.Minute {
		t.Fatalf("code lives %v, want 2m", got)
	}
	tr := wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
	f.advance(90 * time.Minute)
	tr = wantTokens(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))))
	// Half an hour of the grant is left: the access token gets no more.
	if tr.body["expires_in"] != float64(30*60) {
		t.Fatalf("expires_in %v, want 1800 (the rest of the grant)", tr.body["expires_in"])
	}
	f.advance(start.Add(2 * time.Hour).Sub(f.clock.Now()))
	wantError(t, f.token(refreshForm(publicClient, tr.str("refresh_token"))), http.StatusBadRequest, codeInvalidGrant)

	f.s.SetLifetimes(0, 0)
	if f.s.cfg.CodeTTL != DefaultCodeTTL || f.s.cfg.GrantTTL != DefaultGrantTTL {
		t.Fatalf("zero lifetimes gave %v, %v, want the defaults", f.s.cfg.CodeTTL, f.s.cfg.GrantTTL)
	}
}

// TestTokenRefreshNarrowerScope: RFC 6749 §6. A refresh asking for fewer
// scopes gets an access token limited to them; the new refresh token keeps
// the grant's scope, so a later refresh may ask for all of it again. A
// wider scope is invalid_scope (issue 10, item 9).
func TestTokenRefreshNarrowerScope(t *testing.T) {
	tests := []struct {
		name, scope string
		want        []string
		code        string
	}{
		{"no scope", "", []string{"read", "write"}, ""},
		{"the same scope", "write read", []string{"read", "write"}, ""},
		{"narrower", "read", []string{"read"}, ""},
		{"narrower, repeated", "write write", []string{"write"}, ""},
		{"wider", "read write admin", nil, codeInvalidScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			first := f.grant(f.hostBrowser(), publicClient, "")
			v := refreshForm(publicClient, first.str("refresh_token"))
			if tt.scope != "" {
				v.Set("scope", tt.scope)
			}
			r := f.token(v)
			if tt.code != "" {
				wantError(t, r, http.StatusBadRequest, tt.code)
				return
			}
			wantTokens(t, r)
			if got := r.str("scope"); got != strings.Join(tt.want, " ") {
				t.Fatalf("response scope %q, want %q", got, strings.Join(tt.want, " "))
			}
			a, err := f.s.VerifyAccessToken(context.Background(), r.str("access_token"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(a.Scopes, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("access token scopes %v, want %v", a.Scopes, tt.want)
			}
			// The refresh token still carries the whole grant.
			next := wantTokens(t, f.token(refreshForm(publicClient, r.str("refresh_token"))))
			if next.str("scope") != "read write" {
				t.Fatalf("next refresh scope %q, want the grant's", next.str("scope"))
			}
		})
	}
}
