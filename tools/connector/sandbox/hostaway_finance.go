package sandbox

import (
	"net/http"
	"strconv"
)

// listCharges: GET /v1/guestPayments/charges [C: Get guest charges list] with reservationId,
// listingMapId, paymentProvider, paymentMethod, limit and offset, an array of guest charge
// objects. The list has no date filter and documents no order; the fake's is by id [I].
func (h *hostaway) listCharges(w http.ResponseWriter, r *http.Request) {
	p, limit, offset, ok := h.paging(w, r, 0)
	if !ok {
		return
	}
	q := r.URL.Query()
	if !h.hwInts(w, q, "reservationId", "listingMapId") {
		return
	}
	all := []map[string]any{}
	for _, c := range h.charges {
		out := c.render()
		if q.Get("reservationId") != "" && q.Get("reservationId") != strconv.Itoa(c.res.id) ||
			q.Get("listingMapId") != "" && q.Get("listingMapId") != strconv.Itoa(c.res.l.id) ||
			q.Get("paymentProvider") != "" && q.Get("paymentProvider") != out["paymentProvider"] ||
			q.Get("paymentMethod") != "" && q.Get("paymentMethod") != out["paymentMethod"] {
			continue
		}
		all = append(all, out)
	}
	h.list(w, p, all, limit, offset)
}
