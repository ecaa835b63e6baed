package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// hostexBearerGet calls the fake with an OAuth access token, where Hostex
// takes one.
func hostexBearerGet(t *testing.T, v *Vendor, path, token string) result {
	t.Helper()
	return call(t, "GET", v.APIBase+path, map[string]string{"Authorization": "Bearer " + token}, nil)
}

func hostexGet(t *testing.T, v *Vendor, path, token string) result {
	t.Helper()
	return call(t, "GET", v.APIBase+path, map[string]string{"Hostex-Access-Token": token}, nil)
}

func TestHostexAuth(t *testing.T) {
	v, _ := startVendor(t, NewHostex)
	tests := []struct {
		name     string
		headers  map[string]string
		wantCode int
	}{
		{"no token", nil, 401},
		{"unknown token", map[string]string{"Hostex-Access-Token": "nope"}, 401},
		{"writable token", map[string]string{"Hostex-Access-Token": HostexWritableToken}, 0},
		{"read-only token reads", map[string]string{"Hostex-Access-Token": HostexReadOnlyToken}, 0},
		{"bearer fallback", map[string]string{"Authorization": "Bearer " + HostexWritableToken}, 0},
		{"lapsed subscription", map[string]string{"Hostex-Access-Token": HostexLapsedToken}, 420},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, "GET", v.APIBase+"/properties", tt.headers, nil)
			if res.status != http.StatusOK {
				t.Fatalf("HTTP %d, want 200 (Hostex errors travel in HTTP 200)", res.status)
			}
			if got := num(res.body, "error_code"); got != tt.wantCode {
				t.Errorf("error_code = %d, want %d", got, tt.wantCode)
			}
			if str(res.body, "request_id") == "" || str(res.body, "error_msg") == "" {
				t.Errorf("envelope incomplete: %s", res.raw)
			}
		})
	}
}

func TestHostexPropertiesPaging(t *testing.T) {
	v, _ := startVendor(t, NewHostex)
	tests := []struct {
		query     string
		wantCode  int
		wantCount int
	}{
		{"", 0, 4},
		{"?limit=3", 0, 3},
		{"?limit=3&offset=3", 0, 1},
		{"?offset=10", 0, 0},
		{"?id=" + strconv.Itoa(HostexPropertyID), 0, 1},
		{"?limit=101", 422, 0},
		{"?limit=abc", 422, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := hostexGet(t, v, "/properties"+tt.query, HostexReadOnlyToken)
			if got := num(res.body, "error_code"); got != tt.wantCode {
				t.Fatalf("error_code = %d, want %d: %s", got, tt.wantCode, res.raw)
			}
			if tt.wantCode != 0 {
				return
			}
			if got := len(list(res.body, "data.properties")); got != tt.wantCount {
				t.Errorf("%d properties, want %d", got, tt.wantCount)
			}
			if _, ok := dig(res.body, "data.properties").([]any); !ok {
				t.Errorf("properties is not an array: %s", res.raw)
			}
		})
	}
	res := hostexGet(t, v, "/properties", HostexReadOnlyToken)
	p := list(res.body, "data.properties")[0]
	if num(res.body, "data.total") != 4 || num(p, "id") != HostexPropertyID || str(p, "latitude") == "" {
		t.Errorf("unexpected first property or total: %s", res.raw)
	}
}

