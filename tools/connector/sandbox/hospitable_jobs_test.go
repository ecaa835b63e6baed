package sandbox

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hspOAuthToken connects through the fake's OAuth flow and returns a vendor app's access token.
func hspOAuthToken(t *testing.T, v *Vendor) string {
	t.Helper()
	v.SetRedirectURI("http://localhost:7777/callback")
	loc := approve(t, v.AuthorizeURL+"?"+url.Values{"client_id": {HospitableClientID}, "response_type": {"code"}}.Encode(), false)
	r := call(t, "POST", v.TokenURL, nil, map[string]string{"client_id": HospitableClientID, "client_secret": HospitableClientSecret,
		"grant_type": "authorization_code", "code": loc.Query().Get("code")})
	if r.status != 200 || str(r.body, "access_token") == "" {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return str(r.body, "access_token")
}

func hspSend(t *testing.T, v *Vendor, method, path, token string, body any) result {
	t.Helper()
	return call(t, method, v.APIBase+path, map[string]string{"Authorization": "Bearer " + token}, body)
}

// The Auckland property: an offset east of UTC, its own check-in and check-out times, and a
// calendar with a same-day turn and a one-night gap.
func TestHospitableAucklandCalendar(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	p := hspGet(t, v, "/properties/"+HospitableAucklandPropertyID+"?include=listings", HospitablePAT)
	if str(p.body, "timezone") != "+1300" || str(p.body, "checkin") != "14:00" || str(p.body, "checkout") != "10:00" ||
		str(p.body, "currency") != "USD" || !strings.Contains(string(p.raw), `"platform":"direct"`) {
		t.Fatalf("property = %s", p.raw)
	}
	s := HospitableAucklandStays(clk.Now())
	if s.Before(day(clk.Now()).AddDate(0, 0, 24)) {
		t.Fatalf("first hand-laid stay %s is within 24 days", s)
	}
	cal := hspGet(t, v, "/properties/"+HospitableAucklandPropertyID+"/calendar?start_date="+s.Format(dateLayout)+
		"&end_date="+s.AddDate(0, 0, 9).Format(dateLayout), HospitablePAT)
	days := list(cal.body, "data.days")
	if len(days) != 10 {
		t.Fatalf("calendar: %s", cal.raw)
	}
	for i, d := range days {
		want := "RESERVED"
		if i == 5 {
			want = "AVAILABLE" // the one-night gap
		}
		if got := str(d, "status.reason"); got != want {
			t.Errorf("night %d (%s): %s, want %s", i, str(d, "date"), got, want)
		}
		if i == 5 && num(d, "min_stay") != 1 {
			t.Errorf("gap night min_stay %d", num(d, "min_stay"))
		}
	}
	q := url.Values{"properties[]": {HospitableAucklandPropertyID}, "start_date": {s.Format(dateLayout)},
		"end_date": {s.AddDate(0, 0, 20).Format(dateLayout)}, "include": {"guest"}, "per_page": {"100"}}
	rs := list(hspGet(t, v, "/reservations?"+q.Encode(), HospitablePAT).body, "data")
	if len(rs) != 4 {
		t.Fatalf("%d reservations after S", len(rs))
	}
	// The first stay's check-out is the second's check-in, at 10:00 and 14:00 in Auckland.
	if str(rs[0], "check_out")[:10] != str(rs[1], "check_in")[:10] || !strings.HasSuffix(str(rs[0], "check_out"), "T10:00:00+13:00") ||
		!strings.HasSuffix(str(rs[1], "check_in"), "T14:00:00+13:00") {
		t.Errorf("no same-day turn: %s then %s", str(rs[0], "check_out"), str(rs[1], "check_in"))
	}
	if str(rs[3], "reservation_status.current.category") != "request" {
		t.Errorf("the last is %v, want a request to book", dig(rs[3], "reservation_status"))
	}
}

func TestHospitablePayoutsAndTransactions(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	today := day(clk.Now()).Format(dateLayout)
	for _, tc := range []struct {
		path, token string
		status      int
	}{
		{"/payouts", HospitableNoTransactionsPAT, 403},
		{"/transactions", HospitableNoTransactionsPAT, 403},
		{"/payouts?include=reservation", HospitablePAT, 400},
		{"/transactions?include=transactions", HospitablePAT, 400},
		{"/payouts?per_page=101", HospitablePAT, 400},
		{"/payouts/00000000-0000-4000-8000-000000000000", HospitablePAT, 404},
		{"/payouts?include=transactions", HospitableReadOnlyPAT, 200},
	} {
		if r := hspGet(t, v, tc.path, tc.token); r.status != tc.status {
			t.Errorf("%s: HTTP %d, want %d: %s", tc.path, r.status, tc.status, r.raw)
		}
	}
	var payouts []any
	for pg := 1; ; pg++ {
		r := hspGet(t, v, "/payouts?include=transactions&per_page=7&page="+strconv.Itoa(pg), HospitablePAT)
		payouts = append(payouts, list(r.body, "data")...)
		if dig(r.body, "links.next") == nil {
			break
		}
	}
	if len(payouts) < 40 {
		t.Fatalf("%d payouts", len(payouts))
	}
	multi := false
	for i, po := range payouts {
		if i > 0 && str(po, "date") > str(payouts[i-1], "date") {
			t.Errorf("payouts not newest first at %d", i)
		}
		if d := str(po, "date")[:10]; d >= today {
			t.Errorf("payout dated %s, today is %s", d, today)
		}
		sum := 0
		txs := list(po, "transactions")
		for _, tx := range txs {
			sum += num(tx, "amount.amount")
			if str(tx, "currency") != str(po, "amount.currency") {
				t.Errorf("transaction in %s, payout in %s", str(tx, "currency"), str(po, "amount.currency"))
			}
		}
		if len(txs) == 0 || num(po, "amount.amount") != sum {
			t.Errorf("payout %s: %d cents, its transactions %d", str(po, "id"), num(po, "amount.amount"), sum)
		}
		multi = multi || len(txs) > 1
	}
	if !multi {
		t.Error("no payout carries two transactions")
	}
	r := hspGet(t, v, "/transactions?include=payout,reservation&per_page=100", HospitablePAT)
	txs := list(r.body, "data")
	adjustments := 0
	for _, tx := range txs {
		if str(tx, "payout.id") == "" {
			t.Errorf("transaction without its payout: %v", tx)
		}
		if dig(tx, "reservation") == nil {
			adjustments++
			continue
		}
		res := hspGet(t, v, "/reservations/"+str(tx, "reservation.id")+"?include=financials", HospitablePAT)
		if res.status != 200 || num(res.body, "data.financials.host.revenue.amount") != num(tx, "amount.amount") ||
			str(res.body, "data.platform_id") != str(tx, "reference") {
			t.Errorf("transaction %s: %d cents for reservation %s: %s", str(tx, "id"), num(tx, "amount.amount"), str(tx, "reservation.id"), res.raw)
		}
	}
	if adjustments != 1 {
		t.Errorf("%d transactions of no stay, want the one adjustment", adjustments)
	}
	one := hspGet(t, v, "/transactions/"+str(txs[0], "id")+"?include=payout", HospitablePAT)
	if str(one.body, "data.payout.id") != str(txs[0], "payout.id") {
		t.Errorf("one transaction: %s", one.raw)
	}
}

func TestHospitableInquiries(t *testing.T) {
	v, _ := startVendor(t, NewHospitable)
	all := url.Values{"include": {"guest,properties"}, "per_page": {"100"}}
	for _, p := range list(hspGet(t, v, "/properties?per_page=100", HospitablePAT).body, "data") {
		all.Add("properties[]", str(p, "id"))
	}
	if r := hspGet(t, v, "/inquiries", HospitablePAT); r.status != 400 {
		t.Errorf("without properties[]: HTTP %d", r.status)
	}
	if r := hspGet(t, v, "/inquiries?properties[]="+HospitablePropertyID+"&include=messages", HospitablePAT); r.status != 400 {
		t.Errorf("include=messages on the list: HTTP %d", r.status)
	}
	ins := list(hspGet(t, v, "/inquiries?"+all.Encode(), HospitablePAT).body, "data")
	if len(ins) != 3 {
		t.Fatalf("%d inquiries", len(ins))
	}
	byPlatform := map[string]map[string]any{}
	for _, in := range ins {
		byPlatform[str(in, "platform")] = in.(map[string]any)
		if str(in, "properties.id") == "" || str(in, "guest.first_name") == "" || str(in, "arrival_date") == "" {
			t.Errorf("inquiry %v", in)
		}
	}
	direct, booking := byPlatform["direct"], byPlatform["booking"]
	if str(direct, "properties.id") != HospitableAucklandPropertyID {
		t.Fatalf("the direct inquiry is for %s", str(direct, "properties.id"))
	}
	one := hspGet(t, v, "/inquiries/"+str(direct, "id")+"?include=messages", HospitablePAT)
	if msgs := list(one.body, "data.messages"); len(msgs) != 2 || dig(msgs[0], "reservation_id") != nil || str(msgs[0], "conversation_id") != str(direct, "id") {
		t.Fatalf("inquiry thread: %s", one.raw)
	}
	// A reservation's conversation was an inquiry: 410 with the reservation's location [C].
	rs := list(hspGet(t, v, "/reservations?properties[]="+HospitableAucklandPropertyID+"&start_date=2026-01-01&end_date=2027-12-31", HospitablePAT).body, "data")
	gone := hspGet(t, v, "/inquiries/"+str(rs[0], "conversation_id"), HospitablePAT)
	if gone.status != http.StatusGone || num(gone.body, "status_code") != 410 || !strings.HasSuffix(gone.header.Get("Location"), "/v2/reservations/"+str(rs[0], "id")) {
		t.Errorf("converted inquiry: %d %s %q", gone.status, gone.raw, gone.header.Get("Location"))
	}
	if r := hspGet(t, v, "/inquiries/00000000-0000-4000-8000-000000000000", HospitablePAT); r.status != 404 {
		t.Errorf("unknown inquiry: HTTP %d", r.status)
	}
	path := "/inquiries/" + str(direct, "id") + "/messages"
	for _, tc := range []struct {
		name, path, token string
		body              any
		status            int
	}{
		{"read-only token", path, HospitableReadOnlyPAT, map[string]string{"body": "hi"}, 403},
		{"no body", path, HospitablePAT, map[string]string{}, 400},
		{"a Booking.com thread", "/inquiries/" + str(booking, "id") + "/messages", HospitablePAT, map[string]string{"body": "hi"}, 400},
		{"now a reservation", "/inquiries/" + str(rs[0], "conversation_id") + "/messages", HospitablePAT, map[string]string{"body": "hi"}, 410},
		{"sent", path, HospitablePAT, map[string]string{"body": "Here is your quote."}, 201},
		{"second", path, HospitablePAT, map[string]string{"body": "Any questions?"}, 201},
		{"third within the minute", path, HospitablePAT, map[string]string{"body": "x"}, 429},
		{"GET is not a route", path, HospitablePAT, nil, 405},
	} {
		method := "POST"
		if tc.body == nil {
			method = "GET"
		}
		if r := hspSend(t, v, method, tc.path, tc.token, tc.body); r.status != tc.status {
			t.Errorf("%s: HTTP %d, want %d: %s", tc.name, r.status, tc.status, r.raw)
		} else if tc.name == "a Booking.com thread" && str(r.body, "reason_phrase") != "Messaging is not enabled for this Booking.com thread." {
			t.Errorf("Booking.com refusal: %s", r.raw)
		}
	}
	if sent := v.SentMessages(); len(sent) != 2 || sent[0].ConversationID != str(direct, "id") {
		t.Errorf("SentMessages = %+v", sent)
	}
	if msgs := list(hspGet(t, v, "/inquiries/"+str(direct, "id")+"?include=messages", HospitablePAT).body, "data.messages"); len(msgs) != 4 || str(msgs[3], "sender_type") != "host" {
		t.Errorf("thread after sending: %v", msgs)
	}
}

func TestHospitableQuote(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	gap := HospitableAucklandStays(clk.Now()).AddDate(0, 0, 5)
	d := func(t time.Time) string { return t.Format(dateLayout) }
	good := map[string]any{"checkin_date": d(gap), "checkout_date": d(gap.AddDate(0, 0, 1)), "guests": map[string]any{"adults": 2}}
	with := func(k string, val any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if val == nil {
			delete(m, k)
		} else {
			m[k] = val
		}
		return m
	}
	quote := "/properties/" + HospitableAucklandPropertyID + "/quote"
	for _, tc := range []struct {
		name, path, token string
		body              any
		status            int
	}{
		{"read-only token lacks quote:write", quote, HospitableReadOnlyPAT, good, 403},
		{"a property without Direct", "/properties/" + HospitablePropertyID + "/quote", HospitablePAT, good, 400},
		{"unknown property", "/properties/00000000-0000-4000-8000-000000000000/quote", HospitablePAT, good, 404},
		{"no guests", quote, HospitablePAT, with("guests", nil), 400},
		{"no adults", quote, HospitablePAT, with("guests", map[string]any{"children": 1}), 400},
		{"a booked night", quote, HospitablePAT, with("checkout_date", d(gap.AddDate(0, 0, 2))), 400},
		{"in the past", quote, HospitablePAT, with("checkin_date", "2020-01-01"), 400},
		{"too many guests", quote, HospitablePAT, with("guests", map[string]any{"adults": 6}), 400},
		{"a promo code", quote, HospitablePAT, with("promo_code", "DISCOUNT"), 400},
		{"GET is not a route", quote, HospitablePAT, nil, 405},
	} {
		method := "POST"
		if tc.body == nil {
			method = "GET"
		}
		if r := hspSend(t, v, method, tc.path, tc.token, tc.body); r.status != tc.status {
			t.Errorf("%s: HTTP %d, want %d: %s", tc.name, r.status, tc.status, r.raw)
		}
	}
	r := hspSend(t, v, "POST", quote, HospitablePAT, with("guest_details", map[string]any{"first_name": "Aroha", "last_name": "Ngata"}))
	cal := list(hspGet(t, v, "/properties/"+HospitableAucklandPropertyID+"/calendar?start_date="+d(gap)+"&end_date="+d(gap), HospitablePAT).body, "data.days")
	night := num(cal[0], "price.amount")
	total := list(r.body, "data.financials.totals.total")
	if r.status != 200 || str(r.body, "data.booking_url") == "" || str(r.body, "data.currency") != "USD" || len(total) != 1 ||
		num(total[0], "amount") != night+8500+night/10 {
		t.Errorf("quote for %d cents a night: %s", night, r.raw)
	}
}

func TestHospitableShortcodes(t *testing.T) {
	v, _ := startVendor(t, NewHospitable)
	tok := hspOAuthToken(t, v)
	res := list(hspGet(t, v, "/reservations?properties[]="+HospitablePropertyID, HospitablePAT).body, "data")[0]
	path := "/reservations/" + str(res, "id") + "/enrichment/smartlock_code"
	long := strings.Repeat("9", 256)
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"a personal token is not a vendor", "PUT", path, HospitablePAT, map[string]any{"value": "4821"}, 403},
		{"no value", "PUT", path, tok, map[string]any{}, 400},
		{"a number", "PUT", path, tok, map[string]any{"value": 4821}, 400},
		{"too long", "PUT", path, tok, map[string]any{"value": long}, 400},
		{"unknown key", "PUT", "/reservations/" + str(res, "id") + "/enrichment/door_code", tok, map[string]any{"value": "1"}, 404},
		{"by code", "PUT", "/reservations/" + str(res, "platform_id") + "/enrichment/smartlock_code", tok, map[string]any{"value": "1"}, 404},
		{"set", "PUT", path, tok, map[string]any{"value": "4821#"}, 200},
		{"POST is not a route", "POST", path, tok, map[string]any{"value": "1"}, 405},
	} {
		if r := hspSend(t, v, tc.method, tc.path, tc.token, tc.body); r.status != tc.status {
			t.Errorf("%s: HTTP %d, want %d: %s", tc.name, r.status, tc.status, r.raw)
		}
	}
	if r := hspGet(t, v, path, tok); str(r.body, "data.value") != "4821#" || str(r.body, "data.key") != "smartlock_code" {
		t.Errorf("after set: %s", r.raw)
	}
	if r := hspSend(t, v, "PUT", path, tok, map[string]any{"value": nil}); r.status != 200 || dig(r.body, "data.value") != nil {
		t.Errorf("clear: %d %s", r.status, r.raw)
	}
	if r := hspGet(t, v, "/reservations/"+str(res, "id")+"/enrichment", tok); len(list(r.body, "data")) != 4 {
		t.Errorf("list: %s", r.raw)
	}
}
