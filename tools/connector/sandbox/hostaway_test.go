package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func hostawayToken(t *testing.T, v *Vendor) string {
	t.Helper()
	r := call(t, "POST", v.TokenURL, nil, url.Values{"grant_type": {"client_credentials"},
		"client_id": {HostawayAccountID}, "client_secret": {HostawayAPIKey}, "scope": {"general"}})
	if r.status != 200 || str(r.body, "access_token") == "" {
		t.Fatalf("mint: %d %s", r.status, r.raw)
	}
	return str(r.body, "access_token")
}

func hwGet(t *testing.T, v *Vendor, path, token string) result {
	t.Helper()
	return call(t, "GET", v.APIBase+path, map[string]string{"Authorization": "Bearer " + token}, nil)
}

func TestHostawayMint(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {HostawayAccountID}, "client_secret": {HostawayAPIKey}, "scope": {"general"}}
	with := func(k, val string) url.Values {
		out := url.Values{}
		for kk, vv := range good {
			out[kk] = vv
		}
		out.Set(k, val)
		return out
	}
	tests := []struct {
		name   string
		body   any
		status int
		errStr string
	}{
		{"JSON body is refused", map[string]string{"grant_type": "client_credentials"}, 400, "invalid_request"},
		{"wrong grant", with("grant_type", "password"), 400, "unsupported_grant_type"},
		{"wrong key", with("client_secret", "nope"), 401, "invalid_client"},
		{"scope must be general", with("scope", "read"), 400, "invalid_scope"},
		{"ok", good, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "POST", v.TokenURL, nil, tt.body)
			if r.status != tt.status || str(r.body, "error") != tt.errStr {
				t.Fatalf("HTTP %d %s", r.status, r.raw)
			}
			if tt.status == 200 && (num(r.body, "expires_in") != 15897600 || str(r.body, "token_type") != "Bearer" || dig(r.body, "refresh_token") != nil) {
				t.Errorf("token body = %s", r.raw)
			}
		})
	}
}

func TestHostawayEnvelopeAndAuth(t *testing.T) {
	v, clk := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	if r := hwGet(t, v, "/listings", ""); r.status != http.StatusForbidden || str(r.body, "status") != "fail" {
		t.Fatalf("no token: %d %s", r.status, r.raw)
	}
	tok := hostawayToken(t, v)
	r := hwGet(t, v, "/listings?limit=2", tok)
	if r.status != 200 || str(r.body, "status") != "success" || num(r.body, "count") != 4 || num(r.body, "totalPages") != 2 || len(list(r.body, "result")) != 2 {
		t.Fatalf("listings: %s", r.raw)
	}
	if one := hwGet(t, v, "/listings/"+strconv.Itoa(HostawayListingID), tok); num(one.body, "result.id") != HostawayListingID {
		t.Errorf("get listing: %s", one.raw)
	}
	res := hwGet(t, v, "/reservations?limit=1", tok)
	first := list(res.body, "result")[0]
	ts := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
	if !ts.MatchString(str(first, "reservationDate")) || !ts.MatchString(str(first, "updatedOn")) {
		t.Errorf("time format: %v", first)
	}
	if p := dig(first, "isPaid"); p != 0.0 && p != 1.0 {
		t.Errorf("booleans must be 0/1, isPaid = %v", p)
	}
	if num(first, "listingMapId") == 0 || num(first, "hostawayReservationId") != num(first, "id") || num(res.body, "limit") != 100 && num(res.body, "limit") != 1 {
		t.Errorf("reservation ids: %v", first)
	}
	if len(list(first, "financeField")) != 0 {
		t.Error("financeField filled without includeResources=1")
	}
	if withRes := list(hwGet(t, v, "/reservations?limit=1&includeResources=1", tok).body, "result")[0]; len(list(withRes, "financeField")) == 0 {
		t.Error("financeField empty with includeResources=1")
	}
	v.ExpireAccessTokens()
	if r := hwGet(t, v, "/listings", tok); r.status != http.StatusForbidden {
		t.Errorf("expired token: HTTP %d, want 403", r.status)
	}
	tok = hostawayToken(t, v)
	clk.Advance(15897600 * time.Second)
	if r := hwGet(t, v, "/listings", tok); r.status != http.StatusForbidden {
		t.Errorf("token past expires_in: HTTP %d, want 403", r.status)
	}
	tok = hostawayToken(t, v)
	if r := call(t, "DELETE", v.RevokeURL+"?token="+url.QueryEscape(tok), nil, nil); r.status != 200 || str(r.body, "status") != "success" {
		t.Fatalf("revoke: %s", r.raw)
	}
	if r := hwGet(t, v, "/listings", tok); r.status != http.StatusForbidden {
		t.Errorf("revoked token: HTTP %d", r.status)
	}
}

