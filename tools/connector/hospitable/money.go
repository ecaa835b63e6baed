package hospitable

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hospitable's money (public.json, tag Transactions [C]): GET /payouts and
// GET /transactions, both needing the transaction:read scope [C] and both
// paged by page and per_page (at most 100) with no date filter [C]. So
// hostgate pages through them and keeps the items dated in the query's
// range; the order of the lists is not published.

var (
	_ connector.PayoutLister      = (*conn)(nil)
	_ connector.TransactionLister = (*conn)(nil)
)

// wireAmount is a money object: cents and their currency [C].
type wireAmount struct {
	Amount   *int64 `json:"amount"`
	Currency string `json:"currency"`
}

// money is the amount in major units in its currency, or false when the
// answer has no amount; fallback is the currency to use when the amount
// names none (a transaction's own currency member [C]).
func (a *wireAmount) money(fallback string) (connector.Money, bool) {
	if a == nil || a.Amount == nil {
		return connector.Money{}, false
	}
	return connector.Money{Amount: float64(*a.Amount) / 100, Currency: cmp.Or(a.Currency, fallback)}, true
}

type wirePayout struct {
	ID          string      `json:"id"`
	Platform    string      `json:"platform"`
	BankAccount string      `json:"bank_account"`
	Amount      *wireAmount `json:"amount"`
	// Date is published without a type [C: "date": {}]; read as text.
	Date connector.Text `json:"date"`
}

type wireTransaction struct {
	ID       string         `json:"id"`
	Platform string         `json:"platform"`
	Type     string         `json:"type"`
	Details  string         `json:"details"`
	Currency string         `json:"currency"`
	Amount   *wireAmount    `json:"amount"`
	Date     connector.Text `json:"date"`
	// With include=payout [C] and include=reservation [C: published
	// without a schema]; that a reservation carries its id, as everywhere
	// else, is [I].
	Payout *struct {
		ID string `json:"id"`
	} `json:"payout"`
	Reservation *struct {
		ID string `json:"id"`
	} `json:"reservation"`
}

// inRange reports whether a YYYY-MM-DD date is within r (both ends
// included). An undated item is in no bounded range.
func inRange(date string, r connector.DateRange) bool {
	if r.From == "" && r.To == "" {
		return true
	}
	return date != "" && (r.From == "" || date >= r.From) && (r.To == "" || date <= r.To)
}

func moneyQueryProblem(q connector.MoneyQuery) string {
	if !connector.ValidDate(q.Range.From) || !connector.ValidDate(q.Range.To) {
		return "dates must be YYYY-MM-DD"
	}
	if q.Range.From != "" && q.Range.To != "" && q.Range.To < q.Range.From {
		return "the range ends before it starts"
	}
	return ""
}

// moneyRefused makes a 403 say which scope is missing: Hospitable asks
// for transaction:read [C], and for an Airbnb connection authorized before
// 12 January 2024 a reconnection of the channel [C].
func moneyRefused(err error) error {
	var ae *connector.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusForbidden {
		ae.Code = "the connection lacks Hospitable's transaction:read scope (or its Airbnb channel was connected before 12 January 2024 and must be reconnected in Hospitable)"
	}
	return err
}

// ListPayouts pages through GET /payouts [C] and keeps the payouts dated in
// the query's range, in the order Hospitable lists them. A payout does not
// name the stays it pays for (its transactions, include=transactions, have
// no reservation [C]); ListTransactions does, each with its payout.
func (c *conn) ListPayouts(ctx context.Context, q connector.MoneyQuery) ([]connector.Payout, error) {
	const op = "list payouts"
	if p := moneyQueryProblem(q); p != "" {
		return nil, connector.Invalid(vendor, op, p)
	}
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/payouts"}
	keep := func(w wirePayout) bool {
		return w.ID == "" || w.Amount == nil || inRange(localDate(string(w.Date)), q.Range)
	}
	ws, err := scan(ctx, c, r, maxPageSize, keep, q.Limit)
	if err != nil {
		return nil, moneyRefused(err)
	}
	out := make([]connector.Payout, 0, len(ws))
	for _, w := range ws {
		amt, ok := w.Amount.money("")
		if w.ID == "" || !ok {
			// An id and an amount are what a payout is [C: both in every
			// example]; without them it says nothing.
			return nil, connector.Malformed(vendor, op, http.StatusOK, "a payout without its id or amount")
		}
		out = append(out, connector.Payout{
			ID: connector.QualifiedID(vendor, w.ID), Vendor: vendor, Date: localDate(string(w.Date)),
			Amount: amt, Channel: w.Platform, BankInfo: w.BankAccount,
		})
	}
	return out, nil
}

// transactionIncludes are the relations a transaction is read with: its
// payout and its reservation [C: the parameter's text, "any of: payout,
// reservation"].
const transactionIncludes = "payout,reservation"

// ListTransactions pages through GET /transactions [C] with each
// transaction's payout and reservation, and keeps those dated in the
// query's range. An adjustment may belong to no stay: its reservation is
// null and its ReservationID empty.
func (c *conn) ListTransactions(ctx context.Context, q connector.MoneyQuery) ([]connector.Transaction, error) {
	const op = "list transactions"
	if p := moneyQueryProblem(q); p != "" {
		return nil, connector.Invalid(vendor, op, p)
	}
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/transactions",
		Query: url.Values{"include": {transactionIncludes}}}
	keep := func(w wireTransaction) bool {
		return w.ID == "" || w.Amount == nil || inRange(localDate(string(w.Date)), q.Range)
	}
	ws, err := scan(ctx, c, r, maxPageSize, keep, q.Limit)
	if err != nil {
		return nil, moneyRefused(err)
	}
	out := make([]connector.Transaction, 0, len(ws))
	for _, w := range ws {
		amt, ok := w.Amount.money(w.Currency)
		if w.ID == "" || !ok {
			return nil, connector.Malformed(vendor, op, http.StatusOK, "a transaction without its id or amount")
		}
		t := connector.Transaction{
			ID: connector.QualifiedID(vendor, w.ID), Vendor: vendor, Date: localDate(string(w.Date)),
			Kind: w.Type, Description: w.Details, Amount: amt, Channel: w.Platform,
		}
		if w.Reservation != nil {
			t.ReservationID = connector.QualifiedID(vendor, w.Reservation.ID)
		}
		if w.Payout != nil {
			t.PayoutID = connector.QualifiedID(vendor, w.Payout.ID)
		}
		out = append(out, t)
	}
	return out, nil
}