func TestHostexReservationsWindow(t *testing.T) {
	v, clk := startVendor(t, NewHostex)
	today := day(clk.Now())
	all := func(query string) []any {
		var out []any
		for offset := 0; ; offset += 100 {
			res := hostexGet(t, v, "/reservations?limit=100&offset="+strconv.Itoa(offset)+query, HostexReadOnlyToken)
			if num(res.body, "error_code") != 0 {
				t.Fatalf("error: %s", res.raw)
			}
			page := list(res.body, "data.reservations")
			out = append(out, page...)
			if len(page) < 100 {
				return out
			}
		}
	}
	def := all("")
	if len(def) == 0 {
		t.Fatal("no reservations in the default window")
	}
	for _, r := range def {
		co, _ := parseDate(str(r, "check_out_date"))
		if co.Before(today) || co.After(today.AddDate(0, 0, 180)) {
			t.Errorf("default window returned check-out %s", str(r, "check_out_date"))
		}
	}
	past := all("&start_check_out_date=" + today.AddDate(0, 0, -120).Format(dateLayout) + "&end_check_out_date=" + today.AddDate(0, 0, -1).Format(dateLayout))
	if len(past) == 0 {
		t.Fatal("no past reservations")
	}
	code := str(past[0], "reservation_code")
	one := all("&reservation_code=" + url.QueryEscape(code))
	if len(one) != 1 || str(one[0], "stay_code") != code {
		t.Errorf("lookup by reservation_code returned %d", len(one))
	}
	for _, r := range all("&status=cancelled&start_check_in_date=2000-01-01") {
		if str(r, "status") != "cancelled" {
			t.Errorf("status filter leaked %q", str(r, "status"))
		}
	}
	byProp := all("&property_id=" + strconv.Itoa(HostexPropertyID))
	for _, r := range byProp {
		if num(r, "property_id") != HostexPropertyID {
			t.Errorf("property filter leaked %d", num(r, "property_id"))
		}
	}
	if res := hostexGet(t, v, "/reservations?start_check_in_date=yesterday", HostexReadOnlyToken); num(res.body, "error_code") != 422 {
		t.Errorf("bad date: error_code %d, want 422", num(res.body, "error_code"))
	}
}

func TestHostexSendMessage(t *testing.T) {
	v, clk := startVendor(t, NewHostex)
	res := hostexGet(t, v, "/conversations?offset=0&limit=5", HostexReadOnlyToken)
	convs := list(res.body, "data.conversations")
	if len(convs) == 0 {
		t.Fatalf("no conversations: %s", res.raw)
	}
	id := str(convs[0], "id")
	send := func(token, msg string) result {
		return call(t, "POST", v.APIBase+"/conversations/"+id, map[string]string{"Hostex-Access-Token": token}, map[string]string{"message": msg})
	}
	ro := send(HostexReadOnlyToken, "hello")
	if ro.status != 200 || num(ro.body, "error_code") != 401 || str(ro.body, "error_msg") != "Not authorized for this action" {
		t.Fatalf("read-only send: HTTP %d %s", ro.status, ro.raw)
	}
	if ok := send(HostexWritableToken, "See you at 4pm!"); num(ok.body, "error_code") != 0 {
		t.Fatalf("send: %s", ok.raw)
	}
	sent := v.SentMessages()
	if len(sent) != 1 || sent[0].ConversationID != id || sent[0].Body != "See you at 4pm!" {
		t.Fatalf("SentMessages = %+v", sent)
	}
	detail := hostexGet(t, v, "/conversations/"+id, HostexReadOnlyToken)
	msgs := list(detail.body, "data.messages")
	if last := msgs[len(msgs)-1]; str(last, "content") != "See you at 4pm!" || str(last, "sender_role") != "host" {
		t.Errorf("sent message not in the thread: %v", last)
	}
	// Per-thread limit: 5 per 5 s [C]; one was sent already.
	for i := 0; i < 4; i++ {
		if r := send(HostexWritableToken, "x"); num(r.body, "error_code") != 0 {
			t.Fatalf("send %d: %s", i, r.raw)
		}
	}
	limited := send(HostexWritableToken, "x")
	if num(limited.body, "error_code") != 429 || limited.header.Get("Retry-After") == "" || limited.header.Get("X-RateLimit-Window") == "" {
		t.Fatalf("6th send in 5 s: %s %v", limited.raw, limited.header)
	}
	clk.Advance(6 * time.Second)
	if r := send(HostexWritableToken, "x"); num(r.body, "error_code") != 0 {
		t.Fatalf("after the window: %s", r.raw)
	}
	if r := send(HostexWritableToken, ""); num(r.body, "error_code") != 422 {
		t.Errorf("empty message: %s", r.raw)
	}
	// An image reads back with a display_type of the spec's enum, which has no "Image".
	img := call(t, "POST", v.APIBase+"/conversations/"+id, map[string]string{"Hostex-Access-Token": HostexWritableToken},
		map[string]string{"jpeg_base64": "/9j/4AAQSkZJRg=="})
	if num(img.body, "error_code") != 0 {
		t.Fatalf("send an image: %s", img.raw)
	}
	msgs = list(hostexGet(t, v, "/conversations/"+id, HostexReadOnlyToken).body, "data.messages")
	if last := msgs[len(msgs)-1]; str(last, "display_type") != "FileAttachment" {
		t.Errorf("an image message: %v, want display_type FileAttachment", last)
	}
}