func TestHostawayReservationPaging(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	if n := len(list(hwGet(t, v, "/reservations", tok).body, "result")); n != 100 {
		t.Errorf("default limit: %d reservations, want 100", n)
	}
	full := list(hwGet(t, v, "/reservations?limit=1000", tok).body, "result")
	if len(full) <= 100 {
		t.Fatalf("only %d reservations", len(full))
	}
	cases := []struct {
		name string
		next func(last any, offset int) string
	}{
		{"afterId cursor", func(last any, _ int) string {
			if last == nil {
				return ""
			}
			return "&afterId=" + strconv.Itoa(num(last, "id"))
		}},
		{"limit/offset", func(_ any, offset int) string { return "&offset=" + strconv.Itoa(offset) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []any
			var last any
			for i := 0; i < 100; i++ {
				page := list(hwGet(t, v, "/reservations?limit=7"+c.next(last, len(got)), tok).body, "result")
				got = append(got, page...)
				if len(page) < 7 {
					break
				}
				last = page[len(page)-1]
			}
			if len(got) != len(full) {
				t.Fatalf("paged %d, want %d", len(got), len(full))
			}
			for i := range got {
				if num(got[i], "id") != num(full[i], "id") {
					t.Fatalf("item %d: id %d, want %d", i, num(got[i], "id"), num(full[i], "id"))
				}
			}
		})
	}
	filtered := list(hwGet(t, v, "/reservations?listingId="+strconv.Itoa(HostawayListingID)+"&sortOrder=arrivalDate", tok).body, "result")
	for i, r := range filtered {
		if num(r, "listingMapId") != HostawayListingID {
			t.Errorf("listingId filter leaked %d", num(r, "listingMapId"))
		}
		if i > 0 && str(r, "arrivalDate") < str(filtered[i-1], "arrivalDate") {
			t.Errorf("sortOrder=arrivalDate out of order")
		}
	}
}

func TestHostawayRateLimit(t *testing.T) {
	v, clk := startVendor(t, NewHostaway)
	tok := hostawayToken(t, v) // request 1 of 15 from this IP
	for i := 2; i <= 15; i++ {
		if r := hwGet(t, v, "/listings", tok); r.status != 200 {
			t.Fatalf("request %d: HTTP %d", i, r.status)
		}
	}
	r := hwGet(t, v, "/listings", tok)
	if r.status != http.StatusTooManyRequests || str(r.body, "status") != "fail" || str(r.body, "message") == "" {
		t.Fatalf("16th request in 10 s: %d %s", r.status, r.raw)
	}
	if r.header.Get("Retry-After") != "" {
		t.Error("Hostaway documents no Retry-After")
	}
	clk.Advance(10 * time.Second)
	if r := hwGet(t, v, "/listings", tok); r.status != 200 {
		t.Errorf("after 10 s: HTTP %d", r.status)
	}
}

func TestHostawayInbox(t *testing.T) {
	v, clk := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	convs := list(hwGet(t, v, "/conversations?limit=3", tok).body, "result")
	if len(convs) == 0 {
		t.Fatal("no conversations")
	}
	c := convs[0]
	id := strconv.Itoa(num(c, "id"))
	byRes := list(hwGet(t, v, "/conversations?reservationId="+strconv.Itoa(num(c, "reservationId")), tok).body, "result")
	if len(byRes) != 1 || num(byRes[0], "id") != num(c, "id") {
		t.Errorf("conversation by reservationId: %v", byRes)
	}
	tests := []struct {
		name     string
		body     map[string]string
		status   int
		wantType string
	}{
		{"body required", map[string]string{}, 400, ""},
		{"bad type", map[string]string{"body": "hi", "communicationType": "fax"}, 400, ""},
		{"default is email", map[string]string{"body": "Hello"}, 200, "email"},
		{"channel", map[string]string{"body": "Via Airbnb", "communicationType": "channel"}, 200, "channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "POST", v.APIBase+"/conversations/"+id+"/messages", map[string]string{"Authorization": "Bearer " + tok}, tt.body)
			if r.status != tt.status {
				t.Fatalf("HTTP %d: %s", r.status, r.raw)
			}
			if tt.status == 200 && (str(r.body, "result.communicationType") != tt.wantType || num(r.body, "result.isIncoming") != 0) {
				t.Errorf("message = %s", r.raw)
			}
		})
	}
	sent := v.SentMessages()
	if len(sent) != 2 || sent[1].CommunicationType != "channel" || sent[1].ConversationID != id {
		t.Errorf("SentMessages = %+v", sent)
	}
	msgs := list(hwGet(t, v, "/conversations/"+id+"/messages", tok).body, "result")
	if str(msgs[len(msgs)-1], "body") != "Via Airbnb" {
		t.Errorf("last message = %v", msgs[len(msgs)-1])
	}
	today := day(clk.Now())
	cal := list(hwGet(t, v, "/listings/"+strconv.Itoa(HostawayListingID)+"/calendar?startDate="+today.Format(dateLayout)+"&endDate="+today.AddDate(0, 0, 6).Format(dateLayout), tok).body, "result")
	if len(cal) != 7 || dig(cal[0], "isAvailable") == nil {
		t.Errorf("calendar: %v", cal)
	}
	reviews := list(hwGet(t, v, "/reviews?type=guest-to-host&listingMapIds[]="+strconv.Itoa(HostawayListingID), tok).body, "result")
	if len(reviews) == 0 {
		t.Fatal("no reviews")
	}
	for _, r := range reviews {
		if str(r, "type") != "guest-to-host" || num(r, "listingMapId") != HostawayListingID {
			t.Errorf("review filter leaked: %v", r)
		}
	}
}

