package connector

import "context"

// Connector reads one vendor account on behalf of one host. Every method
// honours ctx and returns errors that wrap this package's sentinels.
type Connector interface {
	// Check makes the cheapest authenticated call and says whose account
	// the credential opens.
	Check(ctx context.Context) (Account, error)
}

// The optional capabilities, found by type assertion. A vendor implements
// the ones its API has.
type (
	PropertyLister interface {
		ListProperties(ctx context.Context) ([]Property, error)
	}
	PropertyGetter interface {
		GetProperty(ctx context.Context, id string) (Property, error)
	}
	ReservationLister interface {
		ListReservations(ctx context.Context, q ReservationQuery) ([]Reservation, error)
	}
	ReservationGetter interface {
		GetReservation(ctx context.Context, id string) (Reservation, error)
	}
	CalendarReader interface {
		Calendar(ctx context.Context, propertyID string, r DateRange) ([]CalendarDay, error)
	}
	ConversationLister interface {
		ListConversations(ctx context.Context, q ConversationQuery) ([]Conversation, error)
	}
	// ConversationGetter returns one conversation with what the vendor
	// knows of it (guest, property, reservation).
	ConversationGetter interface {
		Conversation(ctx context.Context, id string) (Conversation, error)
	}
	MessageReader interface {
		Messages(ctx context.Context, conversationID string) ([]Message, error)
	}
	MessageSender interface {
		SendMessage(ctx context.Context, conversationID, body string) (Message, error)
	}
	// CalendarWriter changes a property's nights: open or block them, set
	// the nightly price or the minimum stay. It returns what the vendor
	// reports the calendar to be afterwards, for the changed nights, when
	// its API answers with it; nil otherwise.
	CalendarWriter interface {
		UpdateCalendar(ctx context.Context, propertyID string, c CalendarChange) ([]CalendarDay, error)
	}
	// ReviewReplier posts the host's public reply to a guest's review.
	// reviewID is the vendor's own id as the vendor's ListReviews put it
	// into Review.ID (unqualified).
	ReviewReplier interface {
		ReplyToReview(ctx context.Context, reviewID, reply string) error
	}
	ReviewLister interface {
		ListReviews(ctx context.Context, q ReviewQuery) ([]Review, error)
	}
	SiteLister interface {
		ListSites(ctx context.Context) ([]Site, error)
	}
	FootfallReader interface {
		Footfall(ctx context.Context, siteID string, r DateRange) (FootfallReport, error)
	}
)

// DateRange is an inclusive range of dates, YYYY-MM-DD. Empty ends mean the
// vendor's default window.
type DateRange struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// CalendarChange is one change to a property's calendar over the nights
// of Range (inclusive). A nil field leaves that part of each night as it
// is; at least one is set.
type CalendarChange struct {
	Range DateRange
	// Available opens (true) or blocks (false) the nights.
	Available *bool
	// Price is the nightly price, in the property's currency.
	Price *Money
	// MinStay is the minimum number of nights for a stay starting on
	// these nights.
	MinStay *int
}

// ReservationQuery filters reservations. IDs in it are the vendor's own
// (unqualified).
type ReservationQuery struct {
	// Range applies to check-in dates, or check-out dates if ByCheckOut.
	Range      DateRange
	ByCheckOut bool
	PropertyID string
	// Status is a normalized status (StatusConfirmed, ...); empty for all.
	Status string
	// Limit caps the results; 0 means the vendor client's own cap.
	Limit int
}

// ConversationQuery filters conversations.
type ConversationQuery struct {
	ReservationID string
	Limit         int
}

// ReviewQuery filters reviews.
type ReviewQuery struct {
	PropertyID string
	Limit      int
}
