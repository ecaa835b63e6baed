package hostaway

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hostaway's money movements are the charges it makes to guests' cards
// through its own payment processing (Hostaway Payments, mostly direct
// bookings): GET /v1/guestPayments/charges [C: Guest payment]. A channel's
// payouts (Airbnb's, Booking.com's) do not pass through Hostaway and are
// not in its API; its financial reports are figures computed per
// reservation (an "owner payout" is a sum, not a transfer) and its owner
// statements are documents, so neither is listed as a movement. That is
// also why Hostaway has no PayoutLister.

// charge is the part of a guest charge hostgate uses [C: Guest charge
// object]. Every member is required in the published object; hostgate
// needs the id, the amount and the status, which says whether money moved.
type charge struct {
	ID             intval `json:"id"`
	ReservationID  intval `json:"reservationId"`
	Type           text   `json:"type"`
	Title          text   `json:"title"`
	Currency       text   `json:"currency"`
	Amount         numval `json:"amount"`
	CapturedAmount numval `json:"capturedAmount"`
	Status         *text  `json:"status"`
	ChargeDate     text   `json:"chargeDate"`
	ScheduledDate  text   `json:"scheduledDate"`
}

func (c charge) readable() bool { return c.ID != 0 && c.Amount.Set && c.Status != nil }

// moved says whether the charge is money that moved: one Hostaway marks
// paid [C: the status list: awaiting, paid, failed, pause, cancelled,
// awaitingHold, …]. An awaiting, failed or cancelled charge moved nothing.
func (c charge) moved() bool { return c.Status != nil && *c.Status == "paid" }

// transaction maps a paid charge. A pre-authorization that was captured
// moved its captured amount, not the amount held [C: capturedAmount,
// "only for preAuth type"; I: that a paid preAuth is a capture]. Its date
// is the day it was charged (else the day it was scheduled), UTC [C]. A
// charge names no channel, so none is given; its currency is Hostaway's.
func (c charge) transaction() connector.Transaction {
	amount := c.Amount.V
	if c.Type == "preAuth" && c.CapturedAmount.Set {
		amount = c.CapturedAmount.V
	}
	when := string(c.ChargeDate)
	if when == "" {
		when = string(c.ScheduledDate)
	}
	return connector.Transaction{
		ID:            qid(c.ID),
		Vendor:        Vendor,
		Date:          date(when),
		Kind:          string(c.Type),
		Description:   string(c.Title),
		Amount:        connector.Money{Amount: amount, Currency: strings.ToUpper(string(c.Currency))},
		ReservationID: qid(c.ReservationID),
	}
}

// maxTransactions caps ListTransactions when the query sets no limit.
const maxTransactions = 500

// ListTransactions lists the guest charges Hostaway collected (paid ones)
// dated in q.Range, newest first. The charge list takes no date filter
// and documents no order [C: Get guest charges list], so every page is
// read (limit/offset [C]) and the range applied here.
func (h *Connector) ListTransactions(ctx context.Context, q connector.MoneyQuery) ([]connector.Transaction, error) {
	const op = "list transactions"
	if !connector.ValidDate(q.Range.From) || !connector.ValidDate(q.Range.To) {
		return nil, connector.Invalid(Vendor, op, "dates must be YYYY-MM-DD")
	}
	var out []connector.Transaction
	err := h.pages(ctx, op, "/guestPayments/charges", nil, func(raw json.RawMessage) (int, bool, error) {
		page, err := decodeList(op, raw, charge.readable)
		if err != nil {
			return 0, false, err
		}
		for _, c := range page {
			if !c.moved() {
				continue
			}
			t := c.transaction()
			if q.Range.From != "" && (t.Date == "" || t.Date < q.Range.From) || q.Range.To != "" && (t.Date == "" || t.Date > q.Range.To) {
				continue
			}
			out = append(out, t)
		}
		return len(page), true, nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b connector.Transaction) int {
		if c := strings.Compare(b.Date, a.Date); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	limit := q.Limit
	if limit <= 0 || limit > maxTransactions {
		limit = maxTransactions
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
