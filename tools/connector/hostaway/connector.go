package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// Connector is one Hostaway account. Besides Check it lists and reads
// listings, their calendars, reservations, conversations, messages and
// reviews, sends messages and changes calendars; it lists inquiries (the
// reservations in inquiry and request statuses), the guest charges
// Hostaway collected, and tasks, changes a stay's note, door code and
// hours, and creates and changes tasks. It does not reply to reviews:
// Hostaway's published API has no endpoint for it (only GET /v1/reviews
// and /v1/reviews/{id} [C]). Nor does it list payouts (channels pay hosts
// directly; Hostaway's API has no payout object) or make quotes (its price
// calculation, POST /v1/listings/{id}/calendar/priceDetails, prices a stay
// but sends the guest nothing and gives no link to book it by).
type Connector struct {
	c connector.Client
}

// The capabilities Hostaway's API has.
var (
	_ connector.PropertyLister     = (*Connector)(nil)
	_ connector.PropertyGetter     = (*Connector)(nil)
	_ connector.CalendarReader     = (*Connector)(nil)
	_ connector.CalendarWriter     = (*Connector)(nil)
	_ connector.ReservationLister  = (*Connector)(nil)
	_ connector.ReservationGetter  = (*Connector)(nil)
	_ connector.ConversationLister = (*Connector)(nil)
	_ connector.MessageReader      = (*Connector)(nil)
	_ connector.MessageSender      = (*Connector)(nil)
	_ connector.ReviewLister       = (*Connector)(nil)
	_ connector.InquiryLister      = (*Connector)(nil)
	_ connector.TransactionLister  = (*Connector)(nil)
	_ connector.StayUpdater        = (*Connector)(nil)
	_ connector.TaskLister         = (*Connector)(nil)
	_ connector.TaskWriter         = (*Connector)(nil)
)

func newConnector(s *connector.Spec, ts connector.TokenSource) connector.Connector {
	return &Connector{c: connector.NewClient(s, ts, api{})}
}

// Check fetches one listing, the cheapest authenticated call, and names
// the account by its id: Hostaway has no "who am I" endpoint, and the
// account id is what the host typed and what the token was minted for.
func (h *Connector) Check(ctx context.Context) (connector.Account, error) {
	if _, err := h.do(ctx, connector.Request{Op: "check", Method: http.MethodGet, Path: "/listings", Query: url.Values{"limit": {"1"}}}); err != nil {
		return connector.Account{}, err
	}
	cred, err := h.c.Source.Token(ctx)
	if err != nil {
		return connector.Account{}, fmt.Errorf("hostaway: check: %w", err)
	}
	if cred.ClientID == "" {
		return connector.Account{}, fmt.Errorf("hostaway: check: the credential names no account: %w", connector.ErrNeedsReauth)
	}
	return connector.Account{ID: cred.ClientID, Name: "Hostaway account " + cred.ClientID}, nil
}

// maxPages bounds any listing loop, whatever the vendor answers.
const maxPages = 200

// maxPageSize is what the client asks for when Spec.PageSize is 0 [I].
const maxPageSize = 100

func (h *Connector) pageSize() int { return h.c.Spec.PageLimit(maxPageSize) }

// pages walks an offset-paginated list, calling add with each page's
// result until a short page, the last of totalPages, the page cap or add
// says stop. totalPages rather than count ends the walk: the docs' only
// example cannot tell whether count is the page's or the list's.
func (h *Connector) pages(ctx context.Context, op, path string, q url.Values, add func(json.RawMessage) (n int, more bool, err error)) error {
	size := h.pageSize()
	offset := 0
	for page := 0; page < maxPages; page++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("limit", fmt.Sprint(size))
		pq.Set("offset", fmt.Sprint(offset))
		env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: path, Query: pq})
		if err != nil {
			return err
		}
		n, more, err := add(env.Result)
		if err != nil {
			return err
		}
		offset += n
		if !more || n < size || env.TotalPages > 0 && page+1 >= int(env.TotalPages) {
			return nil
		}
	}
	return nil
}

// ownID accepts a Hostaway id bare or vendor-qualified and insists it is
// numeric, which also keeps it safe in a path.
func ownID(id string) (string, error) {
	id = strings.TrimPrefix(id, Vendor+":")
	if id == "" || strings.Trim(id, "0123456789") != "" || len(id) > 20 {
		return "", fmt.Errorf("hostaway: %q is not a Hostaway id: %w", id, connector.ErrBadRequest)
	}
	return id, nil
}

func qid(id intval) string { return connector.QualifiedID(Vendor, id.String()) }

// decodeList reads a list's result: an array of objects [C], each with
// the members hostgate needs (readable says so; an id at least). A result
// that is absent, null or not an array, or an item without those members,
// is not an empty list but an answer hostgate does not know, and fails
// the call (issue 9, item 10).
func decodeList[T any](op string, raw json.RawMessage, readable func(T) bool) ([]T, error) {
	var page []T
	if len(raw) == 0 || json.Unmarshal(raw, &page) != nil || page == nil {
		return nil, badResult(op)
	}
	for _, it := range page {
		if !readable(it) {
			return nil, badResult(op)
		}
	}
	return page, nil
}

// badResult reports a success envelope whose result is not the documented
// shape.
func badResult(op string) error {
	return connector.Malformed(Vendor, op, http.StatusOK, "unexpected result shape")
}

// channelNames gives hostgate's channel names, those the other vendors'
// clients use, to Hostaway's predefined channel ids [C: Reservation
// channels: 2000 direct, 2002 homeaway, 2005 bookingcom, 2007 expedia,
// 2018 airbnbOfficial]. Other channels keep Hostaway's own name.
var channelNames = map[intval]string{2000: "direct", 2002: "vrbo", 2005: "booking", 2007: "expedia", 2018: "airbnb"}

// channel names a booking channel from its id, or else Hostaway's name.
func channel(id intval, name string) string {
	if n, ok := channelNames[id]; ok {
		return n
	}
	switch strings.ToLower(name) {
	case "airbnbofficial", "airbnb":
		return "airbnb"
	case "bookingcom":
		return "booking"
	case "homeaway", "vrbo":
		return "vrbo"
	}
	return name
}