func TestHostexReviewsAndCalendar(t *testing.T) {
	v, clk := startVendor(t, NewHostex)
	today := day(clk.Now())
	for _, status := range []string{"", "reviewed", "pending_host_review", "pending_guest_review"} {
		res := hostexGet(t, v, "/reviews?offset=0&limit=100&review_status="+status, HostexReadOnlyToken)
		if num(res.body, "error_code") != 0 {
			t.Fatalf("%q: %s", status, res.raw)
		}
		for _, r := range list(res.body, "data.reviews") {
			co, _ := parseDate(str(r, "check_out_date"))
			if co.Before(today.AddDate(0, 0, -180)) || co.After(today) {
				t.Errorf("review outside the last 180 days: %s", str(r, "check_out_date"))
			}
			if (status == "" || status == "reviewed") && (dig(r, "guest_review") == nil || dig(r, "host_review") == nil) {
				t.Errorf("reviewed item lacks a side: %v", r)
			}
		}
	}
	if res := hostexGet(t, v, "/reviews?offset=0&limit=20&start_check_out_date=2026-01-01&end_check_out_date=2026-12-31", HostexReadOnlyToken); num(res.body, "error_code") != 422 {
		t.Errorf("window over 180 days: %s", res.raw)
	}
	q := "/availabilities?property_ids=" + strconv.Itoa(HostexPropertyID) + "&start_date=" + today.Format(dateLayout) + "&end_date=" + today.AddDate(0, 0, 29).Format(dateLayout)
	res := hostexGet(t, v, q, HostexReadOnlyToken)
	days := list(list(res.body, "data.properties")[0], "availabilities")
	if len(days) != 30 {
		t.Fatalf("%d days, want 30: %s", len(days), res.raw)
	}
	if _, ok := dig(days[0], "available").(bool); !ok {
		t.Errorf("available is not a bool: %v", days[0])
	}
	if res := hostexGet(t, v, "/availabilities?property_ids=1", HostexReadOnlyToken); num(res.body, "error_code") != 422 {
		t.Errorf("missing dates: %s", res.raw)
	}
}

func TestHostexOAuth(t *testing.T) {
	v, clk := startVendor(t, NewHostex)
	tokenCall := func(body map[string]string) result {
		body["client_id"], body["client_secret"] = HostexClientID, HostexClientSecret
		return call(t, "POST", v.TokenURL, nil, body)
	}
	authURL := v.AuthorizeURL + "?" + url.Values{"client_id": {HostexClientID}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "state": {"s1"}}.Encode()
	loc := approve(t, authURL, false)
	if loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" || loc.Host != "127.0.0.1:9" {
		t.Fatalf("redirect = %s", loc)
	}
	tok := tokenCall(map[string]string{"grant_type": "authorization_code", "code": loc.Query().Get("code")})
	access, refresh := str(tok.body, "data.access_token"), str(tok.body, "data.refresh_token")
	if num(tok.body, "error_code") != 0 || access == "" || refresh == "" || num(tok.body, "data.expires_in") != 604800 {
		t.Fatalf("token: %s", tok.raw)
	}
	if again := tokenCall(map[string]string{"grant_type": "authorization_code", "code": loc.Query().Get("code")}); num(again.body, "error_code") != 401 {
		t.Errorf("code reuse: %s", again.raw)
	}
	if r := call(t, "GET", v.APIBase+"/properties", map[string]string{"Authorization": "Bearer " + access}, nil); num(r.body, "error_code") != 0 {
		t.Fatalf("OAuth token on API: %s", r.raw)
	}
	// In the personal tokens' header an OAuth token is not taken [I].
	if r := hostexGet(t, v, "/properties", access); num(r.body, "error_code") != 401 {
		t.Fatalf("OAuth token in Hostex-Access-Token: %s", r.raw)
	}
	// Refresh rotates; the old refresh token dies.
	rot := tokenCall(map[string]string{"grant_type": "refresh_token", "refresh_token": refresh})
	access2, refresh2 := str(rot.body, "data.access_token"), str(rot.body, "data.refresh_token")
	if num(rot.body, "error_code") != 0 || refresh2 == refresh || access2 == access {
		t.Fatalf("refresh: %s", rot.raw)
	}
	if old := tokenCall(map[string]string{"grant_type": "refresh_token", "refresh_token": refresh}); num(old.body, "error_code") != 401 {
		t.Errorf("old refresh token still works: %s", old.raw)
	}
	// Expiry on the injected clock: 7 days.
	clk.Advance(7*24*time.Hour + time.Second)
	if r := hostexBearerGet(t, v, "/properties", access2); num(r.body, "error_code") != 401 {
		t.Errorf("expired access token: %s", r.raw)
	}
	rot = tokenCall(map[string]string{"grant_type": "refresh_token", "refresh_token": refresh2})
	access3, refresh3 := str(rot.body, "data.access_token"), str(rot.body, "data.refresh_token")
	v.ExpireAccessTokens()
	if r := hostexBearerGet(t, v, "/properties", access3); num(r.body, "error_code") != 401 {
		t.Errorf("ExpireAccessTokens: %s", r.raw)
	}
	if r := hostexGet(t, v, "/properties", HostexWritableToken); num(r.body, "error_code") != 0 {
		t.Errorf("personal tokens must not expire: %s", r.raw)
	}
	v.RotateRefreshTokensOutOfBand()
	if r := tokenCall(map[string]string{"grant_type": "refresh_token", "refresh_token": refresh3}); num(r.body, "error_code") != 401 {
		t.Errorf("refresh after out-of-band rotation: %s", r.raw)
	}
	if got := v.TokenRequests(); got != 6 {
		t.Errorf("TokenRequests = %d, want 6", got)
	}
	if r := call(t, "POST", v.TokenURL, nil, map[string]string{"client_id": HostexClientID, "client_secret": "wrong", "grant_type": "refresh_token"}); num(r.body, "error_code") != 401 {
		t.Errorf("bad client secret: %s", r.raw)
	}
}

