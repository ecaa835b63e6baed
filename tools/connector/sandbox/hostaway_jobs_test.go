package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

func hwSend(t *testing.T, v *Vendor, method, path, token string, body any) result {
	t.Helper()
	return call(t, method, v.APIBase+path, map[string]string{"Authorization": "Bearer " + token}, body)
}

// The seed has, on the Seattle listing (America/Los_Angeles, west of UTC), a same-day turn and
// a one-night gap the calendar shows open between reserved nights, within the next 30 days,
// whatever the day: the stays' plan is fixed by the seed, and a lone free night is never
// blocked.
func TestHostawaySeedHasTurnsAndGaps(t *testing.T) {
	for _, offset := range []int{0, 1, 9, 40, 133, 250} {
		clk := newClock()
		clk.Advance(time.Duration(offset) * 24 * time.Hour)
		v := NewHostaway(Options{Now: clk.Now})
		if err := v.Start(); err != nil {
			t.Fatal(err)
		}
		v.SetRateLimiting(false)
		tok := hostawayToken(t, v)
		today := day(clk.Now())
		l := hwGet(t, v, "/listings/43055", tok)
		if str(l.body, "result.timeZoneName") != "America/Los_Angeles" || num(l.body, "result.checkInTimeStart") != 15 || num(l.body, "result.checkOutTime") != 10 {
			t.Fatalf("Seattle listing: %s", l.raw)
		}
		end := today.AddDate(0, 0, 30)
		res := list(hwGet(t, v, "/reservations?limit=1000&listingId=43055&arrivalStartDate="+today.Format(dateLayout)+
			"&arrivalEndDate="+end.Format(dateLayout), tok).body, "result")
		ins, outs := map[string]bool{}, map[string]bool{}
		for _, r := range res {
			if str(r, "status") == "new" {
				ins[str(r, "arrivalDate")], outs[str(r, "departureDate")] = true, true
			}
		}
		cal := list(hwGet(t, v, "/listings/43055/calendar?startDate="+today.Format(dateLayout)+"&endDate="+end.Format(dateLayout), tok).body, "result")
		turn, gap := false, false
		for d := range outs {
			turn = turn || ins[d]
		}
		for i := 1; i+1 < len(cal); i++ {
			if str(cal[i], "status") == "available" && str(cal[i-1], "status") == "reserved" && str(cal[i+1], "status") == "reserved" &&
				outs[str(cal[i], "date")] && ins[str(cal[i+1], "date")] {
				gap = true
			}
		}
		if !turn || !gap {
			t.Errorf("day +%d: same-day turn %v, open one-night gap %v", offset, turn, gap)
		}
		v.Close()
	}
}

// Inquiries are reservations in inquiry statuses with a thread; they do not block the
// calendar [C].
func TestHostawayInquiries(t *testing.T) {
	v, clk := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	seen := map[string]bool{}
	for _, r := range list(hwGet(t, v, "/reservations?limit=1000", tok).body, "result") {
		st := str(r, "status")
		if st != "inquiry" && st != "inquiryPreapproved" && st != "unconfirmed" && st != "inquiryTimedout" {
			continue
		}
		seen[st] = true
		id := strconv.Itoa(num(r, "id"))
		if c := list(hwGet(t, v, "/conversations?reservationId="+id, tok).body, "result"); len(c) != 1 {
			t.Errorf("inquiry %s has %d threads", id, len(c))
		}
		cal := list(hwGet(t, v, "/listings/"+strconv.Itoa(num(r, "listingMapId"))+"/calendar?startDate="+str(r, "arrivalDate")+
			"&endDate="+str(r, "arrivalDate"), tok).body, "result")
		for _, d := range cal {
			for _, x := range list(d, "reservations") {
				if num(x, "id") == num(r, "id") {
					t.Errorf("inquiry %s holds %s in the calendar", id, str(d, "date"))
				}
			}
		}
		if b, _ := time.Parse("2006-01-02 15:04:05", str(r, "reservationDate")); !b.Before(clk.Now()) {
			t.Errorf("inquiry %s received in the future", id)
		}
	}
	if len(seen) != 4 {
		t.Errorf("inquiry statuses %v", seen)
	}
}

