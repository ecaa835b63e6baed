package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func hxCall(t *testing.T, v *Vendor, method, path, token string, body any) result {
	t.Helper()
	return call(t, method, v.APIBase+path, map[string]string{"Authorization": "Bearer " + token}, body)
}

// hxLogin runs the browser flow and the code exchange with x/oauth2.
func hxLogin(t *testing.T, v *Vendor, scope string) *oauth2.Token {
	t.Helper()
	cfg := &oauth2.Config{ClientID: HoxtonAIClientID, ClientSecret: HoxtonAIClientSecret,
		RedirectURL: "http://127.0.0.1:5555/callback", Scopes: strings.Fields(scope),
		Endpoint: oauth2.Endpoint{AuthURL: v.AuthorizeURL, TokenURL: v.TokenURL}}
	verifier := oauth2.GenerateVerifier()
	u := cfg.AuthCodeURL("st8", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("audience", HoxtonAIAudience), oauth2.SetAuthURLParam("nonce", "n-0S6"))
	loc := approve(t, u, false)
	if loc.Query().Get("state") != "st8" {
		t.Fatalf("redirect = %s", loc)
	}
	tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestHoxtonAIOIDC(t *testing.T) {
	v, clk := startVendor(t, NewHoxtonAI)
	if !strings.HasSuffix(v.Issuer, "/") {
		t.Fatalf("issuer %q has no trailing slash", v.Issuer)
	}
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, v.Issuer) // with the slash, as docs/vendors.md says
	if err != nil {
		t.Fatal(err)
	}
	tok := hxLogin(t, v, "openid profile email offline_access")
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" || tok.RefreshToken == "" {
		t.Fatalf("want id_token and refresh_token, got %+v", tok)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: HoxtonAIClientID, Now: clk.Now}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != "n-0S6" || idt.Issuer != v.Issuer || claims.Email == "" || claims.Name == "" {
		t.Errorf("id token = %+v %+v", idt, claims)
	}
	// The access token is a JWT for the API audience, verifiable with the same JWKS.
	at, err := provider.Verifier(&oidc.Config{SkipClientIDCheck: true, Now: clk.Now}).Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(at.Audience, HoxtonAIAudience) {
		t.Errorf("access token audience = %v", at.Audience)
	}
	if r := hxCall(t, v, "GET", "/sites", tok.AccessToken, nil); r.status != 200 {
		t.Fatalf("sites: %d %s", r.status, r.raw)
	}
	if r := call(t, "GET", v.URL+"/userinfo", map[string]string{"Authorization": "Bearer " + tok.AccessToken}, nil); str(r.body, "email") == "" {
		t.Errorf("userinfo: %s", r.raw)
	}
	// Refresh: no rotation, a fresh ID token.
	refresh := func(rt string) result {
		return call(t, "POST", v.TokenURL, nil, map[string]string{"grant_type": "refresh_token",
			"client_id": HoxtonAIClientID, "client_secret": HoxtonAIClientSecret, "refresh_token": rt})
	}
	clk.Advance(24*time.Hour + time.Second)
	if r := hxCall(t, v, "GET", "/sites", tok.AccessToken, nil); r.status != 401 || str(r.body, "error") != "invalid_token" || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("access token after 24 h: %d %s", r.status, r.raw)
	}
	r := refresh(tok.RefreshToken)
	if r.status != 200 || str(r.body, "id_token") == "" || dig(r.body, "refresh_token") != nil {
		t.Fatalf("refresh: %d %s", r.status, r.raw)
	}
	if got := hxCall(t, v, "GET", "/sites", str(r.body, "access_token"), nil); got.status != 200 {
		t.Errorf("refreshed token: HTTP %d", got.status)
	}
	v.ExpireAccessTokens()
	if got := hxCall(t, v, "GET", "/sites", str(r.body, "access_token"), nil); got.status != 401 {
		t.Errorf("after ExpireAccessTokens: HTTP %d", got.status)
	}
	v.RotateRefreshTokensOutOfBand()
	if r := refresh(tok.RefreshToken); r.status != 403 || str(r.body, "error") != "invalid_grant" {
		t.Errorf("refresh after out-of-band rotation: %d %s", r.status, r.raw)
	}
	if got := v.TokenRequests(); got != 3 {
		t.Errorf("TokenRequests = %d, want 3", got)
	}
}

