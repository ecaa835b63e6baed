package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func hspGet(t *testing.T, v *Vendor, path, token string) result {
	t.Helper()
	h := map[string]string{"Accept": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return call(t, "GET", v.APIBase+path, h, nil)
}

func TestHospitableAuthAndUser(t *testing.T) {
	v, _ := startVendor(t, NewHospitable)
	tests := []struct {
		name, token string
		want        int
	}{
		{"no token", "", 401},
		{"unknown token", "garbage", 401},
		{"PAT", HospitablePAT, 200},
		{"read-only PAT", HospitableReadOnlyPAT, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := hspGet(t, v, "/user", tt.token)
			if res.status != tt.want {
				t.Fatalf("HTTP %d, want %d: %s", res.status, tt.want, res.raw)
			}
			if tt.want == 401 && str(res.body, "message") != "Unauthenticated." {
				t.Errorf("401 body = %s", res.raw)
			}
			if tt.want == 200 && str(res.body, "data.email") == "" {
				t.Errorf("user body = %s", res.raw)
			}
		})
	}
}

func TestHospitablePaging(t *testing.T) {
	v, _ := startVendor(t, NewHospitable)
	tests := []struct {
		query          string
		status         int
		count, last    int
		next, prevNull bool
	}{
		{"", 200, 5, 1, false, true},
		{"?per_page=3", 200, 3, 2, true, true},
		{"?per_page=3&page=2", 200, 2, 2, false, false},
		{"?per_page=101", 400, 0, 0, false, false},
		{"?page=0", 400, 0, 0, false, false},
		{"?include=listings,details", 200, 5, 1, false, true},
		{"?include=reviews", 400, 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := hspGet(t, v, "/properties"+tt.query, HospitablePAT)
			if res.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", res.status, tt.status, res.raw)
			}
			if tt.status == 400 {
				// The published refusal [C: public.json, GET /properties 400].
				if num(res.body, "status_code") != 400 || str(res.body, "reason_phrase") == "" {
					t.Errorf("400 body = %s", res.raw)
				}
				return
			}
			if got := len(list(res.body, "data")); got != tt.count {
				t.Errorf("%d items, want %d", got, tt.count)
			}
			if num(res.body, "meta.last_page") != tt.last || num(res.body, "meta.total") != 5 {
				t.Errorf("meta = %v", dig(res.body, "meta"))
			}
			if next := str(res.body, "links.next"); (next != "") != tt.next || tt.next && !strings.HasPrefix(next, v.APIBase+"/properties?") {
				t.Errorf("links.next = %q", next)
			}
			if (dig(res.body, "links.prev") == nil) != tt.prevNull {
				t.Errorf("links.prev = %v", dig(res.body, "links.prev"))
			}
		})
	}
	first := list(hspGet(t, v, "/properties?include=listings", HospitablePAT).body, "data")[0]
	if str(first, "id") != HospitablePropertyID || len(list(first, "listings")) == 0 || str(first, "checkin") == "" || str(first, "timezone") == "" {
		t.Errorf("property = %v", first)
	}
	if list(hspGet(t, v, "/properties", HospitablePAT).body, "data")[0].(map[string]any)["listings"] != nil {
		t.Error("listings present without include=listings")
	}
}

