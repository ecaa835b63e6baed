package hostex

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// specChannelTypeParam is the enum of the listing endpoints' channel_type,
// ChannelTypeParam in Hostex's OpenAPI v3 document [C], written out here
// rather than taken from the client so that the test checks the client.
var specChannelTypeParam = []string{"airbnb", "booking.com", "agoda", "expedia", "vrbo", "trip.com",
	"booking_site", "tujia_intl", "houfy"}

// Issue 9, item 2: POST /listings/calendar takes a channel_type from
// ChannelTypeParam, which has no hostex_direct (a reservation channel, in
// ChannelType only). The fake refuses hostex_direct as Hostex does (422),
// and the client never sends it: it reads the listing of a channel type
// the enum allows. The client before 1291080 read the hostex_direct
// listing, and every Hostex calendar call failed.
func TestCalendarReadsOnlyListingsTheSpecAllows(t *testing.T) {
	e := newEnv(t)

	// The fake: hostex_direct is refused, a listing of the enum is read.
	// (The request outside the contract is marked as deliberate.)
	hdr := http.Header{"Hostex-Access-Token": {sandbox.HostexReadOnlyToken}, connectortest.ProbeHeader: {"1"}}
	for _, tc := range []struct {
		channel, listing string
		want             float64
	}{{"hostex_direct", "12111947", 422}, {"airbnb", "53012345", 0}} {
		_, body := connectortest.Raw(t, http.MethodPost, e.V.APIBase+"/listings/calendar", hdr, map[string]any{
			"start_date": e.Day(1), "end_date": e.Day(2),
			"listings": []map[string]string{{"channel_type": tc.channel, "listing_id": tc.listing}}})
		if env, _ := body.(map[string]any); env["error_code"] != tc.want {
			t.Errorf("fake: %s listing calendar answered %v, want error_code %v", tc.channel, body, tc.want)
		}
	}

	// The client, over every seeded property (each has a hostex_direct
	// channel beside its channel listings).
	s, log := e.logged()
	c := s.New(s, &connectortest.Source{Cred: connector.Credential{AccessToken: sandbox.HostexReadOnlyToken}}).(*conn)
	props, err := c.ListProperties(ctx)
	if err != nil || len(props) < 4 {
		t.Fatalf("properties: %d, %v", len(props), err)
	}
	for _, p := range props {
		if !slices.Contains(p.Channels, "hostex_direct") {
			t.Fatalf("the seed's property %s has no hostex_direct channel: the test proves nothing", p.ID)
		}
		_, id, _ := connector.SplitID(p.ID)
		if _, err := c.Calendar(ctx, id, connector.DateRange{From: e.Day(1), To: e.Day(3)}); err != nil {
			t.Fatalf("calendar of %s: %v", p.ID, err)
		}
	}
	calls := 0
	for _, r := range log.all() {
		if r.Path != "/v3/listings/calendar" {
			continue
		}
		calls++
		var body struct {
			Listings []struct {
				ChannelType string `json:"channel_type"`
			} `json:"listings"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Listings) == 0 {
			t.Fatalf("listing calendar body %s: %v", r.Body, err)
		}
		for _, l := range body.Listings {
			if !slices.Contains(specChannelTypeParam, l.ChannelType) {
				t.Errorf("the client sent channel_type %q to /listings/calendar", l.ChannelType)
			}
		}
	}
	if calls != len(props) {
		t.Errorf("%d listing calendar calls for %d properties", calls, len(props))
	}

	// Whatever order Hostex lists the channels in, hostex_direct is never
	// the price listing; a property with no listing of the enum reads no
	// listing calendar at all.
	for _, tc := range []struct {
		channels []wireChannel
		want     string
	}{
		{[]wireChannel{{ChannelType: "hostex_direct", ListingID: "1"}, {ChannelType: "airbnb", ListingID: "2"}}, "airbnb"},
		{[]wireChannel{{ChannelType: "hostex_direct", ListingID: "1"}, {ChannelType: "tujia", ListingID: "3"}}, ""},
	} {
		got := priceListing(wireProperty{Channels: tc.channels})
		if (got == nil) != (tc.want == "") || got != nil && got.ChannelType != tc.want {
			t.Errorf("price listing of %+v = %+v, want %q", tc.channels, got, tc.want)
		}
	}
}

// Issue 9, item 9 (Hostex, blocked or reserved): the published availability
// is {date, available, remarks} and POST /availabilities takes no remarks,
// so a night the host closes through hostgate reads back closed and
// without remarks. It is a block, not a booking; a night a reservation
// holds is reserved. The old client called every closed night without
// remarks "reserved", and update_calendar then get_calendar showed the
// host's block as a booking.
func TestABlockMadeThroughTheAPIReadsBackBlocked(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	r := e.freeNights(t, c, 3)
	no := false
	if _, err := c.UpdateCalendar(ctx, "12111947", connector.CalendarChange{Range: r, Available: &no}); err != nil {
		t.Fatal(err)
	}
	days, err := c.Calendar(ctx, "12111947", r)
	if err != nil || len(days) != 3 {
		t.Fatalf("calendar: %d days, %v", len(days), err)
	}
	for _, d := range days {
		if d.Available || d.Status != "blocked" || d.Note != "" {
			t.Errorf("a night blocked through POST /availabilities reads %+v, want blocked", d)
		}
	}

	// A booked night is reserved: find one through the fake's reservations.
	res := e.rawAll(t, "/reservations", "reservations", map[string][]string{"property_id": {"12111947"}, "status": {"accepted"},
		"start_check_in_date": {e.Day(1)}, "end_check_in_date": {e.Day(60)}})
	if len(res) == 0 {
		t.Fatal("the seed has no booking in the next 60 days")
	}
	in, out := res[0]["check_in_date"].(string), res[0]["check_out_date"].(string)
	booked, err := c.Calendar(ctx, "12111947", connector.DateRange{From: in, To: out})
	if err != nil || len(booked) < 2 {
		t.Fatalf("calendar of a stay: %d days, %v", len(booked), err)
	}
	for _, d := range booked {
		want := "reserved"
		if d.Date == out { // the check-out day is not a night of this stay
			continue
		}
		if d.Available || d.Status != want {
			t.Errorf("a night of booking %v reads %+v, want %s", res[0]["reservation_code"], d, want)
		}
	}
}

// Issue 9, item 9 (Hostex currency): the published schema gives no currency
// for a property, a channel listing or a listing calendar day; only a
// reservation's rates have one. A channels[].currency, which the old client
// read, is not trusted: the property and its calendar prices carry no
// currency, and a reservation's total keeps its rates' currency.
func TestCurrencyOnlyWhereTheSpecGivesIt(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	prop := `{"request_id":"x","error_code":0,"error_msg":"Done.","data":{"total":1,"properties":[{"id":12111947,"title":"Railyard Loft",` +
		`"channels":[{"channel_type":"booking_site","listing_id":"8810234","currency":"EUR"},{"channel_type":"airbnb","listing_id":"53012345","currency":"EUR"}]}]}}`
	e.V.Fail(sandbox.Fault{Path: "/properties", Body: prop, Times: 2})
	p, err := c.GetProperty(ctx, "12111947")
	if err != nil || p.Currency != "" {
		t.Errorf("property currency %q (%v), want none", p.Currency, err)
	}
	days, err := c.Calendar(ctx, "12111947", connector.DateRange{From: e.Day(1), To: e.Day(3)})
	if err != nil || len(days) != 3 {
		t.Fatalf("calendar: %d days, %v", len(days), err)
	}
	for _, d := range days {
		if d.Price == nil || d.Price.Currency != "" {
			t.Errorf("day %+v: a price without a currency is wanted", d)
		}
	}
	rs, err := c.ListReservations(ctx, connector.ReservationQuery{Limit: 3})
	if err != nil || len(rs) == 0 {
		t.Fatalf("reservations: %v", err)
	}
	for _, r := range rs {
		if r.Total == nil || r.Total.Currency != "USD" {
			t.Errorf("reservation %s total %+v, want the rates' USD", r.ID, r.Total)
		}
	}
}