func TestHoxtonAITokenErrors(t *testing.T) {
	v, _ := startVendor(t, NewHoxtonAI)
	m2m := map[string]string{"grant_type": "client_credentials", "client_id": HoxtonAIM2MClientID,
		"client_secret": HoxtonAIM2MClientSecret, "audience": HoxtonAIAudience}
	with := func(k, val string) map[string]string {
		out := map[string]string{}
		for kk, vv := range m2m {
			out[kk] = vv
		}
		out[k] = val
		return out
	}
	tests := []struct {
		name    string
		body    map[string]string
		status  int
		wantErr string
	}{
		{"m2m ok", m2m, 200, ""},
		{"m2m bad secret", with("client_secret", "x"), 401, "access_denied"},
		{"m2m wrong audience", with("audience", "https://elsewhere"), 403, "access_denied"},
		{"web client may not use client_credentials", with("client_id", HoxtonAIClientID), 401, "access_denied"},
		{"web client with its secret, wrong grant", map[string]string{"grant_type": "client_credentials", "client_id": HoxtonAIClientID, "client_secret": HoxtonAIClientSecret, "audience": HoxtonAIAudience}, 403, "unauthorized_client"},
		{"bad code", map[string]string{"grant_type": "authorization_code", "client_id": HoxtonAIClientID, "client_secret": HoxtonAIClientSecret, "code": "nope"}, 403, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "POST", v.TokenURL, nil, tt.body)
			if r.status != tt.status || str(r.body, "error") != tt.wantErr {
				t.Fatalf("HTTP %d %s", r.status, r.raw)
			}
			if tt.status == 200 {
				if num(r.body, "expires_in") != 86400 || hxCall(t, v, "GET", "/sites", str(r.body, "access_token"), nil).status != 200 {
					t.Errorf("m2m token unusable: %s", r.raw)
				}
			}
		})
	}
	// PKCE verifier mismatch and missing audience.
	verifier := oauth2.GenerateVerifier()
	q := url.Values{"response_type": {"code"}, "client_id": {HoxtonAIClientID}, "redirect_uri": {"https://hostgate.example/cb"},
		"scope": {"openid"}, "state": {"s"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	loc := approve(t, v.AuthorizeURL+"?"+q.Encode(), false)
	r := call(t, "POST", v.TokenURL, nil, map[string]string{"grant_type": "authorization_code", "client_id": HoxtonAIClientID,
		"client_secret": HoxtonAIClientSecret, "code": loc.Query().Get("code"), "redirect_uri": "https://hostgate.example/cb", "code_verifier": "wrong"})
	if r.status != 403 || str(r.body, "error") != "invalid_grant" {
		t.Errorf("wrong verifier: %d %s", r.status, r.raw)
	}
	loc = approve(t, v.AuthorizeURL+"?"+q.Encode(), false)
	r = call(t, "POST", v.TokenURL, nil, map[string]string{"grant_type": "authorization_code", "client_id": HoxtonAIClientID,
		"client_secret": HoxtonAIClientSecret, "code": loc.Query().Get("code"), "redirect_uri": "https://hostgate.example/cb", "code_verifier": verifier})
	if r.status != 200 || dig(r.body, "refresh_token") != nil {
		t.Fatalf("exchange without offline_access: %d %s", r.status, r.raw)
	}
	if got := hxCall(t, v, "GET", "/sites", str(r.body, "access_token"), nil); got.status != 401 {
		t.Errorf("token without the API audience reached the API: HTTP %d", got.status)
	}
}

// TestHoxtonAIAuthorizeRefuses: an authorize request outside what the reference allows gets an
// error page (400), never a sign-in page or a redirect carrying a code.
func TestHoxtonAIAuthorizeRefuses(t *testing.T) {
	v, _ := startVendor(t, NewHoxtonAI)
	good := url.Values{"response_type": {"code"}, "client_id": {HoxtonAIClientID}, "redirect_uri": {"https://hostgate.example/cb"},
		"audience": {HoxtonAIAudience}, "scope": {"offline_access"}, "state": {"s"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
	if r := call(t, "GET", v.AuthorizeURL+"?"+good.Encode(), nil, nil); r.status != http.StatusOK {
		t.Fatalf("good request: HTTP %d", r.status)
	}
	for _, tc := range []struct{ name, param, value string }{
		{"unknown audience", "audience", "https://nope"},
		{"unknown scope", "scope", "offline_access admin"},
		{"token response type", "response_type", "token"},
		{"plain PKCE", "code_challenge_method", "plain"},
		{"unknown client", "client_id", "someone-else"},
		{"no redirect URI", "redirect_uri", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, vs := range good {
				q[k] = vs
			}
			q.Set(tc.param, tc.value)
			r := call(t, "GET", v.AuthorizeURL+"?"+q.Encode(), nil, nil)
			if r.status != http.StatusBadRequest || r.header.Get("Location") != "" || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
				t.Fatalf("HTTP %d, Location %q", r.status, r.header.Get("Location"))
			}
		})
	}
}

func m2mToken(t *testing.T, v *Vendor) string {
	t.Helper()
	r := call(t, "POST", v.TokenURL, nil, map[string]string{"grant_type": "client_credentials", "client_id": HoxtonAIM2MClientID,
		"client_secret": HoxtonAIM2MClientSecret, "audience": HoxtonAIAudience})
	return str(r.body, "access_token")
}

func TestHoxtonAIMonitors(t *testing.T) {
	v, _ := startVendor(t, NewHoxtonAI)
	tok := m2mToken(t, v)
	sites := hxCall(t, v, "GET", "/sites", tok, nil)
	var siteList []map[string]any
	if err := json.Unmarshal(sites.raw, &siteList); err != nil || len(siteList) != 2 || siteList[0]["id"] != HoxtonAISiteID {
		t.Fatalf("sites: %s", sites.raw)
	}
	var monitors []map[string]any
	_ = json.Unmarshal(hxCall(t, v, "GET", "/people-count-monitors?siteId="+HoxtonAISiteID, tok, nil).raw, &monitors)
	if len(monitors) != 2 || monitors[0]["siteId"] != HoxtonAISiteID {
		t.Fatalf("monitors: %v", monitors)
	}
	var occ []map[string]any
	_ = json.Unmarshal(hxCall(t, v, "GET", "/occupancy-monitors?siteId="+HoxtonAISiteID, tok, nil).raw, &occ)
	if len(occ) != 1 || occ[0]["capacity"] == nil {
		t.Fatalf("occupancy monitors: %v", occ)
	}
	created := hxCall(t, v, "PUT", "/people-count-monitors", tok, map[string]any{"name": "Bar Entrance", "siteId": HoxtonAISiteID, "dailyResetMin": 300})
	id := str(created.body, "id")
	if created.status != 201 || id == "" {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	tests := []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"update", "PUT", "/people-count-monitors", map[string]any{"id": id, "name": "Bar Door", "siteId": HoxtonAISiteID}, 204},
		{"siteId required", "PUT", "/people-count-monitors", map[string]any{"name": "x"}, 422},
		{"dailyResetMin range", "PUT", "/people-count-monitors", map[string]any{"name": "x", "siteId": HoxtonAISiteID, "dailyResetMin": 2000}, 422},
		{"delete", "DELETE", "/people-count-monitors/" + id, nil, 204},
		{"delete again", "DELETE", "/people-count-monitors/" + id, nil, 410},
		{"delete unknown", "DELETE", "/people-count-monitors/00000000-0000-4000-8000-000000000000", nil, 404},
		{"delete: not a uuid", "DELETE", "/people-count-monitors/nope", nil, 422},
		{"a site: not a uuid", "GET", "/sites/nope", nil, 422},
		{"a site: unknown", "GET", "/sites/00000000-0000-4000-8000-000000000000", nil, 404},
		{"monitors of a site: not a uuid", "GET", "/people-count-monitors?siteId=nope", nil, 422},
		{"unknown path", "GET", "/venues", nil, 404},
		{"no token", "GET", "/sites", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := tok
			if tt.name == "no token" {
				token = ""
			}
			if r := hxCall(t, v, tt.method, tt.path, token, tt.body); r.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tt.status, r.raw)
			}
		})
	}
}

