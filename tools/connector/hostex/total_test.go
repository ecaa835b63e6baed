package hostex

import (
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// A reservation's total is its stay's rate (rates.rate), in the currency
// Hostex gives with it. rates.total_rate is the whole order's, every stay
// of the reservation code: it stands for the stay only when the order is
// that one stay, so the stays of a multi-room order are not each counted
// at the order's price. No amount is no total, and no currency is none,
// never a guessed one.
func TestReservationTotalIsTheStaysRate(t *testing.T) {
	const single, multi = `"reservation_code":"0-1-a","stay_code":"0-1-a"`, `"reservation_code":"0-2-b","stay_code":"0-2_1-b"`
	for _, tc := range []struct {
		name, item string
		want       *connector.Money
	}{
		{"the stay's rate", single + `,"rates":{"total_rate":{"currency":"EUR","amount":900},"rate":{"currency":"EUR","amount":450}}`,
			&connector.Money{Amount: 450, Currency: "EUR"}},
		{"one of several stays: its rate, not the order's", multi + `,"rates":{"total_rate":{"currency":"USD","amount":900},"rate":{"currency":"USD","amount":300}}`,
			&connector.Money{Amount: 300, Currency: "USD"}},
		{"a lone stay without rate: the order's", single + `,"rates":{"total_rate":{"currency":"USD","amount":612.5}}`,
			&connector.Money{Amount: 612.5, Currency: "USD"}},
		{"one of several stays without rate: none", multi + `,"rates":{"total_rate":{"currency":"USD","amount":900}}`, nil},
		{"a rate without an amount: the order's for a lone stay", single + `,"rates":{"total_rate":{"currency":"USD","amount":80},"rate":{"currency":"USD"}}`,
			&connector.Money{Amount: 80, Currency: "USD"}},
		{"no amount anywhere", single + `,"rates":{"rate":{"currency":"USD"}}`, nil},
		{"no currency: left empty", single + `,"rates":{"rate":{"amount":120}}`, &connector.Money{Amount: 120}},
		{"no rates", single, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c, _ := e.pat(sandbox.HostexReadOnlyToken)
			e.V.Fail(sandbox.Fault{Path: "/reservations", Body: `{"request_id":"x","error_code":0,"error_msg":"Done.","data":{"reservations":[{` +
				tc.item + `,"check_in_date":"2026-09-01","check_out_date":"2026-09-03","status":"accepted"}]}}`})
			rs, err := c.ListReservations(ctx, connector.ReservationQuery{})
			if err != nil || len(rs) != 1 {
				t.Fatalf("%v, %v", rs, err)
			}
			got := rs[0].Total
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("total = %+v, want %+v", got, tc.want)
			}
		})
	}
}
