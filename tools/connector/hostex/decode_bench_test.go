package hostex

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// BenchmarkListReservations is a cold read of a Hostex list through the
// client against the fake: one request path, the envelope and the page
// decoded, the items mapped. Its allocations and bytes show how many
// passes the decoding makes over the answer.
//
//	go test -run '^$' -bench ListReservations -benchmem ./tools/connector/hostex/
func BenchmarkListReservations(b *testing.B) {
	e := &env{connectortest.NewEnv(b, sandbox.NewHostex, NewSpec(), connectortest.FixedNow, sandbox.HostexClientID, sandbox.HostexClientSecret)}
	e.V.SetRateLimiting(false)
	e.Spec.Budget = nil
	c, _ := e.pat(sandbox.HostexWritableToken)
	q := connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-30), To: e.Day(60)}}
	b.ReportAllocs()
	for b.Loop() {
		rs, err := c.ListReservations(b.Context(), q)
		if err != nil || len(rs) == 0 {
			b.Fatal(len(rs), err)
		}
	}
}

// BenchmarkDecodePage compares the two ways of reading one page of
// reservations from the same answer bytes (the fake's, 100 items): the
// envelope, then data as a map, then the list (three passes), against
// page's one pass straight into the items.
//
//	go test -run '^$' -bench DecodePage -benchmem ./tools/connector/hostex/
func BenchmarkDecodePage(b *testing.B) {
	e := &env{connectortest.NewEnv(b, sandbox.NewHostex, NewSpec(), connectortest.FixedNow, sandbox.HostexClientID, sandbox.HostexClientSecret)}
	status, _ := connectortest.Raw(b, http.MethodGet, e.V.APIBase+"/reservations?offset=0&limit=100&start_check_in_date="+e.Day(-60)+"&end_check_in_date="+e.Day(120),
		http.Header{"Hostex-Access-Token": {sandbox.HostexWritableToken}}, nil)
	if status != http.StatusOK {
		b.Fatal(status)
	}
	req, _ := http.NewRequest(http.MethodGet, e.V.APIBase+"/reservations?offset=0&limit=100&start_check_in_date="+e.Day(-60)+"&end_check_in_date="+e.Day(120), nil)
	req.Header.Set("Hostex-Access-Token", sandbox.HostexWritableToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := connector.Response{Status: http.StatusOK, Body: body}
	b.Run("three-passes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var raw json.RawMessage
			if rep := (api{}).Read(r, &raw); rep.Err != nil {
				b.Fatal(rep.Err)
			}
			var data map[string]json.RawMessage
			if err := decode("list", raw, &data, "reservations"); err != nil {
				b.Fatal(err)
			}
			var items []wireReservation
			if err := json.Unmarshal(data["reservations"], &items); err != nil || len(items) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("one-pass", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			p := &page[wireReservation]{key: "reservations"}
			if rep := (api{}).Read(r, p); rep.Err != nil || p.what != "" || len(p.items) == 0 {
				b.Fatal(rep.Err, p.what)
			}
		}
	})
}
