package connectortest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// RunWrites runs the write suite against h's fake. Where the connector is
// a CalendarWriter it blocks, opens, prices and sets the minimum stay of
// free nights of the first property, and checks that each change is
// exactly one write at the fake and shows in the next Calendar read. Where
// it is a ReviewReplier it replies to the newest unanswered review and
// checks that the fake got exactly that reply and the next ListReviews
// shows it, and that a second reply is refused. For both, bad inputs must
// fail with the right sentinel, no secret in their text, and no write.
//
// The fake must be seeded around h.Spec.Now, which also dates the writes,
// and its rate limits must not get in the way of a few dozen calls.
func RunWrites(t *testing.T, h Harness) {
	t.Helper()
	if h.Spec == nil || h.Vendor == nil || h.Spec.Now == nil {
		t.Fatal("connectortest: RunWrites needs Spec (with Now) and Vendor")
	}
	c := h.Spec.New(h.Spec, connector.StaticSource(h.Cred))
	_, calendar := c.(connector.CalendarWriter)
	_, replies := c.(connector.ReviewReplier)
	if !calendar && !replies {
		t.Fatalf("%s has no write capability to test", h.Spec.Name)
	}
	if calendar {
		t.Run("calendar", func(t *testing.T) { testCalendarWrites(t, h, c) })
	}
	if replies {
		t.Run("review reply", func(t *testing.T) { testReviewReply(t, h, c) })
	}
}

func testCalendarWrites(t *testing.T, h Harness, c connector.Connector) {
	ctx := context.Background()
	cw := c.(connector.CalendarWriter)
	cr, ok := c.(connector.CalendarReader)
	if !ok {
		t.Fatal("a CalendarWriter must be a CalendarReader, to show its writes")
	}
	pl, ok := c.(connector.PropertyLister)
	if !ok {
		t.Fatal("a CalendarWriter must be a PropertyLister, to find a property")
	}
	props, err := pl.ListProperties(ctx)
	if err != nil || len(props) == 0 {
		t.Fatalf("ListProperties = %d, %v", len(props), err)
	}
	_, id, _ := connector.SplitID(props[0].ID)
	currency := props[0].Currency
	if pg, ok := c.(connector.PropertyGetter); ok && currency == "" {
		if p, err := pg.GetProperty(ctx, id); err == nil {
			currency = p.Currency
		}
	}

	// Two free nights a week or more ahead, so that blocking and opening
	// them is seen in the availability.
	today := h.Spec.Now().UTC().Truncate(24 * time.Hour)
	days, err := cr.Calendar(ctx, id, connector.DateRange{From: date(today.AddDate(0, 0, 7)), To: date(today.AddDate(0, 0, 97))})
	if err != nil {
		t.Fatalf("Calendar: %v", err)
	}
	var nights []string
	for i := 0; i+1 < len(days) && nights == nil; i++ {
		if days[i].Available && days[i+1].Available {
			nights = []string{days[i].Date, days[i+1].Date}
		}
	}
	if nights == nil {
		t.Fatal("no two free nights in the next 90 days; the fake seeds gaps")
	}
	r := connector.DateRange{From: nights[0], To: nights[1]}
	yes, no, four := true, false, 4
	price := &connector.Money{Amount: 321, Currency: currency}
	for _, tc := range []struct {
		name   string
		change connector.CalendarChange
		holds  func(connector.CalendarDay) bool
	}{
		{"block", connector.CalendarChange{Range: r, Available: &no}, func(d connector.CalendarDay) bool { return !d.Available }},
		{"open", connector.CalendarChange{Range: r, Available: &yes}, func(d connector.CalendarDay) bool { return d.Available }},
		{"price", connector.CalendarChange{Range: r, Price: price},
			func(d connector.CalendarDay) bool { return d.Price != nil && d.Price.Amount == price.Amount }},
		{"min stay", connector.CalendarChange{Range: r, MinStay: &four}, func(d connector.CalendarDay) bool { return d.MinStay == four }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.Vendor.CalendarWrites())
			echo, err := cw.UpdateCalendar(ctx, id, tc.change)
			if err != nil {
				t.Fatalf("UpdateCalendar: %v", err)
			}
			for _, d := range echo {
				if d.Date < r.From || d.Date > r.To || !tc.holds(d) {
					t.Errorf("UpdateCalendar answered %+v", d)
				}
			}
			writes := h.Vendor.CalendarWrites()[before:]
			if len(writes) != 1 {
				t.Fatalf("the fake got %d writes, want 1: %+v", len(writes), writes)
			}
			w := writes[0]
			if !slices.Equal(w.Dates, nights) || (w.Available != nil) != (tc.change.Available != nil) ||
				(w.Price != nil) != (tc.change.Price != nil) || (w.MinStay != nil) != (tc.change.MinStay != nil) {
				t.Errorf("the fake got %+v for %+v", w, tc.change)
			}
			got, err := cr.Calendar(ctx, id, r)
			if err != nil || len(got) != len(nights) {
				t.Fatalf("Calendar after the write = %+v, %v", got, err)
			}
			for _, d := range got {
				if !tc.holds(d) {
					t.Errorf("after %s, %s reads %+v (price %v)", tc.name, d.Date, d, d.Price)
				}
			}
		})
	}

	past := date(today.AddDate(0, 0, -30))
	bad := []struct {
		name   string
		id     string
		change connector.CalendarChange
		want   error
	}{
		{"nothing to change", id, connector.CalendarChange{Range: r}, connector.ErrBadRequest},
		{"no first night", id, connector.CalendarChange{Available: &no}, connector.ErrBadRequest},
		{"not a date", id, connector.CalendarChange{Range: connector.DateRange{From: "2026-13-01"}, Available: &no}, connector.ErrBadRequest},
		{"ends before it starts", id, connector.CalendarChange{Range: connector.DateRange{From: r.To, To: r.From}, Available: &no}, connector.ErrBadRequest},
		{"nights in the past", id, connector.CalendarChange{Range: connector.DateRange{From: past, To: past}, Available: &no}, connector.ErrBadRequest},
		{"min stay 0", id, connector.CalendarChange{Range: r, MinStay: new(int)}, connector.ErrBadRequest},
		{"negative price", id, connector.CalendarChange{Range: r, Price: &connector.Money{Amount: -5, Currency: currency}}, connector.ErrBadRequest},
		{"unknown property", "999999999", connector.CalendarChange{Range: r, Available: &no}, connector.ErrNotFound},
	}
	if currency != "" {
		bad = append(bad, struct {
			name   string
			id     string
			change connector.CalendarChange
			want   error
		}{"another currency", id, connector.CalendarChange{Range: r, Price: &connector.Money{Amount: 100, Currency: "XXX"}}, connector.ErrBadRequest})
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.Vendor.CalendarWrites())
			_, err := cw.UpdateCalendar(ctx, tc.id, tc.change)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			noSecret(t, h, err)
			if n := len(h.Vendor.CalendarWrites()) - before; n != 0 {
				t.Errorf("a refused change made %d writes", n)
			}
		})
	}
}

