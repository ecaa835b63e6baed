package sandbox

import (
	"net/http"
	"time"
)

// Hospitable's money reads (public.json, tag Transactions [C]): GET /payouts (include
// transactions) and GET /transactions (include payout, reservation), and one of each by UUID.
// All need transaction:read [C]; a token without it gets 403 [T]. Neither list takes a date
// filter [C]: they page through everything, newest first [I].

var (
	hspPayoutIncludes      = []string{"transactions"}
	hspTransactionIncludes = []string{"payout", "reservation"}
)

// hspMoneyDate renders a money date as the reference's examples do, "2019-01-01T12:00:00+00:00".
func hspMoneyDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

func amount(cents int, currency string) map[string]any {
	return merge(money(cents, currency), "currency", currency)
}

func (po *hspPayout) render(inc map[string]bool) map[string]any {
	out := map[string]any{
		"id": po.id, "platform": po.platform, "platform_id": po.platformID, "bank_account": po.bankAccount,
		"reference": po.reference, "amount": amount(po.cents(), po.currency), "date": hspMoneyDate(po.at),
	}
	if inc["transactions"] {
		txs := make([]map[string]any, 0, len(po.txs))
		for _, tx := range po.txs {
			txs = append(txs, tx.render(nil, time.Time{}))
		}
		out["transactions"] = txs
	}
	return out
}

// render builds a transaction. The reservation include is published without a schema [C:
// "reservation": {}]; the fake gives the reservation object (what GET /reservations/{uuid}
// answers without includes), and null for a movement of no stay [I]. The caller holds Vendor.mu
// when it asks for the reservation.
func (tx *hspTransaction) render(inc map[string]bool, now time.Time) map[string]any {
	out := map[string]any{
		"id": tx.id, "platform": tx.platform, "type": tx.kind, "details": tx.details, "reference": tx.reference,
		"currency": tx.currency, "amount": amount(tx.cents, tx.currency), "paid_out_amount": amount(tx.cents, tx.currency),
		"date": hspMoneyDate(tx.at), "start_date": hspMoneyDate(tx.at),
	}
	if tx.res != nil {
		p := tx.res.prop
		out["start_date"] = p.localTime(tx.res.s.checkIn, p.checkinHour)
	}
	if inc["payout"] {
		out["payout"] = tx.payout.render(nil)
	}
	if inc["reservation"] {
		out["reservation"] = nil
		if tx.res != nil {
			out["reservation"] = tx.res.render(nil, tx.res.lastMessageAt(), now)
		}
	}
	return out
}

// moneyRefused answers a caller without transaction:read; it reports whether it did.
func (h *hospitable) moneyRefused(w http.ResponseWriter, c hspCaller) bool {
	if !c.canTransactions {
		h.fail(w, http.StatusForbidden, "Invalid scope(s) provided.")
		return true
	}
	return false
}

func (h *hospitable) listPayouts(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspPayoutIncludes)
	if !ok || h.moneyRefused(w, c) {
		return
	}
	pg, per, ok := h.pageParams(w, r, 100)
	if !ok {
		return
	}
	items := make([]any, 0, len(h.payouts))
	for _, po := range h.payouts {
		items = append(items, po.render(inc))
	}
	h.list(w, r, items, pg, per)
}

func (h *hospitable) getPayout(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspPayoutIncludes)
	if !ok || h.moneyRefused(w, c) {
		return
	}
	for _, po := range h.payouts {
		if po.id == r.PathValue("payout") {
			writeJSON(w, http.StatusOK, map[string]any{"data": po.render(inc)})
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Payout not found.")
}

func (h *hospitable) listTransactions(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspTransactionIncludes)
	if !ok || h.moneyRefused(w, c) {
		return
	}
	pg, per, ok := h.pageParams(w, r, 100)
	if !ok {
		return
	}
	now := h.v.now()
	items := make([]any, 0, len(h.transactions))
	h.v.mu.Lock()
	for _, tx := range h.transactions {
		items = append(items, tx.render(inc, now))
	}
	h.v.mu.Unlock()
	h.list(w, r, items, pg, per)
}

func (h *hospitable) getTransaction(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspTransactionIncludes)
	if !ok || h.moneyRefused(w, c) {
		return
	}
	for _, tx := range h.transactions {
		if tx.id == r.PathValue("transaction") {
			h.v.mu.Lock()
			out := tx.render(inc, h.v.now())
			h.v.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"data": out})
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Transaction not found.")
}