// A reservation update replaces what an update takes [I]: what the body leaves out is cleared,
// so a client must send the reservation back whole. The listing and, in the fake, the dates
// cannot change; a member of the wrong type is refused.
func TestHostawayStayUpdate(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	var r map[string]any
	for _, x := range list(hwGet(t, v, "/reservations?limit=1000", tok).body, "result") {
		if str(x, "doorCodeInstruction") != "" {
			r = x.(map[string]any)
		}
	}
	if r == nil {
		t.Fatal("no seeded stay with door code instructions")
	}
	path := "/reservations/" + strconv.Itoa(num(r, "id"))
	other := 41287
	if num(r, "listingMapId") == other {
		other = 43055
	}
	dates := map[string]any{"arrivalDate": r["arrivalDate"], "departureDate": r["departureDate"]}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, x := range dates {
			m[k] = x
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"no dates", map[string]any{"hostNote": "x"}},
		{"moved", with("arrivalDate", "2030-01-01")},
		{"another listing", with("listingMapId", other)},
		{"an hour of 24", with("checkInTime", 24)},
		{"a flag of 2", with("isPaid", 2)},
		{"a note that is a number", with("hostNote", 7)},
		{"custom fields without ids", with("customFieldValues", []any{map[string]any{"value": "x"}})},
		{"not JSON", "[1,"},
	} {
		if got := hwSend(t, v, "PUT", path, tok, tc.body); got.status != http.StatusBadRequest || str(got.body, "status") != "fail" {
			t.Errorf("%s: HTTP %d %s", tc.name, got.status, got.raw)
		}
	}
	if got := hwSend(t, v, "PUT", "/reservations/1", tok, with()); got.status != http.StatusNotFound {
		t.Errorf("unknown reservation: HTTP %d", got.status)
	}
	got := hwSend(t, v, "PUT", path, tok, with("hostNote", "Only this", "checkInTime", 14))
	if got.status != 200 || str(got.body, "result.hostNote") != "Only this" || num(got.body, "result.checkInTime") != 14 {
		t.Fatalf("partial update: %d %s", got.status, got.raw)
	}
	after := hwGet(t, v, path, tok).body
	for _, k := range []string{"doorCodeInstruction", "guestNote", "guestName", "phone", "totalPrice"} {
		if dig(after, "result."+k) != nil {
			t.Errorf("%s = %v after an update that left it out; the fake reads a PUT as a replacement", k, dig(after, "result."+k))
		}
	}
	if str(after, "result.arrivalDate") != r["arrivalDate"] || num(after, "result.listingMapId") != num(r, "listingMapId") ||
		str(after, "result.status") != str(r, "status") {
		t.Errorf("what an update does not take changed: %v", after)
	}
	if got := hwGet(t, v, path+"?includeResources=2", tok); got.status != http.StatusBadRequest {
		t.Errorf("includeResources=2: HTTP %d", got.status)
	}
}

// Guest charges: the paid ones carry their transaction; the filters take integers.
func TestHostawayCharges(t *testing.T) {
	v, _ := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	all := list(hwGet(t, v, "/guestPayments/charges", tok).body, "result")
	statuses := map[string]int{}
	for _, c := range all {
		st := str(c, "status")
		statuses[st]++
		if (st == "paid") != (len(list(c, "transactions")) == 1) || (st == "paid") != (dig(c, "chargeDate") != nil) {
			t.Errorf("a %s charge with transactions %v and charge date %v", st, list(c, "transactions"), dig(c, "chargeDate"))
		}
	}
	if statuses["paid"] < 5 || statuses["awaiting"] == 0 || statuses["failed"] == 0 {
		t.Errorf("charge statuses %v", statuses)
	}
	first := all[0]
	one := list(hwGet(t, v, "/guestPayments/charges?reservationId="+strconv.Itoa(num(first, "reservationId")), tok).body, "result")
	if len(one) == 0 || slices.ContainsFunc(one, func(c any) bool { return num(c, "reservationId") != num(first, "reservationId") }) {
		t.Errorf("by reservation: %v", one)
	}
	if got := hwGet(t, v, "/guestPayments/charges?listingMapId=miami", tok); got.status != http.StatusBadRequest {
		t.Errorf("a listing id of letters: HTTP %d", got.status)
	}
}