func testReviewReply(t *testing.T, h Harness, c connector.Connector) {
	ctx := context.Background()
	rr := c.(connector.ReviewReplier)
	rl, ok := c.(connector.ReviewLister)
	if !ok {
		t.Fatal("a ReviewReplier must be a ReviewLister, to name the reviews")
	}
	reviews, err := rl.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil {
		t.Fatalf("ListReviews: %v", err)
	}
	var target connector.Review
	for _, r := range reviews {
		if r.Reply == "" && r.ID != "" && r.SubmittedAt.After(target.SubmittedAt) {
			target = r
		}
	}
	if target.ID == "" {
		t.Fatal("no unanswered review with an ID; the fake seeds some")
	}
	vendor, id, err := connector.SplitID(target.ID)
	if err != nil || vendor != h.Spec.Name {
		t.Fatalf("review ID %q is not qualified with %q", target.ID, h.Spec.Name)
	}

	const text = "Thank you for staying with us, come back soon!"
	before := len(h.Vendor.ReviewReplies())
	if err := rr.ReplyToReview(ctx, id, text); err != nil {
		t.Fatalf("ReplyToReview(%s): %v", id, err)
	}
	got := h.Vendor.ReviewReplies()[before:]
	if len(got) != 1 || got[0].Text != text {
		t.Fatalf("the fake got %+v, want one reply", got)
	}
	after, err := rl.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range after {
		if r.ID == target.ID {
			found = true
			if r.Reply != text {
				t.Errorf("after the reply, ListReviews has %+v", r)
			}
		}
	}
	if !found {
		t.Errorf("review %s gone after the reply", target.ID)
	}

	for _, tc := range []struct {
		name, id, reply string
		want            error // nil: any refusal
	}{
		{"a second reply", id, "And again!", nil},
		{"empty reply", id, "  ", connector.ErrBadRequest},
		{"no review id", "", text, connector.ErrBadRequest},
		{"unknown review", "nonexistent-review-0", text, connector.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.Vendor.ReviewReplies())
			err := rr.ReplyToReview(ctx, tc.id, tc.reply)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			noSecret(t, h, err)
			if n := len(h.Vendor.ReviewReplies()) - before; n != 0 {
				t.Errorf("a refused reply was accepted %d times", n)
			}
		})
	}
}

func date(t time.Time) string { return t.Format(time.DateOnly) }
