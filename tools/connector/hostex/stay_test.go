package hostex

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// stayRaw is the fake's reservation as GET /reservations answers it.
func (e *env) stayRaw(t *testing.T, code string) map[string]any {
	t.Helper()
	rs := e.raw(t, "/reservations", url.Values{"reservation_code": {code}})["reservations"].([]any)
	if len(rs) != 1 {
		t.Fatalf("%d reservations %s", len(rs), code)
	}
	return rs[0].(map[string]any)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func strp(s string) *string { return &s }

// A stay update sends each part to its endpoint and nothing else: the
// note as the reservation's remarks, the door code and times as the
// stay's check-in details, named by the stay code it looks up first; the
// fake keeps what it was sent.
func TestUpdateStaySendsOnlyWhatHostexTakes(t *testing.T) {
	e := newEnv(t)
	spec, log := e.logged()
	c, _ := connectortest.Conn[*conn](spec, connector.Credential{AccessToken: sandbox.HostexWritableToken})
	code := sandbox.HostexAwaitingAcceptanceCode
	if !contains(c.StayFields(), connector.StayHostNote, connector.StayDoorCode, connector.StayArrivalTime, connector.StayDepartureTime) {
		t.Fatalf("StayFields = %v", c.StayFields())
	}

	for _, tc := range []struct {
		name string
		u    connector.StayUpdate
		sent []string // method, path and body of each request
		// after is check_in_details and remarks as the fake then answers them.
		details, remarks string
	}{
		{"everything", connector.StayUpdate{HostNote: strp("Arrives late; leave the porch light on."), DoorCode: strp("4821"),
			ArrivalTime: strp("21:30"), DepartureTime: strp("10:05")},
			[]string{"GET /v3/reservations ",
				`PATCH /v3/reservations/` + code + ` {"remarks":"Arrives late; leave the porch light on."}`,
				`PATCH /v3/reservations/` + code + `/check_in_details {"arrival_at":{"hour":21,"minute":30},"departure_at":{"hour":10,"minute":5},"lock_code":"4821"}`},
			`{"arrival_at":{"hour":21,"minute":30},"departure_at":{"hour":10,"minute":5},"lock_code":"4821"}`, "Arrives late; leave the porch light on."},
		{"the note only: no look-up", connector.StayUpdate{HostNote: strp("Repeat guest.")},
			[]string{`PATCH /v3/reservations/` + code + ` {"remarks":"Repeat guest."}`},
			`{"arrival_at":{"hour":21,"minute":30},"departure_at":{"hour":10,"minute":5},"lock_code":"4821"}`, "Repeat guest."},
		{"the door code only", connector.StayUpdate{DoorCode: strp("0007")},
			[]string{"GET /v3/reservations ", `PATCH /v3/reservations/` + code + `/check_in_details {"lock_code":"0007"}`},
			`{"arrival_at":{"hour":21,"minute":30},"departure_at":{"hour":10,"minute":5},"lock_code":"0007"}`, "Repeat guest."},
		{"empty clears: the note to empty, the rest to null", connector.StayUpdate{HostNote: strp(""), DoorCode: strp(""), ArrivalTime: strp("")},
			[]string{"GET /v3/reservations ",
				`PATCH /v3/reservations/` + code + ` {"remarks":""}`,
				`PATCH /v3/reservations/` + code + `/check_in_details {"arrival_at":null,"lock_code":null}`},
			`{"arrival_at":null,"departure_at":{"hour":10,"minute":5},"lock_code":null}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.reset()
			tc.u.ReservationID = code
			if err := c.UpdateStay(ctx, tc.u); err != nil {
				t.Fatal(err)
			}
			var sent []string
			for _, s := range log.all() {
				sent = append(sent, s.Method+" "+s.Path+" "+string(s.Body))
			}
			if strings.Join(sent, "\n") != strings.Join(tc.sent, "\n") {
				t.Errorf("sent\n%s\nwant\n%s", strings.Join(sent, "\n"), strings.Join(tc.sent, "\n"))
			}
			raw := e.stayRaw(t, code)
			if got := jsonOf(t, raw["check_in_details"]); got != tc.details || raw["remarks"] != tc.remarks {
				t.Errorf("the fake holds check_in_details %s, remarks %q; want %s, %q", got, raw["remarks"], tc.details, tc.remarks)
			}
		})
	}
}

func contains(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// What Hostex would refuse, or hostgate cannot say, is refused before
// anything is sent.
func TestUpdateStayRefusesBeforeSending(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	code := sandbox.HostexAwaitingAcceptanceCode
	for _, tc := range []struct {
		name string
		u    connector.StayUpdate
		want string
	}{
		{"nothing to change", connector.StayUpdate{ReservationID: code}, "nothing to change"},
		{"no reservation", connector.StayUpdate{HostNote: strp("x")}, "reservation id"},
		{"a path in the id", connector.StayUpdate{ReservationID: "../properties", HostNote: strp("x")}, "reservation id"},
		{"a note over 500 characters", connector.StayUpdate{ReservationID: code, HostNote: strp(strings.Repeat("é", 501))}, "at most 500"},
		{"a time without its leading zero", connector.StayUpdate{ReservationID: code, ArrivalTime: strp("9:30")}, "HH:MM"},
		{"an hour past 23", connector.StayUpdate{ReservationID: code, DepartureTime: strp("24:00")}, "HH:MM"},
		{"a time in words", connector.StayUpdate{ReservationID: code, ArrivalTime: strp("noon"), HostNote: strp("x")}, "HH:MM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.V.Requests("")
			err := c.UpdateStay(ctx, tc.u)
			if ae := wantErr(t, err, connector.ErrBadRequest); ae == nil || !strings.Contains(ae.Code, tc.want) {
				t.Errorf("error %v, want %q", ae, tc.want)
			}
			if e.V.Requests("") != before {
				t.Error("a request was sent")
			}
		})
	}
	// 500 characters, not bytes, is the bound.
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: code, HostNote: strp(strings.Repeat("é", 500))}); err != nil {
		t.Errorf("a note of 500 characters: %v", err)
	}
}

// The vendor's refusals come back as this account's errors, and nothing
// half-done is reported as done.
func TestUpdateStayVendorErrors(t *testing.T) {
	code := sandbox.HostexAwaitingAcceptanceCode
	door := strp("1234")

	t.Run("an unknown reservation", func(t *testing.T) {
		e := newEnv(t)
		c, _ := e.pat(sandbox.HostexWritableToken)
		wantErr(t, c.UpdateStay(ctx, connector.StayUpdate{ReservationID: "0-NOPE-000000", HostNote: strp("x")}), connector.ErrNotFound)
		wantErr(t, c.UpdateStay(ctx, connector.StayUpdate{ReservationID: "0-NOPE-000000", DoorCode: door}), connector.ErrNotFound)
	})

	t.Run("a read-only token", func(t *testing.T) {
		e := newEnv(t)
		c, src := e.pat(sandbox.HostexReadOnlyToken)
		err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: code, HostNote: strp("x"), DoorCode: door})
		wantErr(t, err, connector.ErrForbidden)
		if !strings.Contains(err.Error(), "read-only") || src.Rejections() != 0 {
			t.Errorf("read-only: %v (rejections %d)", err, src.Rejections())
		}
		if raw := e.stayRaw(t, code); raw["remarks"] != "" || jsonOf(t, raw["check_in_details"]) != `{"arrival_at":{"hour":16,"minute":0},"departure_at":null,"lock_code":null}` {
			t.Errorf("a refused write changed the stay: %v", raw)
		}
	})

	t.Run("the second call fails after the first was accepted", func(t *testing.T) {
		e := newEnv(t)
		c, _ := e.pat(sandbox.HostexWritableToken)
		e.V.Fail(sandbox.Fault{Method: http.MethodPatch, Path: "/reservations/" + code + "/check_in_details", Status: 500})
		err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: code, HostNote: strp("Noted."), DoorCode: door})
		wantErr(t, err, connector.ErrUnavailable)
		if err == nil || !strings.Contains(err.Error(), "already accepted the host note") {
			t.Errorf("error %v, want it to say the note was accepted", err)
		}
		if raw := e.stayRaw(t, code); raw["remarks"] != "Noted." {
			t.Errorf("remarks %q", raw["remarks"])
		}
	})

	t.Run("a reservation of several stays", func(t *testing.T) {
		e := newEnv(t)
		c, _ := e.pat(sandbox.HostexWritableToken)
		two := `{"request_id":"x","error_code":0,"error_msg":"Done.","data":{"reservations":[` +
			`{"reservation_code":"0-77-abc","stay_code":"0-77_1-abc","check_in_date":"2026-09-01","check_out_date":"2026-09-03"},` +
			`{"reservation_code":"0-77-abc","stay_code":"0-77_2-abc","check_in_date":"2026-09-01","check_out_date":"2026-09-03"}]}}`
		e.V.Fail(sandbox.Fault{Method: http.MethodGet, Path: "/reservations", Body: two})
		before := e.V.Requests("/reservations/")
		err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: "0-77-abc", HostNote: strp("x"), DoorCode: door})
		if ae := wantErr(t, err, connector.ErrBadRequest); ae == nil || !strings.Contains(ae.Code, "2 stays") || e.V.Requests("/reservations/") != before {
			t.Errorf("several stays: %v; nothing may be written", err)
		}
	})

	t.Run("a stay without its stay code", func(t *testing.T) {
		e := newEnv(t)
		c, _ := e.pat(sandbox.HostexWritableToken)
		e.V.Fail(sandbox.Fault{Method: http.MethodGet, Path: "/reservations", Body: `{"request_id":"x","error_code":0,"error_msg":"Done.","data":{"reservations":[` +
			`{"reservation_code":"` + code + `","check_in_date":"2026-09-01","check_out_date":"2026-09-03"}]}}`})
		err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: code, DoorCode: door})
		if ae := wantErr(t, err, connector.ErrUnavailable); ae == nil || !strings.Contains(err.Error(), "malformed") {
			t.Errorf("no stay_code: %v, want a malformed response", err)
		}
	})
}

// The fake refuses what Hostex's schema refuses, in its envelope.
func TestTheFakeValidatesStayWrites(t *testing.T) {
	e := newEnv(t)
	code := sandbox.HostexAwaitingAcceptanceCode
	for _, tc := range []struct {
		name, path string
		body       string
		want       float64
	}{
		{"remarks over 500", "/reservations/" + code, `{"remarks":"` + strings.Repeat("x", 501) + `"}`, 422},
		{"remarks of the wrong type", "/reservations/" + code, `{"remarks":5}`, 422},
		{"guests out of bounds", "/reservations/" + code, `{"number_of_guests":100}`, 422},
		{"no JSON body", "/reservations/" + code, `remarks=x`, 400}, // Raw sends no body for what is not JSON
		{"an unknown reservation", "/reservations/0-NOPE-000000", `{"remarks":"x"}`, 404},
		{"an hour past 23", "/reservations/" + code + "/check_in_details", `{"arrival_at":{"hour":24,"minute":0}}`, 422},
		{"a time without its minute", "/reservations/" + code + "/check_in_details", `{"departure_at":{"hour":10}}`, 422},
		{"a lock code of the wrong type", "/reservations/" + code + "/check_in_details", `{"lock_code":1234}`, 422},
		{"a visibility time of another form", "/reservations/" + code + "/check_in_details", `{"lock_code_visible_after":"2pm"}`, 422},
		{"a negative deposit", "/reservations/" + code + "/check_in_details", `{"deposit":-1}`, 422},
		{"an unknown stay", "/reservations/0-NOPE-000000/check_in_details", `{"lock_code":null}`, 404},
		{"a published body", "/reservations/" + code + "/check_in_details", `{"lock_code":null,"lock_code_visible_after":"14:00","deposit":100}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Hostex-Access-Token": {sandbox.HostexWritableToken}, connectortest.ProbeHeader: {"1"}}
			_, body := connectortest.Raw(t, http.MethodPatch, e.V.APIBase+tc.path, h, json.RawMessage(tc.body))
			if got := body.(map[string]any)["error_code"]; got != tc.want {
				t.Errorf("error_code %v, want %v: %v", got, tc.want, body)
			}
		})
	}
}
