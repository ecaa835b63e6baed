package hospitable

import (
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// rawMoney is what the fake holds of a payout or transaction, as hostgate
// should report it.
func rawMoney(w map[string]any) (id, date string, amount connector.Money) {
	a := w["amount"].(map[string]any)
	return "hospitable:" + w["id"].(string), w["date"].(string)[:10],
		connector.Money{Amount: a["amount"].(float64) / 100, Currency: a["currency"].(string)}
}

func TestPayoutsMatchTheVendorsData(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 7
	c, _ := e.pat(sandbox.HospitablePAT)
	raw := e.rawAll(t, "/payouts", nil, 100)
	before := e.V.Requests("/payouts")
	got, err := c.ListPayouts(ctx, connector.MoneyQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.V.Requests("/payouts") - before; n != (len(raw)+6)/7 {
		t.Errorf("%d requests for %d payouts in pages of 7", n, len(raw))
	}
	if len(got) != len(raw) || len(got) < 40 {
		t.Fatalf("%d payouts, the fake has %d", len(got), len(raw))
	}
	currencies := map[string]bool{}
	for i, p := range got {
		w := raw[i]
		id, date, amount := rawMoney(w)
		want := connector.Payout{ID: id, Vendor: "hospitable", Date: date, Amount: amount,
			Channel: w["platform"].(string), BankInfo: w["bank_account"].(string)}
		if p.ReservationIDs != nil || p.ID != want.ID || p.Date != want.Date || p.Amount != want.Amount ||
			p.Channel != want.Channel || p.BankInfo != want.BankInfo || p.Vendor != want.Vendor || p.Status != "" {
			t.Errorf("payout\n got %+v\nwant %+v", p, want)
		}
		currencies[p.Amount.Currency] = true
	}
	if !currencies["EUR"] || !currencies["USD"] {
		t.Errorf("currencies %v: the seeded properties are priced in EUR and USD", currencies)
	}

	// A range keeps the payouts dated in it, both ends included; a limit
	// stops the paging.
	from, to := got[len(got)-1].Date, got[len(got)/2].Date
	ranged, err := c.ListPayouts(ctx, connector.MoneyQuery{Range: connector.DateRange{From: from, To: to}})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, p := range got {
		if p.Date >= from && p.Date <= to {
			want++
		}
	}
	if len(ranged) != want || want < len(got)/2 {
		t.Errorf("%d payouts from %s to %s, want %d", len(ranged), from, to, want)
	}
	before = e.V.Requests("/payouts")
	limited, err := c.ListPayouts(ctx, connector.MoneyQuery{Limit: 3})
	if err != nil || len(limited) != 3 || limited[0].ID != got[0].ID {
		t.Errorf("limit 3: %+v, %v", limited, err)
	}
	if n := e.V.Requests("/payouts") - before; n != 1 {
		t.Errorf("%d requests for 3 payouts in pages of 7", n)
	}
}

func TestTransactionsTieStaysToPayouts(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	got, err := c.ListTransactions(ctx, connector.MoneyQuery{})
	if err != nil {
		t.Fatal(err)
	}
	raw := e.rawAll(t, "/transactions", url.Values{"include": {"payout,reservation"}}, 100)
	if len(got) != len(raw) || len(got) < 40 {
		t.Fatalf("%d transactions, the fake has %d", len(got), len(raw))
	}
	payouts := map[string]bool{}
	for _, p := range e.rawAll(t, "/payouts", nil, 100) {
		payouts["hospitable:"+p["id"].(string)] = true
	}
	adjustments := 0
	for i, tx := range got {
		w := raw[i]
		id, date, amount := rawMoney(w)
		want := connector.Transaction{ID: id, Vendor: "hospitable", Date: date, Kind: w["type"].(string),
			Description: w["details"].(string), Amount: amount, Channel: w["platform"].(string),
			PayoutID: "hospitable:" + w["payout"].(map[string]any)["id"].(string)}
		if r, ok := w["reservation"].(map[string]any); ok {
			want.ReservationID = "hospitable:" + r["id"].(string)
		} else {
			adjustments++
		}
		if tx != want {
			t.Errorf("transaction\n got %+v\nwant %+v", tx, want)
		}
		if !payouts[tx.PayoutID] {
			t.Errorf("transaction %s names payout %s, which the payouts do not list", tx.ID, tx.PayoutID)
		}
	}
	if adjustments != 1 {
		t.Errorf("%d transactions of no stay, want the seeded adjustment", adjustments)
	}
	// A stay's transaction carries what its reservation earned the host.
	_, resID, _ := connector.SplitID(got[0].ReservationID)
	if got[0].ReservationID == "" {
		_, resID, _ = connector.SplitID(got[1].ReservationID)
	}
	if r, err := c.GetReservation(ctx, resID); err != nil || r.ID != "hospitable:"+resID {
		t.Errorf("the transaction's reservation: %+v, %v", r, err)
	}
	ranged, err := c.ListTransactions(ctx, connector.MoneyQuery{Range: connector.DateRange{From: got[0].Date, To: got[0].Date}})
	if err != nil || len(ranged) == 0 || ranged[0].Date != got[0].Date || ranged[len(ranged)-1].Date != got[0].Date {
		t.Errorf("one day's transactions: %+v, %v", ranged, err)
	}
}

func TestMoneyErrorsPerAccount(t *testing.T) {
	e := newEnv(t)
	noScope, _ := e.pat(sandbox.HospitableNoTransactionsPAT)
	_, err := noScope.ListPayouts(ctx, connector.MoneyQuery{})
	if ae := wantErr(t, err, connector.ErrForbidden); ae != nil && !strings.Contains(ae.Code, "transaction:read") {
		t.Errorf("payouts without transaction:read: %v", err)
	}
	_, err = noScope.ListTransactions(ctx, connector.MoneyQuery{})
	if ae := wantErr(t, err, connector.ErrForbidden); ae != nil && !strings.Contains(ae.Code, "transaction:read") {
		t.Errorf("transactions without transaction:read: %v", err)
	}
	c, _ := e.pat(sandbox.HospitablePAT)
	before := e.V.Requests("")
	for _, q := range []connector.MoneyQuery{
		{Range: connector.DateRange{From: "2026-13-01"}},
		{Range: connector.DateRange{From: "2026-05-02", To: "2026-05-01"}},
	} {
		_, err := c.ListPayouts(ctx, q)
		wantErr(t, err, connector.ErrBadRequest)
		_, err = c.ListTransactions(ctx, q)
		wantErr(t, err, connector.ErrBadRequest)
	}
	if n := e.V.Requests("") - before; n != 0 {
		t.Errorf("%d requests for bad queries", n)
	}
	const id = `"id":"ed4783b9-4c78-36c0-a378-8a9b1ccb9e27"`
	for _, f := range []struct{ name, path, body string }{
		{"payouts without data", "/payouts", `{"payouts":[]}`},
		{"a payout without its amount", "/payouts", `{"data":[{` + id + `,"date":"2026-05-01"}],"links":{"next":null}}`},
		{"a payout without an id", "/payouts", `{"data":[{"amount":{"amount":100,"currency":"USD"}}],"links":{"next":null}}`},
		{"transactions without data", "/transactions", `{}`},
		{"a transaction without its amount", "/transactions", `{"data":[{` + id + `,"amount":{}}],"links":{"next":null}}`},
	} {
		t.Run(f.name, func(t *testing.T) {
			e.V.ClearFaults()
			e.V.Fail(sandbox.Fault{Path: f.path, HTTPStatus: 200, Body: f.body})
			var err error
			if f.path == "/payouts" {
				_, err = c.ListPayouts(ctx, connector.MoneyQuery{})
			} else {
				_, err = c.ListTransactions(ctx, connector.MoneyQuery{})
			}
			if ae := wantErr(t, err, connector.ErrUnavailable); ae != nil && ae.Status != 200 {
				t.Errorf("error %+v, want Hospitable's malformed answer", ae)
			}
		})
	}
}
