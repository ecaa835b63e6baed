package sandbox

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The fixed stays are there for every seed and clock: a same-day turn and
// one open night between two stays on HostexPropertyID, two booking
// requests and an open inquiry.
func TestHostexJobsSeed(t *testing.T) {
	for _, seed := range []int64{0, 1, 7, 42} {
		for _, now := range []time.Time{newClock().Now(), time.Date(2027, 2, 28, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 1, 0, time.UTC)} {
			t.Run(strconv.FormatInt(seed, 10)+"@"+now.Format(time.DateOnly), func(t *testing.T) {
				v := NewHostex(Options{Now: func() time.Time { return now }, Seed: seed})
				if err := v.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(v.Close)
				checkHostexJobs(t, v, day(now))
			})
		}
	}
}

func checkHostexJobs(t *testing.T, v *Vendor, today time.Time) {
	t.Helper()
	d := func(n int) string { return today.AddDate(0, 0, n).Format(dateLayout) }
	get := func(path string, q url.Values) map[string]any {
		t.Helper()
		res := hostexGet(t, v, path+"?"+q.Encode(), HostexReadOnlyToken)
		if num(res.body, "error_code") != 0 {
			t.Fatalf("%s: %s", path, res.raw)
		}
		return res.body
	}
	prop := strconv.Itoa(HostexPropertyID)
	rs := list(get("/reservations", url.Values{"property_id": {prop}, "start_check_in_date": {d(90)}, "limit": {"100"}}), "data.reservations")
	outs, ins := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		if str(r, "status") != "accepted" {
			continue
		}
		outs[str(r, "check_out_date")], ins[str(r, "check_in_date")] = true, true
	}
	if !outs[d(HostexSameDayTurn)] || !ins[d(HostexSameDayTurn)] {
		t.Errorf("no same-day turn on %s: check-outs %v, check-ins %v", d(HostexSameDayTurn), outs, ins)
	}
	if !outs[d(HostexOpenGapNight)] || !ins[d(HostexOpenGapNight+1)] {
		t.Errorf("no one-night gap on %s: check-outs %v, check-ins %v", d(HostexOpenGapNight), outs, ins)
	}
	// The calendar: reserved nights, the open night, reserved nights.
	avail := get("/availabilities", url.Values{"property_ids": {prop}, "start_date": {d(HostexOpenGapNight - 2)}, "end_date": {d(HostexOpenGapNight + 2)}})
	var open []bool
	for _, day := range list(list(avail, "data.properties")[0], "availabilities") {
		open = append(open, dig(day, "available").(bool))
	}
	if !slices.Equal(open, []bool{false, false, true, false, false}) {
		t.Errorf("nights around the gap open %v, want only the middle one", open)
	}

	// The requests, by their codes, with their conversations.
	for code, status := range map[string]string{HostexAwaitingPaymentCode: "wait_pay", HostexAwaitingAcceptanceCode: "wait_accept"} {
		r := list(get("/reservations", url.Values{"reservation_code": {code}}), "data.reservations")
		if len(r) != 1 || str(r[0], "status") != status || str(r[0], "conversation_id") == "" {
			t.Fatalf("%s: %v", code, r)
		}
		conv := get("/conversations/"+str(r[0], "conversation_id"), nil)
		if a := list(conv, "data.activities"); len(a) != 1 || str(a[0], "activity_type") != "reservation" || str(a[0], "reservation_code") != code {
			t.Errorf("%s's conversation: %v", code, a)
		}
	}
	// The open inquiry: a conversation about an inquiry, no reservation.
	conv := get("/conversations/"+HostexInquiryConversationID, nil)
	a := list(conv, "data.activities")
	if len(a) != 1 || str(a[0], "activity_type") != "inquiry" || dig(a[0], "reservation_code") != nil ||
		str(a[0], "check_in_date") != d(118) || num(a[0], "property.id") != 12590331 || len(list(conv, "data.messages")) == 0 {
		t.Errorf("the inquiry's conversation: %v", conv)
	}
	found := false
	for offset := 0; ; offset += 100 {
		page := list(get("/conversations", url.Values{"offset": {strconv.Itoa(offset)}, "limit": {"100"}}), "data.conversations")
		for _, c := range page {
			if str(c, "id") == HostexInquiryConversationID {
				found = str(c, "check_in_date") == d(118) && str(c, "check_out_date") == d(121) && str(c, "property_title") == "Jones Street Carriage House"
			}
		}
		if len(page) < 100 {
			break
		}
	}
	if !found {
		t.Error("the inquiry is not in the conversation list with its dates")
	}
}

