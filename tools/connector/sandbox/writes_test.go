package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// send makes a request whose body is raw text, for bodies that are not (or not quite) JSON.
func send(t *testing.T, method, u string, headers map[string]string, body string) result {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &res.body)
	return res
}

// freeNight is the first night from offset days on that the GET returns as available.
func freeNight(t *testing.T, days []any, dateKey string, open func(any) bool) string {
	t.Helper()
	for _, d := range days {
		if open(d) {
			return str(d, dateKey)
		}
	}
	t.Fatal("no free night")
	return ""
}

func TestHostexWrites(t *testing.T) {
	v, clk := startVendor(t, NewHostex)
	today := day(clk.Now())
	date := func(n int) string { return today.AddDate(0, 0, n).Format(dateLayout) }
	prop := strconv.Itoa(HostexPropertyID)
	avail := func() []any {
		r := hostexGet(t, v, "/availabilities?property_ids="+prop+"&start_date="+date(5)+"&end_date="+date(60), HostexReadOnlyToken)
		return list(list(r.body, "data.properties")[0], "availabilities")
	}
	night := freeNight(t, avail(), "date", func(d any) bool { return dig(d, "available") == true })
	var code string // a guest's review that has neither the host's review nor a reply
	for _, rv := range list(hostexGet(t, v, "/reviews?offset=0&limit=100&review_status=pending_host_review", HostexReadOnlyToken).body, "data.reviews") {
		if dig(rv, "host_reply") == nil {
			code = str(rv, "reservation_code")
		}
	}
	if code == "" {
		t.Fatal("no unanswered review awaiting the host")
	}
	pending := str(list(hostexGet(t, v, "/reviews?offset=0&limit=100&review_status=pending_guest_review", HostexReadOnlyToken).body, "data.reviews")[0], "reservation_code")

	tests := []struct {
		name, method, path, token, body string
		code                            int // error_code; HTTP is always 200
	}{
		{"block a night", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"start_date":"` + night + `","end_date":"` + night + `","available":false}`, 0},
		{"dates instead of a range", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"dates":["` + date(90) + `"],"available":true}`, 0},
		{"read-only token", "POST", "/availabilities", HostexReadOnlyToken, `{"property_ids":[` + prop + `],"dates":["` + date(90) + `"],"available":true}`, 401},
		{"no property_ids", "POST", "/availabilities", HostexWritableToken, `{"dates":["` + date(90) + `"],"available":true}`, 422},
		{"property_ids of strings", "POST", "/availabilities", HostexWritableToken, `{"property_ids":["` + prop + `"],"dates":["` + date(90) + `"],"available":true}`, 422},
		{"no available", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"dates":["` + date(90) + `"]}`, 422},
		{"available not a boolean", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"dates":["` + date(90) + `"],"available":"no"}`, 422},
		{"no dates", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"start_date":"` + date(90) + `","available":true}`, 422},
		{"a start in the past", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"start_date":"` + date(-1) + `","end_date":"` + date(2) + `","available":true}`, 422},
		{"an end beyond three years", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"start_date":"` + date(2) + `","end_date":"` + date(1100) + `","available":true}`, 422},
		{"an end before the start", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[` + prop + `],"start_date":"` + date(5) + `","end_date":"` + date(2) + `","available":true}`, 422},
		{"unknown property", "POST", "/availabilities", HostexWritableToken, `{"property_ids":[777],"dates":["` + date(90) + `"],"available":true}`, 404},
		{"not JSON", "POST", "/availabilities", HostexWritableToken, `{"property_ids":`, 400},

		{"price a listing", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"booking_site","listing_id":"8810234","prices":[{"start_date":"` + night + `","end_date":"` + night + `","price":250}]}`, 0},
		{"a price with cents", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"booking_site","listing_id":"8810234","prices":[{"start_date":"` + night + `","end_date":"` + night + `","price":99.5}]}`, 422},
		{"hostex_direct is no listing channel", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"hostex_direct","listing_id":"` + prop + `","prices":[{"start_date":"` + night + `","end_date":"` + night + `","price":250}]}`, 422},
		{"listing_id a number", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"airbnb","listing_id":53012345,"prices":[{"start_date":"` + night + `","end_date":"` + night + `","price":250}]}`, 422},
		{"no prices", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"airbnb","listing_id":"53012345"}`, 422},
		{"a price without a price", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"airbnb","listing_id":"53012345","prices":[{"start_date":"` + night + `","end_date":"` + night + `"}]}`, 422},
		{"unknown listing", "POST", "/listings/prices", HostexWritableToken, `{"channel_type":"airbnb","listing_id":"1","prices":[{"start_date":"` + night + `","end_date":"` + night + `","price":250}]}`, 404},
		{"prices with a read-only token", "POST", "/listings/prices", HostexReadOnlyToken, `{"channel_type":"airbnb","listing_id":"53012345","prices":[{"start_date":"` + night + `","end_date":"` + night + `","price":250}]}`, 401},
		{"prices by GET", "GET", "/listings/prices", HostexWritableToken, ``, 404},

		{"set a minimum stay", "POST", "/listings/restrictions", HostexWritableToken, `{"channel_type":"booking_site","listing_id":"8810234","restrictions":[{"start_date":"` + night + `","end_date":"` + night + `","min_stay_on_arrival":3}]}`, 0},
		{"a minimum stay as text", "POST", "/listings/restrictions", HostexWritableToken, `{"channel_type":"booking_site","listing_id":"8810234","restrictions":[{"start_date":"` + night + `","end_date":"` + night + `","min_stay_on_arrival":"3"}]}`, 422},
		{"a minimum stay of 0", "POST", "/listings/restrictions", HostexWritableToken, `{"channel_type":"booking_site","listing_id":"8810234","restrictions":[{"start_date":"` + night + `","end_date":"` + night + `","min_stay_on_arrival":0}]}`, 422},
		{"restrictions in the past", "POST", "/listings/restrictions", HostexWritableToken, `{"channel_type":"booking_site","listing_id":"8810234","restrictions":[{"start_date":"` + date(-3) + `","end_date":"` + date(-2) + `","min_stay_on_arrival":2}]}`, 422},
		{"the listing calendar refuses hostex_direct", "POST", "/listings/calendar", HostexReadOnlyToken, `{"start_date":"` + date(1) + `","end_date":"` + date(2) + `","listings":[{"channel_type":"hostex_direct","listing_id":"` + prop + `"}]}`, 422},

		{"reply to a review", "POST", "/reviews/" + code, HostexWritableToken, `{"host_reply_content":"Thank you!"}`, 0},
		{"a second reply", "POST", "/reviews/" + code, HostexWritableToken, `{"host_reply_content":"Thanks again!"}`, 409},
		{"reply with a read-only token", "POST", "/reviews/" + code, HostexReadOnlyToken, `{"host_reply_content":"Thank you!"}`, 401},
		{"review the guest", "POST", "/reviews/" + code, HostexWritableToken, `{"host_review_score":5,"host_review_content":"A lovely guest."}`, 0},
		{"nothing to post", "POST", "/reviews/" + code, HostexWritableToken, `{}`, 422},
		{"a score over 5", "POST", "/reviews/" + pending, HostexWritableToken, `{"host_review_score":7}`, 422},
		{"a reply of the wrong type", "POST", "/reviews/" + pending, HostexWritableToken, `{"host_reply_content":42}`, 422},
		{"a reply before the guest's review", "POST", "/reviews/" + pending, HostexWritableToken, `{"host_reply_content":"Thanks!"}`, 422},
		{"unknown reservation", "POST", "/reviews/0-NOPE-abcdef", HostexWritableToken, `{"host_reply_content":"Thanks!"}`, 404},
		{"a review by GET", "GET", "/reviews/" + code, HostexWritableToken, ``, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, tt.method, v.APIBase+tt.path, map[string]string{"Hostex-Access-Token": tt.token}, tt.body)
			if r.status != 200 || dig(r.body, "error_code") == nil || num(r.body, "error_code") != tt.code {
				t.Errorf("HTTP %d %s, want error_code %d", r.status, r.raw, tt.code)
			}
		})
	}

	w := v.CalendarWrites()
	if len(w) != 4 {
		t.Fatalf("%d writes, want the 4 accepted: %+v", len(w), w)
	}
	if w[0].Property != prop || w[0].Listing != "" || !slices.Equal(w[0].Dates, []string{night}) || w[0].Available == nil || *w[0].Available ||
		!slices.Equal(w[1].Dates, []string{date(90)}) || w[1].Available == nil || !*w[1].Available ||
		w[2].Listing != "booking_site:8810234" || w[2].Property != prop || w[2].Price == nil || *w[2].Price != 250 ||
		w[3].Listing != "booking_site:8810234" || w[3].MinStay == nil || *w[3].MinStay != 3 {
		t.Errorf("writes = %+v", w)
	}
	if rr := v.ReviewReplies(); len(rr) != 1 || rr[0].ReviewID != code || rr[0].Text != "Thank you!" {
		t.Errorf("replies = %+v", rr)
	}

	// What the fake serves afterwards.
	for _, d := range avail() {
		if str(d, "date") == night && (dig(d, "available") != false || str(d, "remarks") != "") {
			t.Errorf("blocked night reads %v", d)
		}
	}
	lc := call(t, "POST", v.APIBase+"/listings/calendar", map[string]string{"Hostex-Access-Token": HostexReadOnlyToken},
		map[string]any{"start_date": night, "end_date": night, "listings": []map[string]string{{"channel_type": "booking_site", "listing_id": "8810234"}}})
	cal := list(list(lc.body, "data.listings")[0], "calendar")
	if len(cal) != 1 || num(cal[0], "price") != 250 || num(cal[0], "inventory") != 0 || num(cal[0], "restrictions.min_stay_on_arrival") != 3 {
		t.Errorf("listing calendar after the writes: %s", lc.raw)
	}
	other := call(t, "POST", v.APIBase+"/listings/calendar", map[string]string{"Hostex-Access-Token": HostexReadOnlyToken},
		map[string]any{"start_date": night, "end_date": night, "listings": []map[string]string{{"channel_type": "airbnb", "listing_id": "53012345"}}})
	if p := num(list(list(other.body, "data.listings")[0], "calendar")[0], "price"); p == 250 {
		t.Error("a price written to one listing changed another")
	}
	for _, rv := range list(hostexGet(t, v, "/reviews?limit=100&review_status=reviewed&reservation_code="+code, HostexReadOnlyToken).body, "data.reviews") {
		if str(rv, "host_reply.content") != "Thank you!" || str(rv, "host_review.content") != "A lovely guest." {
			t.Errorf("review after the writes: %v", rv)
		}
	}
}