func TestHostexRevokeAndAuthorizeErrors(t *testing.T) {
	v, _ := startVendor(t, NewHostex)
	loc := approve(t, v.AuthorizeURL+"?"+url.Values{"client_id": {HostexClientID}, "redirect_uri": {"https://hostgate.example/cb"}}.Encode(), false)
	tok := call(t, "POST", v.TokenURL, nil, map[string]string{"client_id": HostexClientID, "client_secret": HostexClientSecret, "grant_type": "authorization_code", "code": loc.Query().Get("code")})
	access := str(tok.body, "data.access_token")
	rv := call(t, "POST", v.RevokeURL, nil, map[string]string{"client_id": HostexClientID, "client_secret": HostexClientSecret, "token": str(tok.body, "data.refresh_token")})
	if num(rv.body, "error_code") != 0 {
		t.Fatalf("revoke: %s", rv.raw)
	}
	if r := hostexBearerGet(t, v, "/properties", access); num(r.body, "error_code") != 401 {
		t.Errorf("revoking the refresh token must disconnect the access token too: %s", r.raw)
	}
	denied := approve(t, v.AuthorizeURL+"?"+url.Values{"client_id": {HostexClientID}, "redirect_uri": {"http://localhost:8080/cb"}, "state": {"z"}}.Encode(), true)
	if denied.Query().Get("error") != "access_denied" || denied.Query().Get("state") != "z" {
		t.Errorf("deny redirect = %s", denied)
	}
	for _, q := range []url.Values{
		{"client_id": {"someone-else"}, "redirect_uri": {"https://x.example/cb"}},
		{"client_id": {HostexClientID}, "redirect_uri": {"http://evil.example/cb"}},
		{"client_id": {HostexClientID}},
	} {
		if r := call(t, "GET", v.AuthorizeURL+"?"+q.Encode(), nil, nil); r.status != http.StatusBadRequest {
			t.Errorf("%v: HTTP %d, want 400 error page", q, r.status)
		}
	}
}

