package oauthpkce

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRevoke: RFC 7009. The client authenticates as at /token and revokes
// only its own tokens; revoking a refresh token revokes the grant (§2.1);
// an unknown or foreign token is answered 200 and left alone (§2.2).
func TestRevoke(t *testing.T) {
	f := newFixture(t, nil)
	b := f.hostBrowser()
	type pair struct{ access, refresh string }
	tests := []struct {
		name string
		// request returns the revocation request for a fresh pair of the
		// public client, and Basic credentials if any.
		request       func(p pair) (v url.Values, basicID, basicSecret string)
		status        int
		code          string
		basic         bool // WWW-Authenticate: Basic
		accessWorks   bool // the pair's access token afterwards
		refreshWorks  bool // the pair's refresh token afterwards
		confidential  bool // the pair belongs to basicClient instead
		contentTypeJS bool
	}{
		{name: "access token", status: 200, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "access token with hint access_token", status: 200, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "token_type_hint": {"access_token"}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "access token with the wrong hint", status: 200, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "token_type_hint": {"refresh_token"}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "refresh token revokes the grant", status: 200, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.refresh}, "token_type_hint": {"refresh_token"}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "refresh token without hint", status: 200, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.refresh}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "unknown token", status: 200, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {"hga_" + strings.Repeat("A", 43)}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "another client's access token", status: 200, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "client_id": {otherClient.ID}}, "", ""
		}},
		{name: "another client's refresh token", status: 200, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.refresh}, "client_id": {otherClient.ID}}, "", ""
		}},
		{name: "token missing", status: 400, code: codeInvalidRequest, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"client_id": {publicClient.ID}}, "", ""
		}},
		{name: "unsupported token_type_hint", status: 400, code: codeUnsupportedTokenType, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "token_type_hint": {"id_token"}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "unauthenticated", status: 401, code: codeInvalidClient, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}}, "", ""
		}},
		{name: "unknown client", status: 401, code: codeInvalidClient, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "client_id": {"no-such-client"}}, "", ""
		}},
		{name: "confidential client, wrong secret", status: 401, code: codeInvalidClient, basic: true, accessWorks: true, refreshWorks: true, confidential: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}}, basicClient.ID, "wrong"
		}},
		{name: "confidential client, no secret", status: 401, code: codeInvalidClient, accessWorks: true, refreshWorks: true, confidential: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.refresh}, "client_id": {basicClient.ID}}, "", ""
		}},
		{name: "confidential client revokes its refresh token", status: 200, confidential: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.refresh}}, basicClient.ID, webSecret
		}},
		{name: "repeated parameter", status: 400, code: codeInvalidRequest, accessWorks: true, refreshWorks: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access, p.refresh}, "client_id": {publicClient.ID}}, "", ""
		}},
		{name: "wrong content type", status: 400, code: codeInvalidRequest, accessWorks: true, refreshWorks: true, contentTypeJS: true, request: func(p pair) (url.Values, string, string) {
			return url.Values{"token": {p.access}, "client_id": {publicClient.ID}}, "", ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.on(t)
			client := publicClient
			if tt.confidential {
				client = basicClient
			}
			tr := f.grant(b, client, "")
			p := pair{tr.str("access_token"), tr.str("refresh_token")}
			if !f.verify(p.access) { // now cached
				t.Fatal("fresh token refused")
			}
			v, id, secret := tt.request(p)
			var r tokenResult
			if tt.contentTypeJS {
				req, _ := http.NewRequest(http.MethodPost, f.ts.URL+PathRevoke, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/json")
				r = f.do(req)
			} else {
				r = f.postForm(PathRevoke, v, id, secret)
			}
			if tt.status == http.StatusOK {
				if r.status != http.StatusOK || len(r.body) != 0 {
					t.Fatalf("got %d %v, want 200 with an empty body", r.status, r.body)
				}
			} else {
				wantError(t, r, tt.status, tt.code)
			}
			if got := strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic "); got != tt.basic {
				t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
			if got := f.verify(p.access); got != tt.accessWorks {
				t.Fatalf("access token accepted: %v, want %v", got, tt.accessWorks)
			}
			rv := refreshForm(client, p.refresh)
			id, secret = "", ""
			if tt.confidential {
				rv.Del("client_id")
				id, secret = basicClient.ID, webSecret
			}
			rr := f.postForm(PathToken, rv, id, secret)
			if got := rr.status == http.StatusOK; got != tt.refreshWorks {
				t.Fatalf("refresh: %d %v, want works=%v", rr.status, rr.body, tt.refreshWorks)
			}
			if !tt.refreshWorks && rr.str("error") != codeInvalidGrant {
				t.Fatalf("refresh after revocation: %v", rr.body)
			}
		})
	}
}

// TestRevokeClientKillsCodes: revoking an app also makes its issued,
// unredeemed authorization codes worthless (issue 10, item 12); another
// host's codes for the same app stay good.
func TestRevokeClientKillsCodes(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	code := f.code(f.hostBrowser(), a)
	ob := f.sessionFor(f.other)
	oa := f.authReq(publicClient, "")
	otherCode := f.code(ob, oa)
	if err := f.s.RevokeClient(t.Context(), f.host.ID, publicClient.ID); err != nil {
		t.Fatal(err)
	}
	wantError(t, f.token(exchangeForm(publicClient, a, code)), http.StatusBadRequest, codeInvalidGrant)
	wantTokens(t, f.token(exchangeForm(publicClient, oa, otherCode)))
}
