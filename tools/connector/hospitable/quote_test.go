package hospitable

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// bodiesTo records the JSON bodies the fake took on a method and path
// suffix, with the fake's answer status.
func (e *env) bodiesTo(t *testing.T, method, suffix string) func() []map[string]any {
	t.Helper()
	var mu sync.Mutex
	var got []map[string]any
	stop := e.V.Observe(func(ex sandbox.Exchange) {
		if ex.Method != method || !strings.HasSuffix(ex.Path, suffix) {
			return
		}
		var m map[string]any
		_ = json.Unmarshal(ex.Body, &m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	})
	t.Cleanup(stop)
	return func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]any(nil), got...)
	}
}

func TestQuoteForADirectProperty(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	gap := sandbox.HospitableAucklandStays(e.Clock.Now()).AddDate(0, 0, 5).Format(time.DateOnly)
	next := sandbox.HospitableAucklandStays(e.Clock.Now()).AddDate(0, 0, 6).Format(time.DateOnly)
	sent := e.bodiesTo(t, "POST", "/quote")
	q, err := c.MakeQuote(ctx, connector.QuoteRequest{PropertyID: sandbox.HospitableAucklandPropertyID, CheckIn: gap, CheckOut: next,
		Adults: 2, Children: 1, GuestName: " Aroha  Ngata ", GuestEmail: "aroha@guest.example"})
	if err != nil {
		t.Fatal(err)
	}
	// Exactly what the reference takes: no zero counts, no phone, no promo code.
	want := map[string]any{"checkin_date": gap, "checkout_date": next,
		"guests":        map[string]any{"adults": 2.0, "children": 1.0},
		"guest_details": map[string]any{"first_name": "Aroha", "last_name": "Ngata", "email": "aroha@guest.example"}}
	if got := sent(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("sent %v, want %v", got, want)
	}
	day := e.raw(t, "/properties/"+sandbox.HospitableAucklandPropertyID+"/calendar", url.Values{"start_date": {gap}, "end_date": {gap}})
	night := day["data"].(map[string]any)["days"].([]any)[0].(map[string]any)["price"].(map[string]any)["amount"].(float64)
	total := (night + 8500 + float64(int(night)/10)) / 100 // the fake's cleaning fee and 10% lodging tax
	if !strings.HasPrefix(q.ID, "hospitable:") || q.PropertyID != "hospitable:"+sandbox.HospitableAucklandPropertyID ||
		q.CheckIn != gap || q.CheckOut != next || q.BookingURL == "" || q.Total == nil ||
		*q.Total != (connector.Money{Amount: total, Currency: "USD"}) || !q.ExpiresAt.IsZero() {
		t.Errorf("quote %+v (total %+v), want %v USD", q, q.Total, total)
	}
}

func TestQuoteRefusals(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	s := sandbox.HospitableAucklandStays(e.Clock.Now())
	day := func(n int) string { return s.AddDate(0, 0, n).Format(time.DateOnly) }
	good := connector.QuoteRequest{PropertyID: sandbox.HospitableAucklandPropertyID, CheckIn: day(5), CheckOut: day(6), Adults: 1}

	// Not on Hospitable Direct: the error says so, for this account.
	berlin := good
	berlin.PropertyID = sandbox.HospitablePropertyID
	_, err := c.MakeQuote(ctx, berlin)
	if ae := wantErr(t, err, connector.ErrBadRequest); ae != nil && !strings.Contains(ae.Code, "Hospitable Direct") {
		t.Errorf("a property without Direct: %v", err)
	}
	// Booked nights: Hospitable's own reason, not the Direct one.
	booked := good
	booked.CheckOut = day(7)
	_, err = c.MakeQuote(ctx, booked)
	if ae := wantErr(t, err, connector.ErrBadRequest); ae != nil && (strings.Contains(ae.Code, "Direct") || ae.Code == "") {
		t.Errorf("booked nights: %v", err)
	}
	ro, _ := e.pat(sandbox.HospitableReadOnlyPAT)
	_, err = ro.MakeQuote(ctx, good)
	if ae := wantErr(t, err, connector.ErrForbidden); ae != nil && !strings.Contains(ae.Code, "quote:write") {
		t.Errorf("without quote:write: %v", err)
	}
	_, err = c.MakeQuote(ctx, connector.QuoteRequest{PropertyID: "00000000-0000-4000-8000-000000000000", CheckIn: day(5), CheckOut: day(6), Adults: 1})
	wantErr(t, err, connector.ErrNotFound)

	before := e.V.Requests("")
	for _, bad := range []connector.QuoteRequest{
		{PropertyID: "HMABC123", CheckIn: day(5), CheckOut: day(6), Adults: 1},
		{PropertyID: good.PropertyID, CheckIn: day(6), CheckOut: day(5), Adults: 1},
		{PropertyID: good.PropertyID, CheckIn: day(5), CheckOut: day(5), Adults: 1},
		{PropertyID: good.PropertyID, CheckIn: "tomorrow", CheckOut: day(6), Adults: 1},
		{PropertyID: good.PropertyID, CheckIn: day(5), CheckOut: day(6)},
		{PropertyID: good.PropertyID, CheckIn: day(5), CheckOut: day(6), Adults: 1, Pets: -1},
	} {
		_, err := c.MakeQuote(ctx, bad)
		wantErr(t, err, connector.ErrBadRequest)
	}
	if n := e.V.Requests(""); n != before {
		t.Errorf("%d requests for bad quotes", n-before)
	}
	for _, body := range []string{`{"data":{"quote_id":"40c9b4fe-6594-4020-8593-886cb91ca35f"}}`,
		`{"data":{"booking_url":"https://b.example","financials":{"totals":{"total":[{"label":"Total"}]}}}}`} {
		e.V.Fail(sandbox.Fault{Path: "/properties/" + good.PropertyID + "/quote", HTTPStatus: 200, Body: body})
		_, err := c.MakeQuote(ctx, good)
		wantErr(t, err, connector.ErrUnavailable)
	}
}
