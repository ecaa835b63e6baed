package hostaway

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// seededStay is a reservation on which the host keeps a door code, its
// instructions and a guest's note (the seed gives each listing's next stay
// these).
func seededStay(t *testing.T, e *env, token string) map[string]any {
	t.Helper()
	for _, r := range rawList(t, e.raw(t, connector.Credential{AccessToken: token}, "/reservations?limit=1000")) {
		if r["doorCodeInstruction"] != nil {
			return r
		}
	}
	t.Fatal("no seeded stay with a door code")
	return nil
}

func TestStayFields(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	want := []string{connector.StayHostNote, connector.StayDoorCode, connector.StayArrivalTime, connector.StayDepartureTime}
	if got := c.StayFields(); !slices.Equal(got, want) {
		t.Errorf("StayFields = %v, want %v", got, want)
	}
}

// A stay update sends the reservation back whole, with the change: what
// the host set elsewhere on it survives even a vendor that reads a PUT as
// a replacement (the fake does).
func TestUpdateStayKeepsWhatTheHostSet(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	tok := src.Credential().AccessToken
	r := seededStay(t, e, tok)
	id := str(r["id"])
	before := e.raw(t, src.Credential(), "/reservations/"+id+"?includeResources=1")["result"].(map[string]any)
	sent := e.bodies(t, "PUT", "/v1/reservations/"+id)
	note, code, in, out := "Early check-in arranged.", "2580", "14:00", "10:00"
	if err := c.UpdateStay(context.Background(), connector.StayUpdate{ReservationID: "hostaway:" + id,
		HostNote: &note, DoorCode: &code, ArrivalTime: &in, DepartureTime: &out}); err != nil {
		t.Fatal(err)
	}
	after := e.raw(t, src.Credential(), "/reservations/"+id+"?includeResources=1")["result"].(map[string]any)
	for k, v := range map[string]any{"hostNote": note, "doorCode": code, "checkInTime": 14.0, "checkOutTime": 10.0} {
		if after[k] != v {
			t.Errorf("%s = %v, want %v", k, after[k], v)
		}
	}
	for _, k := range []string{"doorCodeVendor", "doorCodeInstruction", "guestNote", "comment", "guestName", "guestEmail",
		"phone", "numberOfGuests", "totalPrice", "isPaid", "arrivalDate", "departureDate", "customFieldValues"} {
		if mustJSON(t, after[k]) != mustJSON(t, stripped(before[k])) || after[k] == nil {
			t.Errorf("%s = %v, was %v: the update dropped it", k, after[k], before[k])
		}
	}
	bodies := sent()
	if len(bodies) != 1 {
		t.Fatalf("%d PUTs, want 1", len(bodies))
	}
	var keys []string
	for k := range bodies[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := slices.Clone(stayMembers)
	sort.Strings(want)
	if !slices.Equal(keys, want) {
		t.Errorf("sent members %v\nwant the update's %v", keys, want)
	}
	for _, k := range []string{"status", "channelId", "id", "financeField", "isGuestIdentityVerified"} {
		if _, ok := bodies[0][k]; ok {
			t.Errorf("sent %s, which an update does not take", k)
		}
	}
}

// stripped is a custom field list as an update sends it back: id and
// value only.
func stripped(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, 0, len(l))
	for _, x := range l {
		m := x.(map[string]any)
		out = append(out, map[string]any{"customFieldId": m["customFieldId"], "value": m["value"]})
	}
	return out
}

// An empty string clears a field (null), and only the fields given change.
func TestUpdateStayClears(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	r := seededStay(t, e, src.Credential().AccessToken)
	id := str(r["id"])
	empty := ""
	if err := c.UpdateStay(context.Background(), connector.StayUpdate{ReservationID: id, DoorCode: &empty, ArrivalTime: &empty}); err != nil {
		t.Fatal(err)
	}
	after := e.raw(t, src.Credential(), "/reservations/"+id)["result"].(map[string]any)
	if after["doorCode"] != nil || after["checkInTime"] != nil {
		t.Errorf("door code %v, arrival %v; want both cleared", after["doorCode"], after["checkInTime"])
	}
	if after["doorCodeInstruction"] != r["doorCodeInstruction"] || after["checkOutTime"] != r["checkOutTime"] {
		t.Errorf("fields not given changed: %v, %v", after["doorCodeInstruction"], after["checkOutTime"])
	}
}

// What Hostaway cannot hold is refused before anything is sent; what
// Hostaway refuses comes back as the account's error.
func TestUpdateStayRefusals(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	id := str(seededStay(t, e, src.Credential().AccessToken)["id"])
	half, late, long := "14:30", "24:00", string(make([]byte, maxNote+1))
	before := e.V.Requests("")
	for name, u := range map[string]connector.StayUpdate{
		"a time off the hour":  {ReservationID: id, ArrivalTime: &half},
		"an hour out of range": {ReservationID: id, DepartureTime: &late},
		"a note too long":      {ReservationID: id, HostNote: &long},
		"nothing to change":    {ReservationID: id},
		"a bad id":             {ReservationID: "hostex:12", HostNote: &half},
	} {
		if err := c.UpdateStay(ctx, u); !errors.Is(err, connector.ErrBadRequest) {
			t.Errorf("%s: %v, want ErrBadRequest", name, err)
		}
	}
	if e.V.Requests("") != before {
		t.Error("a refused update reached the vendor")
	}
	note := "x"
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: "1", HostNote: &note}); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown reservation: %v", err)
	}
	// A reservation read without its listing is not written back.
	puts := e.bodies(t, "PUT", "/v1/reservations/"+id)
	e.V.Fail(sandbox.Fault{Method: "GET", Path: "/reservations/" + id, HTTPStatus: 200,
		Body: `{"status":"success","result":{"id":` + id + `,"arrivalDate":"2026-06-01","departureDate":"2026-06-03"}}`})
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, HostNote: &note}); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("a reservation of another shape: %v, want a malformed answer", err)
	}
	// Hostaway's own refusal (here a server error) is reported once, not
	// retried: the write may have been made.
	e.V.Fail(sandbox.Fault{Method: "PUT", Status: 500})
	err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, HostNote: &note})
	if !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("server error: %v", err)
	}
	noSecret(t, err, src.Credential().AccessToken)
	if n := len(puts()); n != 1 {
		t.Errorf("%d PUTs reached the fake, want the one that failed", n)
	}
	// An echo of another shape does not fail a write Hostaway made.
	e.V.Fail(sandbox.Fault{Method: "PUT", HTTPStatus: 200, Body: `{"status":"success","result":[]}`})
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, HostNote: &note}); err != nil {
		t.Errorf("odd echo: %v", err)
	}
}
