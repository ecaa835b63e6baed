package hostaway

import (
	"context"
	"errors"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Hostaway's money movements are the guest charges it collected: the paid
// ones, in their currency, tied to their reservations, newest first.
func TestListTransactions(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	got, err := c.ListTransactions(ctx, connector.MoneyQuery{})
	if err != nil {
		t.Fatal(err)
	}
	raw := rawList(t, e.raw(t, src.Credential(), "/guestPayments/charges?limit=1000"))
	var paid []map[string]any
	others := map[string]int{}
	for _, w := range raw {
		if w["status"] == "paid" {
			paid = append(paid, w)
		} else {
			others[w["status"].(string)]++
		}
	}
	if len(got) != len(paid) || len(got) < 5 || others["awaiting"] == 0 || others["failed"] == 0 {
		t.Fatalf("%d transactions; the fake has %d paid charges and %v others", len(got), len(paid), others)
	}
	byID := map[string]connector.Transaction{}
	for i, tx := range got {
		byID[tx.ID] = tx
		if i > 0 && tx.Date > got[i-1].Date {
			t.Errorf("not newest first at %d", i)
		}
	}
	for _, w := range paid {
		tx, ok := byID["hostaway:"+str(w["id"])]
		want := connector.Transaction{ID: "hostaway:" + str(w["id"]), Vendor: "hostaway", Date: w["chargeDate"].(string)[:10],
			Kind: w["type"].(string), Description: w["title"].(string), Amount: connector.Money{Amount: num(w["amount"]), Currency: "USD"},
			ReservationID: "hostaway:" + str(w["reservationId"])}
		if !ok || tx != want {
			t.Errorf("transaction\n got %+v\nwant %+v", tx, want)
		}
	}
	// Each is tied to a seeded reservation, a direct booking.
	r, err := c.GetReservation(ctx, got[0].ReservationID)
	if err != nil || r.Channel != "direct" {
		t.Errorf("the first transaction's stay = %+v, %v", r, err)
	}

	from, to := got[len(got)-1].Date, got[len(got)/2].Date
	ranged, err := c.ListTransactions(ctx, connector.MoneyQuery{Range: connector.DateRange{From: from, To: to}})
	if err != nil || len(ranged) == 0 || len(ranged) >= len(got) {
		t.Fatalf("%s..%s: %d of %d, %v", from, to, len(ranged), len(got), err)
	}
	for _, tx := range ranged {
		if tx.Date < from || tx.Date > to {
			t.Errorf("%s dated %s, outside %s..%s", tx.ID, tx.Date, from, to)
		}
	}
	if capped, err := c.ListTransactions(ctx, connector.MoneyQuery{Limit: 2}); err != nil || len(capped) != 2 || capped[0] != got[0] {
		t.Errorf("Limit 2: %+v, %v", capped, err)
	}
	// Every page is read, whatever the page size: the list has no date
	// filter and no published order.
	e.Spec.PageSize = 3
	before := e.V.Requests("/v1/guestPayments/charges")
	paged, err := c.ListTransactions(ctx, connector.MoneyQuery{})
	if err != nil || mustJSON(t, paged) != mustJSON(t, got) {
		t.Errorf("in pages of 3: %d, %v", len(paged), err)
	}
	if n, want := e.V.Requests("/v1/guestPayments/charges")-before, (len(raw)+2)/3; n != want {
		t.Errorf("%d pages of 3 for %d charges, want %d", n, len(raw), want)
	}
	if _, err := c.ListTransactions(ctx, connector.MoneyQuery{Range: connector.DateRange{From: "1 May"}}); !errors.Is(err, connector.ErrBadRequest) {
		t.Errorf("bad date: %v", err)
	}
}

// A captured hold moved its captured amount; a charge without a currency
// keeps none rather than a guessed one; a charge without its status cannot
// be told paid or not, and fails the call.
func TestTransactionShapes(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	ctx := context.Background()
	e.V.Fail(sandbox.Fault{Path: "/guestPayments/charges", HTTPStatus: 200, Body: `{"status":"success","result":[
		{"id":1,"listingMapId":40160,"reservationId":9,"type":"preAuth","title":"Damage deposit","currency":"EUR","amount":300,"capturedAmount":120,
		 "status":"paid","chargeDate":"2026-05-02","scheduledDate":"2026-05-01 10:00:00","transactions":[]},
		{"id":2,"listingMapId":40160,"reservationId":9,"type":"charge","title":"Extra cleaning","currency":null,"amount":40,"capturedAmount":null,
		 "status":"paid","chargeDate":null,"scheduledDate":"2026-05-03 09:00:00","transactions":[]},
		{"id":3,"listingMapId":40160,"reservationId":9,"type":"charge","title":"Balance","currency":"EUR","amount":900,"status":"awaiting",
		 "chargeDate":null,"scheduledDate":"2026-06-01 12:00:00","transactions":[]}
	],"count":3,"offset":0}`})
	got, err := c.ListTransactions(ctx, connector.MoneyQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []connector.Transaction{
		{ID: "hostaway:2", Vendor: "hostaway", Date: "2026-05-03", Kind: "charge", Description: "Extra cleaning", Amount: connector.Money{Amount: 40}, ReservationID: "hostaway:9"},
		{ID: "hostaway:1", Vendor: "hostaway", Date: "2026-05-02", Kind: "preAuth", Description: "Damage deposit", Amount: connector.Money{Amount: 120, Currency: "EUR"}, ReservationID: "hostaway:9"},
	}
	if mustJSON(t, got) != mustJSON(t, want) {
		t.Errorf("transactions = %+v\nwant %+v", got, want)
	}
	e.V.Fail(sandbox.Fault{Path: "/guestPayments/charges", HTTPStatus: 200, Body: `{"status":"success","result":[{"id":4,"amount":10,"currency":"USD"}]}`})
	if _, err := c.ListTransactions(ctx, connector.MoneyQuery{}); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("a charge without its status: %v, want a malformed answer", err)
	}
	e.V.Fail(sandbox.Fault{Path: "/guestPayments/charges", HTTPStatus: 200, Body: `{"status":"success","result":{"id":4}}`})
	if _, err := c.ListTransactions(ctx, connector.MoneyQuery{}); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("a result that is not a list: %v", err)
	}
}

// Hostaway has no payouts in its API and no quotes: the connector does not
// claim either, so the tools say so per account.
func TestNoPayoutsNorQuotes(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	if _, ok := any(c).(connector.PayoutLister); ok {
		t.Error("Hostaway's API has no payouts, yet the connector claims to list them")
	}
	if _, ok := any(c).(connector.QuoteMaker); ok {
		t.Error("Hostaway's API has no quotes, yet the connector claims to make them")
	}
}
