package hospitable

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// shortcode reads a reservation's shortcode back from the fake, with a
// vendor's token: a read hostgate never makes, so a probe.
func (e *env) shortcode(t *testing.T, token, resID, key string) any {
	t.Helper()
	status, body := connectortest.Raw(t, http.MethodGet, e.V.APIBase+"/reservations/"+resID+"/enrichment/"+key,
		http.Header{"Authorization": {"Bearer " + token}, connectortest.ProbeHeader: {"1"}}, nil)
	if status != http.StatusOK {
		t.Fatalf("read back %s: HTTP %d %v", key, status, body)
	}
	return body.(map[string]any)["data"].(map[string]any)["value"]
}

func TestTheDoorCodeIsAShortcode(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t) // a vendor app's token: the endpoint is for vendors only
	c, _ := connectortest.Conn[*conn](e.Spec, cred)
	if got := c.StayFields(); !slices.Equal(got, []string{connector.StayDoorCode}) {
		t.Fatalf("StayFields = %v", got)
	}
	rs, err := c.ListReservations(ctx, connector.ReservationQuery{PropertyID: sandbox.HospitablePropertyID})
	if err != nil || len(rs) == 0 {
		t.Fatalf("reservations: %v", err)
	}
	_, id, _ := connector.SplitID(rs[0].ID)
	sent := e.bodiesTo(t, "PUT", "/enrichment/smartlock_code")
	code, none := "4821#", ""
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, DoorCode: &code}); err != nil {
		t.Fatal(err)
	}
	if got := e.shortcode(t, cred.AccessToken, id, "smartlock_code"); got != code {
		t.Errorf("the fake holds %v, want %q", got, code)
	}
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, DoorCode: &none}); err != nil {
		t.Fatal(err)
	}
	if got := e.shortcode(t, cred.AccessToken, id, "smartlock_code"); got != nil {
		t.Errorf("after clearing the fake holds %v", got)
	}
	// Exactly {value}: the code, then null to clear it [C].
	if got := sent(); !reflect.DeepEqual(got, []map[string]any{{"value": code}, {"value": nil}}) {
		t.Errorf("sent %v", got)
	}

	// A host's personal token is not a vendor's: refused, and said so.
	pat, src := e.pat(sandbox.HospitablePAT)
	err = pat.UpdateStay(ctx, connector.StayUpdate{ReservationID: id, DoorCode: &code})
	if ae := wantErr(t, err, connector.ErrForbidden); ae != nil && (!strings.Contains(ae.Code, "vendor app") || src.Rejections() != 0) {
		t.Errorf("personal token: %v", err)
	}
	err = c.UpdateStay(ctx, connector.StayUpdate{ReservationID: "00000000-0000-4000-8000-000000000000", DoorCode: &code})
	wantErr(t, err, connector.ErrNotFound)

	note, long := "late arrival", strings.Repeat("9", 256)
	before := e.V.Requests("")
	for _, bad := range []connector.StayUpdate{
		{ReservationID: id, HostNote: &note},
		{ReservationID: id, DoorCode: &code, ArrivalTime: &note},
		{ReservationID: id},
		{ReservationID: id, DoorCode: &long},
		{ReservationID: rs[0].Code, DoorCode: &code}, // a booking code: the path takes the UUID [C]
		{ReservationID: "../user", DoorCode: &code},
	} {
		wantErr(t, c.UpdateStay(ctx, bad), connector.ErrBadRequest)
	}
	if n := e.V.Requests(""); n != before {
		t.Errorf("%d requests for bad updates", n-before)
	}
}

// Hospitable publishes a property's usual times as "check-in" and
// "check-out" [C]; live answers say "checkin" and "checkout" [T].
func TestPropertyTimes(t *testing.T) {
	for _, tc := range []struct {
		p       wireProperty
		in, out string
	}{
		{wireProperty{ID: "a", CheckIn: "12:30", CheckOut: "10:00"}, "12:30", "10:00"},
		{wireProperty{ID: "b", LiveCheckin: "15:00", LiveCheckout: "11:00:00"}, "15:00", "11:00"},
		{wireProperty{ID: "c", CheckIn: "16:00", LiveCheckin: "15:00"}, "16:00", ""},
		{wireProperty{ID: "d", CheckIn: "3pm", CheckOut: "25:00"}, "", ""},
		{wireProperty{ID: "e"}, "", ""},
	} {
		if got := tc.p.normalize(); got.CheckInTime != tc.in || got.CheckOutTime != tc.out {
			t.Errorf("%+v: %q, %q; want %q, %q", tc.p, got.CheckInTime, got.CheckOutTime, tc.in, tc.out)
		}
	}
}