func TestHostawayWrites(t *testing.T) {
	v, clk := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	today := day(clk.Now())
	date := func(n int) string { return today.AddDate(0, 0, n).Format(dateLayout) }
	calPath := "/listings/" + strconv.Itoa(HostawayListingID) + "/calendar"
	calendar := func(from, to string) []any {
		return list(hwGet(t, v, calPath+"?startDate="+from+"&endDate="+to, tok).body, "result")
	}
	night := freeNight(t, calendar(date(5), date(60)), "date", func(d any) bool { return num(d, "isAvailable") == 1 })

	tests := []struct {
		name, method, path, token, body string
		status                          int
		days                            int // affected days in a success
	}{
		{"block a night", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":0}`, 200, 1},
		{"price and minimum stay", "PUT", calPath, tok, `{"startDate":"` + date(80) + `","endDate":"` + date(82) + `","price":199.5,"minimumStay":3}`, 200, 3},
		{"booleans as true/false", "PUT", calPath, tok, `{"startDate":"` + date(90) + `","endDate":"` + date(90) + `","isAvailable":true}`, 200, 1},
		{"no token", "PUT", calPath, "", `{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":1}`, 403, 0},
		{"unknown listing", "PUT", "/listings/1/calendar", tok, `{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":1}`, 404, 0},
		{"no startDate", "PUT", calPath, tok, `{"endDate":"` + night + `","isAvailable":1}`, 400, 0},
		{"no endDate", "PUT", calPath, tok, `{"startDate":"` + night + `","isAvailable":1}`, 400, 0},
		{"an end before the start", "PUT", calPath, tok, `{"startDate":"` + date(9) + `","endDate":"` + date(8) + `","isAvailable":1}`, 400, 0},
		{"a start in the past", "PUT", calPath, tok, `{"startDate":"` + date(-2) + `","endDate":"` + date(2) + `","isAvailable":1}`, 400, 0},
		{"isAvailable as text", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":"no"}`, 400, 0},
		{"isAvailable 2", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":2}`, 400, 0},
		{"a minimum stay of 0", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","minimumStay":0}`, 400, 0},
		{"a fractional minimum stay", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","minimumStay":2.5}`, 400, 0},
		{"a negative price", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","price":-1}`, 400, 0},
		{"a price as text", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","price":"100"}`, 400, 0},
		{"nothing to update", "PUT", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `"}`, 400, 0},
		{"a list body (the batch endpoint's shape)", "PUT", calPath, tok, `[{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":1}]`, 400, 0},
		{"the calendar by POST", "POST", calPath, tok, `{"startDate":"` + night + `","endDate":"` + night + `","isAvailable":1}`, 405, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, tt.method, v.APIBase+tt.path, map[string]string{"Authorization": "Bearer " + tt.token}, tt.body)
			if r.status != tt.status {
				t.Fatalf("HTTP %d %s, want %d", r.status, r.raw, tt.status)
			}
			want := "success"
			if tt.status != 200 {
				want = "fail"
			}
			if str(r.body, "status") != want || tt.days > 0 && len(list(r.body, "result")) != tt.days {
				t.Errorf("body %s", r.raw)
			}
		})
	}
	w := v.CalendarWrites()
	if len(w) != 3 || !slices.Equal(w[0].Dates, []string{night}) || w[0].Available == nil || *w[0].Available ||
		len(w[1].Dates) != 3 || w[1].Price == nil || *w[1].Price != 199.5 || w[1].MinStay == nil || *w[1].MinStay != 3 || w[1].Available != nil ||
		w[2].Available == nil || !*w[2].Available || w[0].Property != strconv.Itoa(HostawayListingID) {
		t.Fatalf("writes = %+v", w)
	}
	if d := calendar(night, night)[0]; num(d, "isAvailable") != 0 || str(d, "status") != "blocked" {
		t.Errorf("blocked night reads %v", d)
	}
	for _, d := range calendar(date(80), date(82)) {
		if dig(d, "price") != 199.5 || num(d, "minimumStay") != 3 {
			t.Errorf("day after the write: %v", d)
		}
	}
}