func TestHospitableReservations(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	today := day(clk.Now())
	prop := "properties[]=" + HospitablePropertyID
	tests := []struct {
		name, query string
		status      int
	}{
		{"properties required", "", 400},
		{"properties must be an array", "properties=" + HospitablePropertyID, 400},
		{"unknown property", "properties[]=nope", 400},
		{"bad status", prop + "&status[]=maybe", 400},
		{"bad date_query", prop + "&date_query=arrival", 400},
		{"an include the endpoint does not list", prop + "&include=guest,reservations", 400},
		{"every listed include", prop + "&include=guest,user,financials,financialsV2,listings,properties,review", 200},
		{"default window", prop, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := hspGet(t, v, "/reservations?"+tt.query, HospitablePAT)
			if res.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", res.status, tt.status, res.raw)
			}
		})
	}
	var all []any
	for _, id := range []string{HospitablePropertyID, "7d3f0c6a-2e91-4b5d-8a47-c1f9e6b20d38", "b41e9a27-6c05-4f8d-9e13-5a2c7d0f4b86", "e2c8a5d1-9f37-4b6e-a0d4-3b7f1c9e5a02"} {
		all = append(all, list(hspGet(t, v, "/reservations?per_page=100&properties[]="+id, HospitablePAT).body, "data")...)
	}
	if len(all) == 0 {
		t.Fatal("no check-ins in the next two weeks across four properties")
	}
	for _, r := range all {
		arr, err := time.Parse(time.RFC3339, str(r, "arrival_date"))
		if err != nil {
			t.Fatal(err)
		}
		if d := day(time.Date(arr.Year(), arr.Month(), arr.Day(), 0, 0, 0, 0, time.UTC)); d.Before(today) || d.After(today.AddDate(0, 0, 14)) {
			t.Errorf("default window returned arrival %s", str(r, "arrival_date"))
		}
		if dig(r, "guest") != nil {
			t.Error("guest present without include=guest")
		}
	}
	res := hspGet(t, v, "/reservations?per_page=100&include=guest,properties,financials&start_date="+today.AddDate(0, 0, -90).Format(dateLayout)+"&end_date="+today.Format(dateLayout)+"&"+prop, HospitablePAT)
	past := list(res.body, "data")
	if len(past) == 0 {
		t.Fatalf("no past reservations: %s", res.raw)
	}
	r := past[0]
	if str(r, "guest.first_name") == "" || len(list(r, "properties")) != 1 || dig(r, "financials.host.revenue.amount") == nil {
		t.Errorf("includes missing: %v", r)
	}
	one := hspGet(t, v, "/reservations/"+str(r, "id"), HospitablePAT)
	if str(one.body, "data.id") != str(r, "id") {
		t.Errorf("get reservation: %s", one.raw)
	}
	// review is listed for the list only [C: public.json, each endpoint's includes].
	if res := hspGet(t, v, "/reservations/"+str(r, "id")+"?include=guest,review", HospitablePAT); res.status != 400 {
		t.Errorf("include=review on one reservation: HTTP %d", res.status)
	}
	byCode := hspGet(t, v, "/reservations/"+str(r, "platform_id"), HospitablePAT)
	if str(byCode.body, "data.id") != str(r, "id") {
		t.Errorf("get by platform code: %s", byCode.raw)
	}
	if res := hspGet(t, v, "/reservations/00000000-0000-4000-8000-000000000000", HospitablePAT); res.status != 404 {
		t.Errorf("unknown reservation: HTTP %d", res.status)
	}
}

func TestHospitableMessages(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	today := day(clk.Now())
	res := hspGet(t, v, "/reservations?per_page=100&properties[]="+HospitablePropertyID+"&start_date="+today.AddDate(0, 0, -20).Format(dateLayout)+"&end_date="+today.AddDate(0, 0, 40).Format(dateLayout), HospitablePAT)
	var id string
	for _, r := range list(res.body, "data") {
		if dig(r, "last_message_at") != nil {
			id = str(r, "id")
			break
		}
	}
	if id == "" {
		t.Fatalf("no reservation with messages: %s", res.raw)
	}
	if msgs := list(hspGet(t, v, "/reservations/"+id+"/messages", HospitablePAT).body, "data"); len(msgs) == 0 || str(msgs[0], "content_type") != "text/plain" {
		t.Fatalf("messages = %v", msgs)
	}
	send := func(token string, body any) result {
		return call(t, "POST", v.APIBase+"/reservations/"+id+"/messages", map[string]string{"Authorization": "Bearer " + token}, body)
	}
	tests := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"read-only token lacks message:write", HospitableReadOnlyPAT, map[string]string{"body": "hi"}, 403},
		{"body required", HospitablePAT, map[string]string{}, 400},
		{"no HTML", HospitablePAT, map[string]string{"body": "<b>hi</b>"}, 400},
		{"too many images", HospitablePAT, map[string]any{"body": "hi", "images": []string{"a", "b", "c", "d"}}, 400},
		{"sent", HospitablePAT, map[string]string{"body": "Welcome!"}, 201},
		{"second within a minute", HospitablePAT, map[string]string{"body": "Parking is free."}, 201},
		{"third within a minute is throttled", HospitablePAT, map[string]string{"body": "x"}, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(tt.token, tt.body)
			if r.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.status == 429 && r.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			// The published 400 {status_code, reason_phrase, message} [C].
			if tt.status == 400 && (num(r.body, "status_code") != 400 || str(r.body, "reason_phrase") == "" || str(r.body, "message") == "") {
				t.Errorf("400 body: %s", r.raw)
			}
			if tt.status == 201 && string(r.raw) != "{}" {
				t.Errorf("201 body %s, want the published {}", r.raw)
			}
		})
	}
	clk.Advance(time.Minute)
	if r := send(HospitablePAT, map[string]string{"body": "after a minute"}); r.status != 201 {
		t.Fatalf("after the window: HTTP %d", r.status)
	}
	if sent := v.SentMessages(); len(sent) != 3 || sent[0].ConversationID != id || sent[0].Body != "Welcome!" {
		t.Errorf("SentMessages = %+v", sent)
	}
	msgs := list(hspGet(t, v, "/reservations/"+id+"/messages", HospitablePAT).body, "data")
	if last := msgs[len(msgs)-1]; str(last, "body") != "after a minute" || str(last, "sender_type") != "host" {
		t.Errorf("last message = %v", last)
	}
}

