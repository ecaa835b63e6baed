package sandbox

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHospitableWrites: the calendar update and the review response as the reference publishes
// them, each refusal with its status and, where the reference shows one, its reason.
func TestHospitableWrites(t *testing.T) {
	v, clk := startVendor(t, NewHospitable)
	now := clk.Now()
	today := day(now)
	date := func(n int) string { return today.AddDate(0, 0, n).Format(dateLayout) }
	calPath := "/properties/" + HospitablePropertyID + "/calendar"
	calendar := func(from, to string) []any {
		return list(hspGet(t, v, calPath+"?start_date="+from+"&end_date="+to, HospitablePAT).body, "data.days")
	}
	night := freeNight(t, calendar(date(5), date(60)), "date", func(d any) bool { return dig(d, "status.available") == true })
	var fresh, old, answered string
	reviewsPath := map[string]string{} // review id → its property's reviews path
	for _, p := range list(hspGet(t, v, "/properties?per_page=100", HospitablePAT).body, "data") {
		path := "/properties/" + str(p, "id") + "/reviews?per_page=50"
		for _, rv := range list(hspGet(t, v, path, HospitablePAT).body, "data") {
			at, _ := time.Parse(time.RFC3339, str(rv, "reviewed_at"))
			reviewsPath[str(rv, "id")] = path
			switch {
			case dig(rv, "public.response") != nil:
				answered = str(rv, "id")
			case now.Sub(at) < 30*24*time.Hour && dig(rv, "can_respond") == true:
				fresh = str(rv, "id")
			case now.Sub(at) > 30*24*time.Hour && dig(rv, "can_respond") == false:
				old = str(rv, "id")
			}
		}
	}
	if fresh == "" || old == "" || answered == "" {
		t.Fatalf("seeded reviews: fresh %q, old %q, answered %q", fresh, old, answered)
	}
	many := make([]string, 61)
	for i := range many {
		many[i] = `{"date":"` + date(100+i) + `","available":true}`
	}

	tests := []struct {
		name, method, path, token, body string
		status                          int
		reason                          string // reason_phrase of a refused write
	}{
		{"block a night", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","available":false}]}`, 202, ""},
		{"price and minimum stay, set apart", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + date(80) + `","price":{"amount":15000},"min_stay":3},{"date":"` + date(81) + `","price":{"amount":15000},"min_stay":3},{"date":"` + date(82) + `","min_stay":5}]}`, 202, ""},
		{"without calendar:write", "PUT", calPath, HospitableReadOnlyPAT, `{"dates":[{"date":"` + night + `","available":true}]}`, 403, ""},
		{"without a token", "PUT", calPath, "", `{"dates":[{"date":"` + night + `","available":true}]}`, 401, ""},
		{"unknown property", "PUT", "/properties/00000000-0000-4000-8000-000000000000/calendar", HospitablePAT, `{"dates":[{"date":"` + night + `","available":true}]}`, 404, ""},
		{"no dates", "PUT", calPath, HospitablePAT, `{}`, 400, ""},
		{"dates not a list", "PUT", calPath, HospitablePAT, `{"dates":"` + night + `"}`, 400, ""},
		{"61 dates", "PUT", calPath, HospitablePAT, `{"dates":[` + strings.Join(many, ",") + `]}`, 400, ""},
		{"a past date", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + date(-1) + `","available":true}]}`, 400, ""},
		{"not a date", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"21/05/2026","available":true}]}`, 400, ""},
		{"an amount with cents of cents", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","price":{"amount":150.5}}]}`, 400, ""},
		{"available as text", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","available":"yes"}]}`, 400, ""},
		{"available null", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","available":null}]}`, 400, ""},
		{"a minimum stay of 0", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","min_stay":0}]}`, 400, ""},
		{"a field the spec does not have", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","available":true,"note":"x"}]}`, 400, ""},
		{"a date that sets nothing", "PUT", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `"}]}`, 400, ""},
		{"not JSON", "PUT", calPath, HospitablePAT, `{"dates":[`, 400, ""},
		{"the calendar by POST", "POST", calPath, HospitablePAT, `{"dates":[{"date":"` + night + `","available":true}]}`, 405, ""},

		{"respond", "POST", "/reviews/" + fresh + "/respond", HospitablePAT, `{"response":"Thank you!"}`, 200, ""},
		{"respond again", "POST", "/reviews/" + fresh + "/respond", HospitablePAT, `{"response":"Thanks again!"}`, 403, "The review has already been responded to."},
		{"respond to an answered review", "POST", "/reviews/" + answered + "/respond", HospitablePAT, `{"response":"Thanks!"}`, 403, "The review has already been responded to."},
		{"respond after the window", "POST", "/reviews/" + old + "/respond", HospitablePAT, `{"response":"Thanks!"}`, 403, "The response window is closed."},
		{"respond without reviews:write", "POST", "/reviews/" + old + "/respond", HospitableReadOnlyPAT, `{"response":"Thanks!"}`, 403, ""},
		{"no response", "POST", "/reviews/" + old + "/respond", HospitablePAT, `{}`, 400, ""},
		{"a response of the wrong type", "POST", "/reviews/" + old + "/respond", HospitablePAT, `{"response":5}`, 400, ""},
		{"unknown review", "POST", "/reviews/00000000-0000-4000-8000-000000000000/respond", HospitablePAT, `{"response":"Thanks!"}`, 404, ""},
		{"respond by GET", "GET", "/reviews/" + fresh + "/respond", HospitablePAT, ``, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Accept": "application/json"}
			if tt.token != "" {
				h["Authorization"] = "Bearer " + tt.token
			}
			r := send(t, tt.method, v.APIBase+tt.path, h, tt.body)
			if r.status != tt.status || tt.reason != "" && str(r.body, "reason_phrase") != tt.reason {
				t.Errorf("HTTP %d %s, want %d %q", r.status, r.raw, tt.status, tt.reason)
			}
			if r.status == 202 && str(r.body, "status") != "accepted" {
				t.Errorf("202 body %s", r.raw)
			}
			// A refused request is the published {status_code, reason_phrase} [C].
			if r.status == 400 && (num(r.body, "status_code") != 400 || str(r.body, "reason_phrase") == "") {
				t.Errorf("400 without status_code and reason_phrase: %s", r.raw)
			}
		})
	}

	w := v.CalendarWrites()
	if len(w) != 3 || !slices.Equal(w[0].Dates, []string{night}) || w[0].Available == nil || *w[0].Available ||
		!slices.Equal(w[1].Dates, []string{date(80), date(81)}) || w[1].Price == nil || *w[1].Price != 150 || w[1].MinStay == nil || *w[1].MinStay != 3 ||
		!slices.Equal(w[2].Dates, []string{date(82)}) || w[2].Price != nil || w[2].MinStay == nil || *w[2].MinStay != 5 {
		t.Fatalf("writes = %+v", w)
	}
	if rr := v.ReviewReplies(); len(rr) != 1 || rr[0].ReviewID != fresh || rr[0].Text != "Thank you!" {
		t.Errorf("replies = %+v", rr)
	}
	for _, d := range calendar(night, night) {
		if dig(d, "status.available") != false || str(d, "status.reason") != "BLOCKED" || str(d, "status.source_type") != "VENDOR" {
			t.Errorf("blocked night reads %v", d)
		}
	}
	for _, d := range calendar(date(80), date(82)) {
		wantPrice, wantMin := 15000, 3
		if str(d, "date") == date(82) {
			wantPrice, wantMin = num(d, "price.amount"), 5
		}
		if num(d, "price.amount") != wantPrice || num(d, "min_stay") != wantMin {
			t.Errorf("day after the write: %v", d)
		}
	}
	for _, rv := range list(hspGet(t, v, reviewsPath[fresh], HospitablePAT).body, "data") {
		if str(rv, "id") == fresh && (str(rv, "public.response") != "Thank you!" || dig(rv, "can_respond") != false || dig(rv, "responded_at") == nil) {
			t.Errorf("review after the response: %v", rv)
		}
	}
}