// The reservation writes keep what they are sent, and GET /reservations
// shows it.
func TestHostexStayWrites(t *testing.T) {
	v, _ := startVendor(t, NewHostex)
	code := HostexAwaitingAcceptanceCode
	patch := func(token, path, body string) result {
		return call(t, "PATCH", v.APIBase+path, map[string]string{"Hostex-Access-Token": token}, json.RawMessage(body))
	}
	stay := func() map[string]any {
		return list(hostexGet(t, v, "/reservations?reservation_code="+code, HostexReadOnlyToken).body, "data.reservations")[0].(map[string]any)
	}
	if r := patch(HostexReadOnlyToken, "/reservations/"+code, `{"remarks":"x"}`); num(r.body, "error_code") != 401 || str(r.body, "error_msg") != "Not authorized for this action" {
		t.Errorf("read-only: %s", r.raw)
	}
	if r := patch(HostexWritableToken, "/reservations/"+code, `{"remarks":"Gate code changed","guest_name":"Yara H."}`); num(r.body, "error_code") != 0 {
		t.Fatalf("remarks: %s", r.raw)
	}
	if r := patch(HostexWritableToken, "/reservations/"+code+"/check_in_details",
		`{"lock_code":"9911","arrival_at":{"hour":22,"minute":15},"departure_at":null,"deposit":150,"lock_code_visible_after":"14:00"}`); num(r.body, "error_code") != 0 {
		t.Fatalf("check-in details: %s", r.raw)
	}
	s := stay()
	if str(s, "remarks") != "Gate code changed" || str(s, "check_in_details.lock_code") != "9911" ||
		num(s, "check_in_details.arrival_at.hour") != 22 || num(s, "check_in_details.arrival_at.minute") != 15 ||
		dig(s, "check_in_details.departure_at") != nil || num(s, "check_in_details.deposit") != 150 ||
		str(s, "check_in_details.lock_code_visible_after") != "14:00" || str(s, "guest_name") != "Yara Haddad" {
		t.Errorf("after the writes: %v", s)
	}
	// A member left out stays; null removes it.
	if r := patch(HostexWritableToken, "/reservations/"+code+"/check_in_details", `{"lock_code":null}`); num(r.body, "error_code") != 0 {
		t.Fatal(r.raw)
	}
	if s := stay(); dig(s, "check_in_details.lock_code") != nil || num(s, "check_in_details.arrival_at.hour") != 22 {
		t.Errorf("after removing the lock code: %v", dig(s, "check_in_details"))
	}
	for _, tc := range []struct {
		path, body string
		want       int
	}{
		{"/reservations/" + code, `{"remarks":null}`, 422},
		{"/reservations/" + code, `{"check_in_date":"tomorrow"}`, 422},
		{"/reservations/" + code, `{"rate_amount":1000000}`, 422},
		{"/reservations/" + code, `[1]`, 400},
		{"/reservations/" + code + "/check_in_details", `{"arrival_at":{"hour":"9","minute":0}}`, 422},
		{"/reservations/" + code + "/check_in_details", `{"arrival_at":"21:00"}`, 422},
		{"/reservations/" + code + "/check_in_details", `{"deposit":1.5}`, 422},
		{"/reservations/" + code + "/check_in_details/more", `{}`, 404},
	} {
		if r := patch(HostexWritableToken, tc.path, tc.body); num(r.body, "error_code") != tc.want {
			t.Errorf("%s %s: %s, want error_code %d", tc.path, tc.body, r.raw, tc.want)
		}
	}
}