func TestHospitableCalendarAndReviews(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	today := day(clk.Now())
	cal := hspGet(t, v, "/properties/"+HospitablePropertyID+"/calendar?start_date="+today.Format(dateLayout)+"&end_date="+today.AddDate(0, 0, 13).Format(dateLayout), HospitablePAT)
	days := list(cal.body, "data.days")
	if len(days) != 14 || str(days[0], "status.reason") == "" || str(days[0], "day") == "" {
		t.Fatalf("calendar: %s", cal.raw)
	}
	if r := hspGet(t, v, "/properties/"+HospitablePropertyID+"/calendar", HospitablePAT); r.status != 400 {
		t.Errorf("calendar without dates: HTTP %d", r.status)
	}
	rv := hspGet(t, v, "/properties/"+HospitablePropertyID+"/reviews?include=guest&per_page=50", HospitablePAT)
	items := list(rv.body, "data")
	if rv.status != 200 || len(items) == 0 || str(items[0], "guest.first_name") == "" || dig(items[0], "public.rating") == nil {
		t.Fatalf("reviews: %s", rv.raw)
	}
	if r := hspGet(t, v, "/properties/"+HospitablePropertyID+"/reviews?per_page=51", HospitablePAT); r.status != 400 {
		t.Errorf("reviews per_page 51: HTTP %d", r.status)
	}
	if r := hspGet(t, v, "/properties/"+HospitablePropertyID+"/reviews?include=guest,reservation", HospitablePAT); r.status != 400 {
		t.Errorf("include=reservation (singular): HTTP %d", r.status)
	}
	// The published Review: Airbnb and direct only, its stay as reservation{id, code, check_in,
	// check_out} with include=reservations [C].
	for _, p := range list(hspGet(t, v, "/properties?per_page=100", HospitablePAT).body, "data") {
		for _, rv := range list(hspGet(t, v, "/properties/"+str(p, "id")+"/reviews?per_page=50&include=guest,reservations", HospitablePAT).body, "data") {
			if pl := str(rv, "platform"); pl != "airbnb" && pl != "direct" {
				t.Errorf("a review from %s", pl)
			}
			if str(rv, "reservation.id") == "" || str(rv, "reservation.code") == "" || str(rv, "reservation.check_out") == "" || dig(rv, "reservation_id") != nil {
				t.Errorf("review's stay: %v", rv)
			}
		}
	}
}

