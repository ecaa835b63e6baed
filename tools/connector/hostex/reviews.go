package hostex

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// reviewStatuses are the GET /reviews states that can hold a guest's review
// [C]: "reviewed" (both sides) and "pending_host_review" (the guest has, the
// host has not). Hostex filters on one at a time and defaults to
// "reviewed", which alone would hide the reviews still awaiting the host.
var reviewStatuses = []string{"reviewed", "pending_host_review"}

// ListReviews returns guests' reviews from Hostex's default window
// (check-outs in the last 180 days [C]), newest check-out first.
func (c *conn) ListReviews(ctx context.Context, q connector.ReviewQuery) ([]connector.Review, error) {
	var out []connector.Review
	for _, status := range reviewStatuses {
		v := url.Values{"review_status": {status}}
		if q.PropertyID != "" {
			v.Set("property_id", q.PropertyID)
		}
		rs, err := list[wireReview](ctx, c, connector.Request{Op: "list reviews", Method: http.MethodGet, Path: "/reviews", Query: v}, "reviews", 0)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.GuestReview != nil {
				out = append(out, r.normalize())
			}
		}
	}
	slices.SortStableFunc(out, func(a, b connector.Review) int {
		if c := strings.Compare(b.CheckOut, a.CheckOut); c != 0 {
			return c
		}
		return b.SubmittedAt.Compare(a.SubmittedAt)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	if out == nil {
		out = []connector.Review{}
	}
	return out, nil
}

// normalize maps a review. Hostex reviews have no id of their own [C]:
// the reservation code names one, in GET /reviews and in POST
// /reviews/{reservation_code}, so it is the review's ID too.
func (r wireReview) normalize() connector.Review {
	out := connector.Review{
		ID:            connector.QualifiedID(vendor, r.ReservationCode),
		Vendor:        vendor,
		PropertyID:    connector.QualifiedID(vendor, idOf(r.PropertyID)),
		ReservationID: connector.QualifiedID(vendor, r.ReservationCode),
		Channel:       r.ChannelType,
		CheckOut:      r.CheckOutDate,
	}
	if g := r.GuestReview; g != nil {
		out.Rating, out.Text, out.SubmittedAt = g.Score, g.Content, parseTime(g.CreatedAt)
		out.RatingScale = 5 // score 0–5 [C]
	}
	if r.HostReply != nil {
		out.Reply = r.HostReply.Content
	}
	return out
}