// The fake refuses what Hostex refuses, in its envelope (HTTP 200): an unknown path or method is
// 404 (Errors: "the path is misspelled"), a value outside a published enum, of the wrong type or
// missing where the schema requires it is a validation error, 422; a body that is not JSON is
// 400. Each row is one request hostgate could get wrong; the last column is the error_code.
func TestHostexRefusesRequestsOutsideItsReference(t *testing.T) {
	v, clk := startVendor(t, NewHostex)
	d := func(n int) string { return day(clk.Now()).AddDate(0, 0, n).Format(dateLayout) }
	listingCalendar := func(ch, listing string) map[string]any {
		return map[string]any{"start_date": d(1), "end_date": d(2), "listings": []map[string]string{{"channel_type": ch, "listing_id": listing}}}
	}
	write := map[string]string{"Hostex-Access-Token": HostexWritableToken}
	tests := []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"unknown path", "GET", "/listings", nil, 404},
		{"a known path with another method", "DELETE", "/properties", nil, 404},
		{"order_by outside its enum (created_at)", "GET", "/reservations?order_by=created_at", nil, 422},
		{"order_by in its enum", "GET", "/reservations?order_by=check_in_date", nil, 0},
		{"status outside its enum", "GET", "/reservations?status=confirmed", nil, 422},
		{"channel_type outside ChannelType", "GET", "/reservations?channel_type=direct", nil, 422},
		{"channel_type hostex_direct is a reservation channel", "GET", "/reservations?channel_type=hostex_direct", nil, 0},
		{"property_id not an integer", "GET", "/reservations?property_id=abc", nil, 422},
		{"id not an integer", "GET", "/properties?id=12111947x", nil, 422},
		{"limit over 100", "GET", "/reservations?limit=101", nil, 422},
		{"conversations without offset", "GET", "/conversations?limit=5", nil, 422},
		{"conversations without limit", "GET", "/conversations?offset=0", nil, 422},
		{"conversations with both", "GET", "/conversations?offset=0&limit=5", nil, 0},
		{"reviews without offset", "GET", "/reviews?limit=5", nil, 422},
		{"review_status outside its enum", "GET", "/reviews?offset=0&limit=5&review_status=done", nil, 422},
		{"reviews property_id not an integer", "GET", "/reviews?offset=0&limit=5&property_id=x", nil, 422},
		{"property_ids not integers", "GET", "/availabilities?property_ids=12111947,abc&start_date=" + d(1) + "&end_date=" + d(2), nil, 422},
		{"listing calendar of hostex_direct", "POST", "/listings/calendar", listingCalendar("hostex_direct", strconv.Itoa(HostexPropertyID)), 422},
		{"listing calendar of airbnb", "POST", "/listings/calendar", listingCalendar("airbnb", "53012345"), 0},
		{"listing calendar, listings of the wrong type", "POST", "/listings/calendar", map[string]any{"start_date": d(1), "end_date": d(2), "listings": "airbnb"}, 422},
		{"listing calendar, a body that is not an object", "POST", "/listings/calendar", json.RawMessage(`"x"`), 422},
		{"prices of hostex_direct", "POST", "/listings/prices", map[string]any{"channel_type": "hostex_direct", "listing_id": strconv.Itoa(HostexPropertyID),
			"prices": []map[string]any{{"start_date": d(1), "end_date": d(1), "price": 100}}}, 422},
		{"a price that is not an integer", "POST", "/listings/prices", map[string]any{"channel_type": "airbnb", "listing_id": "53012345",
			"prices": []map[string]any{{"start_date": d(1), "end_date": d(1), "price": 99.5}}}, 422},
		{"restrictions of hostex_direct", "POST", "/listings/restrictions", map[string]any{"channel_type": "hostex_direct", "listing_id": strconv.Itoa(HostexPropertyID),
			"restrictions": []map[string]any{{"start_date": d(1), "end_date": d(1), "min_stay_on_arrival": 2}}}, 422},
		{"a message of the wrong type", "POST", "/conversations/" + firstHostexConv(t, v), map[string]any{"message": 7}, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, tt.method, v.APIBase+tt.path, write, tt.body)
			if r.status != http.StatusOK || num(r.body, "error_code") != tt.want || str(r.body, "request_id") == "" {
				t.Errorf("HTTP %d %s, want error_code %d in the envelope", r.status, r.raw, tt.want)
			}
		})
	}

	// The token endpoint: a grant_type outside its enum is a validation error.
	r := call(t, "POST", v.TokenURL, nil, map[string]string{"client_id": HostexClientID, "client_secret": HostexClientSecret,
		"grant_type": "client_credentials"})
	if num(r.body, "error_code") != 422 {
		t.Errorf("grant_type client_credentials: %s, want error_code 422", r.raw)
	}
}

// firstHostexConv is the id of the fake's most recent conversation.
func firstHostexConv(t *testing.T, v *Vendor) string {
	t.Helper()
	convs := list(hostexGet(t, v, "/conversations?offset=0&limit=1", HostexReadOnlyToken).body, "data.conversations")
	if len(convs) == 0 {
		t.Fatal("no conversations")
	}
	return str(convs[0], "id")
}
