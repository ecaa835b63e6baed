package hostaway

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/hostgate/hostgate/tools/connector"
)

// review is the part of a Hostaway review hostgate uses [C]; submittedAt
// and channelId are [I].
type review struct {
	ID               intval  `json:"id"`
	ListingMapID     intval  `json:"listingMapId"`
	ReservationID    intval  `json:"reservationId"`
	ChannelID        intval  `json:"channelId"`
	Rating           numval  `json:"rating"`
	PublicReview     *string `json:"publicReview"`
	RevieweeResponse *string `json:"revieweeResponse"`
	DepartureDate    string  `json:"departureDate"`
	GuestName        string  `json:"guestName"`
	SubmittedAt      string  `json:"submittedAt"`
}

func (r review) normalized() connector.Review {
	out := connector.Review{
		ID:            qid(r.ID),
		Vendor:        Vendor,
		PropertyID:    qid(r.ListingMapID),
		ReservationID: qid(r.ReservationID),
		Channel:       channel(r.ChannelID, ""),
		Rating:        r.Rating.ptr(),
		RatingScale:   10, // Hostaway scores 0–10 [C]
		GuestName:     r.GuestName,
		CheckOut:      date(r.DepartureDate),
		SubmittedAt:   parseTime(r.SubmittedAt),
	}
	if r.PublicReview != nil {
		out.Text = *r.PublicReview
	}
	if r.RevieweeResponse != nil {
		out.Reply = *r.RevieweeResponse
	}
	return out
}

// ListReviews pages the guests' reviews of stays: GET /v1/reviews with
// type=guest-to-host and, for one property, listingMapIds[] [C].
func (h *Connector) ListReviews(ctx context.Context, q connector.ReviewQuery) ([]connector.Review, error) {
	const op = "list reviews"
	params := url.Values{"type": {"guest-to-host"}}
	if q.PropertyID != "" {
		id, err := ownID(q.PropertyID)
		if err != nil {
			return nil, err
		}
		params.Set("listingMapIds[]", id)
	}
	var out []connector.Review
	err := h.pages(ctx, op, "/reviews", params, func(raw json.RawMessage) (int, bool, error) {
		var page []review
		if err := json.Unmarshal(raw, &page); err != nil {
			return 0, false, badResult(op)
		}
		for _, r := range page {
			out = append(out, r.normalized())
		}
		return len(page), q.Limit <= 0 || len(out) < q.Limit, nil
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, err
}