func TestHoxtonAIReports(t *testing.T) {
	v, clk := startVendor(t, NewHoxtonAI)
	tok := m2mToken(t, v)
	today := day(clk.Now())
	var monitors []map[string]any
	_ = json.Unmarshal(hxCall(t, v, "GET", "/people-count-monitors", tok, nil).raw, &monitors)
	ids := []string{monitors[0]["id"].(string)}
	start, end := today.AddDate(0, 0, -7).Format(dateLayout), today.Format(dateLayout)
	count := hxCall(t, v, "POST", "/count-reports", tok, map[string]any{"organisationId": HoxtonAIOrganisationID,
		"startDate": start, "endDate": end, "peopleCountMonitorIds": ids})
	rows := list(count.body, "reportData")
	if count.status != 200 || str(count.body, "status") != "completed" || len(rows) != 7 || num(rows[0], "direction1Count") == 0 {
		t.Fatalf("count report: %d %s", count.status, count.raw)
	}
	if r := hxCall(t, v, "GET", "/count-reports/"+str(count.body, "countReportId"), tok, nil); len(list(r.body, "reportData")) != 7 {
		t.Errorf("get count report: %s", r.raw)
	}
	dwell := hxCall(t, v, "POST", "/dwell-time-reports", tok, map[string]any{"organisationId": HoxtonAIOrganisationID,
		"startDate": start, "endDate": end, "peopleCountMonitorIds": ids, "occupancyMonitorIds": []string{}})
	if dwell.status != 200 || str(dwell.body, "status") != "pending" || str(dwell.body, "dwellTimeReportId") == "" {
		t.Fatalf("dwell report: %d %s", dwell.status, dwell.raw)
	}
	got := hxCall(t, v, "GET", "/dwell-time-reports/"+str(dwell.body, "dwellTimeReportId"), tok, nil)
	if str(got.body, "status") != "completed" || len(list(got.body, "reportData")) != 7 {
		t.Fatalf("dwell report after GET: %s", got.raw)
	}
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		status int
	}{
		{"dwell needs organisationId", "/dwell-time-reports", map[string]any{"startDate": start, "endDate": end, "peopleCountMonitorIds": ids}, 422},
		{"organisationId not a uuid", "/dwell-time-reports", map[string]any{"organisationId": "x", "startDate": start, "endDate": end, "peopleCountMonitorIds": ids}, 422},
		{"other organisation", "/dwell-time-reports", map[string]any{"organisationId": "00000000-0000-4000-8000-000000000000", "startDate": start, "endDate": end, "peopleCountMonitorIds": ids}, 403},
		{"count needs organisationId", "/count-reports", map[string]any{"startDate": start, "endDate": end, "peopleCountMonitorIds": ids}, 422},
		{"end is exclusive and after start", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": end, "endDate": end, "peopleCountMonitorIds": ids}, 422},
		{"a time is not a date", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": start + "T00:00:00Z", "endDate": end, "peopleCountMonitorIds": ids}, 422},
		{"a member the request does not have", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": start, "endDate": end, "peopleCountMonitorIds": ids, "granularity": "day"}, 422},
		{"ids of the wrong type", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": start, "endDate": end, "peopleCountMonitorIds": "all"}, 422},
		{"range too long", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": "2024-01-01", "endDate": "2026-01-01", "peopleCountMonitorIds": ids}, 413},
		{"monitor not a uuid", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": start, "endDate": end, "peopleCountMonitorIds": []string{"nope"}}, 422},
		{"unknown monitor", "/count-reports", map[string]any{"organisationId": HoxtonAIOrganisationID, "startDate": start, "endDate": end, "peopleCountMonitorIds": []string{"00000000-0000-4000-8000-000000000000"}}, 404},
		{"not an object", "/count-reports", nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := hxCall(t, v, "POST", tt.path, tok, tt.body); r.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tt.status, r.raw)
			}
		})
	}
}