// TestHostawayRefusesWhatTheReferenceDoesNotAllow: a parameter of the wrong type or outside
// its published values is refused in Hostaway's error envelope (HTTP 400 [I]); an unknown
// path is a 404; a parameter the reference does not list is ignored, as a server does.
func TestHostawayRefusesWhatTheReferenceDoesNotAllow(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/reviews?type=guest", 400},
		{"/reviews?sortOrder=newest", 400},
		{"/reviews?sortBy=rating", 400},
		{"/reviews?listingMapIds[]=x1", 400},
		{"/reviews?statuses[]=written", 400},
		{"/reviews?reservationId=abc", 400},
		{"/reviews?departureDateStart=May", 400},
		{"/reviews?type=host-to-guest&sortOrder=asc&statuses[]=published", 200},
		{"/conversations?reservationId=abc", 400},
		{"/reservations?listingId=abc", 400},
		{"/reservations?afterId=abc", 400},
		{"/reservations?arrivalStartDate=2026-13-01", 400},
		{"/listings?limit=0", 400},
		{"/listings/" + strconv.Itoa(HostawayListingID) + "/calendar?startDate=tomorrow", 400},
		{"/listings?colour=blue", 200},
		{"/reviewz", 404},
		{"/listings/1", 404},
	} {
		r := hwGet(t, v, tc.path, tok)
		if r.status != tc.status || tc.status != 200 && (str(r.body, "status") != "fail" || str(r.body, "result") == "") {
			t.Errorf("%s: HTTP %d %s, want %d", tc.path, r.status, r.raw, tc.status)
		}
	}
}

// TestHostawayUnwrittenReviews: Hostaway lists a review from the moment it is due, with a null
// rating and text until the guest writes it [C]; the seed has such reviews in more than one
// status, and the written ones have no time of writing.
func TestHostawayUnwrittenReviews(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	statuses := map[string]int{}
	for _, r := range list(hwGet(t, v, "/reviews?type=guest-to-host", tok).body, "result") {
		st := str(r, "status")
		statuses[st]++
		if dig(r, "submittedAt") != nil {
			t.Errorf("submittedAt, which the published object lacks: %v", r)
		}
		if written := st == "published" || st == "submitted"; written != (dig(r, "rating") != nil) {
			t.Errorf("a %s review with rating %v", st, dig(r, "rating"))
		}
	}
	if statuses["published"] == 0 || len(statuses) < 3 {
		t.Errorf("review statuses %v; want published ones and unwritten ones of two kinds", statuses)
	}
	only := list(hwGet(t, v, "/reviews?type=guest-to-host&statuses[]=published", tok).body, "result")
	if len(only) != statuses["published"] {
		t.Errorf("statuses[]=published: %d reviews, want %d", len(only), statuses["published"])
	}
	conv := list(hwGet(t, v, "/conversations?limit=1&includeResources=1", tok).body, "result")[0]
	if msgs := list(conv, "conversationMessages"); len(msgs) != 1 || dig(conv, "Reservation.channelId") == nil {
		t.Errorf("includeResources=1: %d messages (the latest only, [C]) and Reservation %v", len(msgs), dig(conv, "Reservation"))
	}
}