// Tasks: created and changed with a task object, read by id and by due dates; a write that
// breaks the object is refused; a change replaces what it takes [I], leaving the checklist.
func TestHostawayTasks(t *testing.T) {
	v, clk := startVendor(t, NewHostaway)
	v.SetRateLimiting(false)
	tok := hostawayToken(t, v)
	today := day(clk.Now())
	from, to := today.Format(dateLayout), today.AddDate(0, 0, 7).Format(dateLayout)
	due := list(hwGet(t, v, "/tasks?shouldEndByStart="+from+"&shouldEndByEnd="+to, tok).body, "result")
	if len(due) == 0 {
		t.Fatal("no tasks due this week")
	}
	for _, x := range due {
		if d := str(x, "shouldEndBy")[:10]; d < from || d > to {
			t.Errorf("task due %s listed for %s..%s", d, from, to)
		}
		if str(x, "shouldEndByListingTime") == "" {
			t.Errorf("no listing time: %v", x)
		}
	}
	for _, q := range []string{"status=done", "shouldEndByStart=soon", "reservationId=x", "canStartFromEvent=checkout", "limit=0"} {
		if got := hwGet(t, v, "/tasks?"+q, tok); got.status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d", q, got.status)
		}
	}
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"no title", map[string]any{"description": "x"}},
		{"a status of ours", map[string]any{"title": "x", "status": "done"}},
		{"a category of 7", map[string]any{"title": "x", "categoriesMap": []int{7}}},
		{"an unknown listing", map[string]any{"title": "x", "listingMapId": 1}},
		{"an unknown reservation", map[string]any{"title": "x", "reservationId": 1}},
		{"an unknown user", map[string]any{"title": "x", "assigneeUserId": 1}},
		{"a due date without a time", map[string]any{"title": "x", "shouldEndBy": "2026-06-01"}},
	} {
		if got := hwSend(t, v, "POST", "/tasks", tok, tc.body); got.status != http.StatusBadRequest || str(got.body, "status") != "fail" {
			t.Errorf("%s: HTTP %d %s", tc.name, got.status, got.raw)
		}
	}
	made := hwSend(t, v, "POST", "/tasks", tok, map[string]any{"title": "Fix the porch light", "listingMapId": 44912,
		"assigneeUserId": 3101, "cost": 30, "shouldEndBy": "2026-05-25 01:00:00", "checklistItems": []any{"bulb"}})
	if made.status != 200 || num(made.body, "result.id") == 0 || str(made.body, "result.status") != "pending" ||
		str(made.body, "result.shouldEndByListingTime") != "2026-05-24 18:00:00" {
		t.Fatalf("create: %d %s", made.status, made.raw)
	}
	path := "/tasks/" + strconv.Itoa(num(made.body, "result.id"))
	if got := hwGet(t, v, path, tok); num(got.body, "result.cost") != 30 {
		t.Errorf("read back: %s", got.raw)
	}
	changed := hwSend(t, v, "PUT", path, tok, map[string]any{"title": "Fix the porch light", "status": "completed"})
	if changed.status != 200 || str(changed.body, "result.completedAt") == "" || dig(changed.body, "result.cost") != nil ||
		dig(changed.body, "result.assigneeUserId") != nil || len(list(changed.body, "result.checklistItems")) != 1 {
		t.Errorf("a change that leaves members out clears them, but not the checklist: %s", changed.raw)
	}
	if got := hwSend(t, v, "PUT", "/tasks/1", tok, map[string]any{"title": "x"}); got.status != http.StatusNotFound {
		t.Errorf("unknown task: HTTP %d", got.status)
	}
}