// TestHospitableOAuth drives the flow with golang.org/x/oauth2 (form body, Basic or post
// auth), then checks 12 h expiry, rotation with a 60-minute grace and the 90-day refresh TTL.
func TestHospitableOAuth(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	v.SetRedirectURI("http://localhost:7777/callback")
	cfg := &oauth2.Config{
		ClientID: HospitableClientID, ClientSecret: HospitableClientSecret,
		Endpoint: oauth2.Endpoint{AuthURL: v.AuthorizeURL, TokenURL: v.TokenURL},
	}
	if r := call(t, "GET", v.AuthorizeURL+"?client_id="+HospitableClientID+"&response_type=code&redirect_uri=https://other.example/cb", nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("unregistered redirect_uri: HTTP %d", r.status)
	}
	// Only response_type=code is documented; another is a 400, not a redirect [I: Passport].
	if r := call(t, "GET", v.AuthorizeURL+"?client_id="+HospitableClientID+"&response_type=token", nil, nil); r.status != http.StatusBadRequest || str(r.body, "error") == "" {
		t.Errorf("response_type=token: HTTP %d %s", r.status, r.raw)
	}
	verifier := oauth2.GenerateVerifier()
	// No redirect_uri: the registered one is used; one-click style, no state.
	authURL := v.AuthorizeURL + "?" + url.Values{"client_id": {HospitableClientID}, "response_type": {"code"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}.Encode()
	loc := approve(t, authURL, false)
	if loc.String()[:len("http://localhost:7777/callback")] != "http://localhost:7777/callback" || loc.Query().Has("state") {
		t.Fatalf("redirect = %s", loc)
	}
	ctx := context.Background()
	if _, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption("wrong-verifier-wrong-verifier-wrong-verifier")); err == nil {
		t.Fatal("exchange with a wrong PKCE verifier succeeded")
	}
	loc = approve(t, authURL, false)
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.ExpiresIn != 43200 {
		t.Fatalf("token = %+v", tok)
	}
	if r := hspGet(t, v, "/user", tok.AccessToken); r.status != 200 {
		t.Fatalf("OAuth token on API: HTTP %d", r.status)
	}
	refresh := func(rt string) result {
		return call(t, "POST", v.TokenURL, nil, map[string]string{"client_id": HospitableClientID,
			"client_secret": HospitableClientSecret, "grant_type": "refresh_token", "refresh_token": rt})
	}
	clk.Advance(12*time.Hour + time.Second)
	if r := hspGet(t, v, "/user", tok.AccessToken); r.status != 401 {
		t.Errorf("access token after 12 h: HTTP %d", r.status)
	}
	r1 := refresh(tok.RefreshToken)
	if r1.status != 200 || str(r1.body, "refresh_token") == tok.RefreshToken || r1.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("refresh: %d %s", r1.status, r1.raw)
	}
	clk.Advance(59 * time.Minute)
	if r := refresh(tok.RefreshToken); r.status != 200 {
		t.Errorf("old refresh token within the 60-minute grace: %d %s", r.status, r.raw)
	}
	clk.Advance(2 * time.Minute)
	if r := refresh(tok.RefreshToken); r.status != 400 || str(r.body, "error") != "invalid_grant" {
		t.Errorf("old refresh token after the grace: %d %s", r.status, r.raw)
	}
	current := str(r1.body, "refresh_token")
	clk.Advance(90 * 24 * time.Hour)
	if r := refresh(current); str(r.body, "error") != "invalid_grant" {
		t.Errorf("refresh token after 90 days: %s", r.raw)
	}
	if r := call(t, "POST", v.TokenURL, nil, map[string]string{"client_id": HospitableClientID, "client_secret": "x", "grant_type": "refresh_token"}); r.status != 401 || str(r.body, "error") != "invalid_client" {
		t.Errorf("bad client: %d %s", r.status, r.raw)
	}
}

func TestHospitableHooks(t *testing.T) {
	v, _ := startVendor(t, NewHospitable)
	cfg := &oauth2.Config{ClientID: HospitableClientID, ClientSecret: HospitableClientSecret,
		Endpoint: oauth2.Endpoint{AuthURL: v.AuthorizeURL, TokenURL: v.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	loc := approve(t, v.AuthorizeURL+"?client_id="+HospitableClientID+"&response_type=code&state=abc&redirect_uri="+url.QueryEscape("https://hostgate.example/cb"), false)
	if loc.Query().Get("state") != "abc" {
		t.Errorf("state lost: %s", loc)
	}
	tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), oauth2.SetAuthURLParam("redirect_uri", "https://hostgate.example/cb"))
	if err != nil {
		t.Fatal(err)
	}
	v.ExpireAccessTokens()
	if r := hspGet(t, v, "/user", tok.AccessToken); r.status != 401 {
		t.Errorf("after ExpireAccessTokens: HTTP %d", r.status)
	}
	if r := hspGet(t, v, "/user", HospitablePAT); r.status != 200 {
		t.Errorf("PAT after ExpireAccessTokens: HTTP %d", r.status)
	}
	v.RotateRefreshTokensOutOfBand()
	if _, err := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("refresh succeeded after RotateRefreshTokensOutOfBand")
	}
	if got := v.TokenRequests(); got != 2 {
		t.Errorf("TokenRequests = %d, want 2", got)
	}
}
