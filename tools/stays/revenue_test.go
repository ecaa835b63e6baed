package stays

import (
	"reflect"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

func res(id, prop, in, out, status, channel string, total *connector.Money) connector.Reservation {
	return connector.Reservation{ID: id, PropertyID: prop, CheckIn: in, CheckOut: out, Status: status, Channel: channel, Total: total}
}

func usd(x float64) *connector.Money { return &connector.Money{Amount: x, Currency: "USD"} }
func eur(x float64) *connector.Money { return &connector.Money{Amount: x, Currency: "EUR"} }

// TestRevenueByHand: the figures over June 2026 (30 nights), worked out
// by hand below, for two properties in two currencies.
func TestRevenueByHand(t *testing.T) {
	props := []connector.Property{
		{ID: "hostex:1", Name: "Loft", Currency: "USD"},
		{ID: "hospitable:a", Name: "Villa", Currency: "EUR"},
	}
	rs := []connector.Reservation{
		// Loft: 28 May–3 June, 6 nights for 600 → 2 nights in June (1, 2) → 200.
		res("hostex:r1", "hostex:1", "2026-05-28", "2026-06-03", connector.StatusConfirmed, "airbnb", usd(600)),
		// 10–15 June, 5 nights for 750 → 750.
		res("hostex:r2", "hostex:1", "2026-06-10", "2026-06-15", connector.StatusConfirmed, "booking.com", usd(750)),
		// 28 June–2 July, 4 nights for 400 → 3 nights in June (28, 29, 30) → 300.
		res("hostex:r3", "hostex:1", "2026-06-28", "2026-07-02", connector.StatusConfirmed, "airbnb", usd(400)),
		// cancelled and inquiry: nothing.
		res("hostex:r4", "hostex:1", "2026-06-20", "2026-06-22", connector.StatusCancelled, "airbnb", usd(999)),
		res("hostex:r5", "hostex:1", "2026-06-23", "2026-06-25", connector.StatusInquiry, "airbnb", usd(999)),
		// Villa: 5–12 June, 7 nights for 1400 EUR → 1400; a stay with no
		// total counts its 3 nights and no money.
		res("hospitable:s1", "hospitable:a", "2026-06-05", "2026-06-12", connector.StatusConfirmed, "vrbo", eur(1400)),
		res("hospitable:s2", "hospitable:a", "2026-06-20", "2026-06-23", connector.StatusConfirmed, "direct", nil),
		// A stay outside the range: nothing.
		res("hospitable:s3", "hospitable:a", "2026-07-05", "2026-07-08", connector.StatusConfirmed, "vrbo", eur(500)),
	}
	// The host closed the Villa for 1–4 June: 26 nights available.
	blocked := map[string][]string{"hospitable:a": {"2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-07-01"}}
	per, tot := Revenue(RevenueInput{Range: Range{From: "2026-06-01", To: "2026-06-30"}, Properties: props, Reservations: rs, Blocked: blocked})
	if len(per) != 2 || len(tot) != 2 {
		t.Fatalf("per %d, totals %d", len(per), len(tot))
	}
	// Sorted by currency: EUR first.
	villa, loft := per[0], per[1]
	// Loft: booked 2+5+3 = 10 of 30; revenue 200+750+300 = 1250;
	// occupancy 10/30 = 0.3333; ADR 1250/10 = 125; RevPAR 1250/30 = 41.67.
	want := PropertyRevenue{PropertyID: "hostex:1", Name: "Loft", Currency: "USD", Nights: 30, AvailableNights: 30, BookedNights: 10,
		Occupancy: 0.3333, Revenue: 1250, ADR: 125, RevPAR: 41.67, Stays: 3}
	checkRevenue(t, loft, want)
	if len(loft.ByChannel) != 2 || loft.ByChannel[0] != (ChannelRevenue{Channel: "booking.com", Stays: 1, BookedNights: 5, Revenue: 750}) ||
		loft.ByChannel[1] != (ChannelRevenue{Channel: "airbnb", Stays: 2, BookedNights: 5, Revenue: 500}) {
		t.Errorf("loft channels = %+v", loft.ByChannel)
	}
	// Villa: 30 nights, 4 closed → 26 available; booked 7+3 = 10;
	// revenue 1400 (the untotalled stay adds nights only); occupancy
	// 10/26 = 0.3846; ADR 1400/10 = 140; RevPAR 1400/26 = 53.85.
	want = PropertyRevenue{PropertyID: "hospitable:a", Name: "Villa", Currency: "EUR", Nights: 30, BlockedNights: 4, AvailableNights: 26, BookedNights: 10,
		Occupancy: 0.3846, Revenue: 1400, ADR: 140, RevPAR: 53.85, Stays: 2, NotSummed: 1}
	checkRevenue(t, villa, want)
	// Totals per currency, never added across.
	if tot[0] != (CurrencyTotal{Currency: "EUR", Properties: 1, AvailableNights: 26, BookedNights: 10, Occupancy: 0.3846, Revenue: 1400, ADR: 140, RevPAR: 53.85}) {
		t.Errorf("EUR total = %+v", tot[0])
	}
	if tot[1] != (CurrencyTotal{Currency: "USD", Properties: 1, AvailableNights: 30, BookedNights: 10, Occupancy: 0.3333, Revenue: 1250, ADR: 125, RevPAR: 41.67}) {
		t.Errorf("USD total = %+v", tot[1])
	}
}

func checkRevenue(t *testing.T, got, want PropertyRevenue) {
	t.Helper()
	got.ByChannel = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", want.PropertyID, got, want)
	}
}

// TestRevenueCurrencies: a property without a currency takes its stays';
// a stay in another currency is not summed; an unknown currency stays
// apart from the known ones.
func TestRevenueCurrencies(t *testing.T) {
	rs := []connector.Reservation{
		res("a:1", "a:p", "2026-06-01", "2026-06-03", connector.StatusConfirmed, "", eur(200)),
		res("a:2", "a:p", "2026-06-05", "2026-06-06", connector.StatusConfirmed, "", eur(100)),
		res("a:3", "a:p", "2026-06-07", "2026-06-08", connector.StatusConfirmed, "", usd(100)),
		res("b:1", "b:p", "2026-06-01", "2026-06-02", connector.StatusConfirmed, "", &connector.Money{Amount: 80}),
	}
	per, tot := Revenue(RevenueInput{Range: Range{From: "2026-06-01", To: "2026-06-10"}, Reservations: rs})
	if len(per) != 2 || per[0].Currency != "" || per[1].Currency != "EUR" {
		t.Fatalf("per = %+v", per)
	}
	if p := per[1]; p.Revenue != 300 || p.NotSummed != 1 || p.BookedNights != 4 {
		t.Errorf("EUR property = %+v", p)
	}
	if p := per[0]; p.Revenue != 80 || p.BookedNights != 1 {
		t.Errorf("unknown-currency property = %+v", p)
	}
	if len(tot) != 2 || tot[0].Currency != "" || tot[0].Revenue != 80 || tot[1].Revenue != 300 {
		t.Errorf("totals = %+v", tot)
	}
}

// TestRevenueBadRange: no figures for a range that is not one.
func TestRevenueBadRange(t *testing.T) {
	if per, tot := Revenue(RevenueInput{Range: Range{From: "2026-06-10", To: "2026-06-01"}}); per != nil || tot != nil {
		t.Fatalf("got %v %v", per, tot)
	}
}
