package connector

import (
	"context"
	"time"
)

// The capabilities of the jobs hosts hand an agent beyond reading
// bookings: money, inquiries and quotes, a stay's details, and tasks.
// Like the others they are optional, found by type assertion; a vendor
// implements what its published API has.
type (
	// PayoutLister lists what the vendor paid out to the host.
	PayoutLister interface {
		ListPayouts(ctx context.Context, q MoneyQuery) ([]Payout, error)
	}
	// TransactionLister lists the money movements behind the payouts.
	TransactionLister interface {
		ListTransactions(ctx context.Context, q MoneyQuery) ([]Transaction, error)
	}
	// InquiryLister lists guests' questions and booking requests not yet
	// confirmed.
	InquiryLister interface {
		ListInquiries(ctx context.Context, q InquiryQuery) ([]Inquiry, error)
	}
	// QuoteMaker prices a stay and returns the link a guest books it
	// through (a quote or special offer).
	QuoteMaker interface {
		MakeQuote(ctx context.Context, q QuoteRequest) (Quote, error)
	}
	// StayUpdater changes a reservation's details the host keeps: the
	// host's note, the door code, the expected arrival and departure
	// times. StayFields names the fields of StayUpdate the vendor takes.
	StayUpdater interface {
		StayFields() []string
		UpdateStay(ctx context.Context, u StayUpdate) error
	}
	// TaskLister lists the vendor's tasks (cleaning, maintenance).
	TaskLister interface {
		ListTasks(ctx context.Context, q TaskQuery) ([]Task, error)
	}
	// TaskWriter creates a task, or changes one when t.ID is set, and
	// returns it as the vendor holds it afterwards.
	TaskWriter interface {
		SaveTask(ctx context.Context, t Task) (Task, error)
	}
)

// MoneyQuery asks for payouts or transactions dated in a range.
type MoneyQuery struct {
	Range DateRange
	// Limit caps the results; 0 means the vendor client's own cap.
	Limit int
}

// Payout is money the vendor (or a channel through it) sent the host.
type Payout struct {
	ID     string `json:"id" jsonschema_description:"vendor-qualified id"`
	Vendor string `json:"vendor"`
	// Date is when it was paid (or is expected), YYYY-MM-DD.
	Date   string `json:"date,omitempty"`
	Amount Money  `json:"amount"`
	// Status is the vendor's word for where the payout stands.
	Status   string `json:"status,omitempty"`
	Channel  string `json:"channel,omitempty"`
	BankInfo string `json:"bank_info,omitempty" jsonschema_description:"the account it went to, as the vendor masks it"`
	// ReservationIDs are the stays it pays for, vendor-qualified, where
	// the vendor says.
	ReservationIDs []string `json:"reservation_ids,omitempty"`
}

// Transaction is one money movement: a stay's earnings, a fee, an
// adjustment, a refund.
type Transaction struct {
	ID     string `json:"id" jsonschema_description:"vendor-qualified id"`
	Vendor string `json:"vendor"`
	Date   string `json:"date,omitempty" jsonschema_description:"YYYY-MM-DD"`
	// Kind is the vendor's type of the movement.
	Kind          string `json:"kind,omitempty"`
	Description   string `json:"description,omitempty"`
	Amount        Money  `json:"amount"`
	Channel       string `json:"channel,omitempty"`
	ReservationID string `json:"reservation_id,omitempty" jsonschema_description:"vendor-qualified reservation id"`
	PayoutID      string `json:"payout_id,omitempty" jsonschema_description:"vendor-qualified payout id"`
}

// InquiryQuery asks for inquiries whose stay starts in a range.
type InquiryQuery struct {
	Range      DateRange
	PropertyID string
	Limit      int
}

// Inquiry is a guest's question or booking request that is not (yet) a
// confirmed stay.
type Inquiry struct {
	ID         string `json:"id" jsonschema_description:"vendor-qualified id"`
	Vendor     string `json:"vendor"`
	PropertyID string `json:"property_id,omitempty"`
	Channel    string `json:"channel,omitempty"`
	// Status is the vendor's own status (an inquiry, a request awaiting
	// acceptance or payment, a pre-approval).
	Status     string    `json:"status,omitempty"`
	GuestName  string    `json:"guest_name,omitempty"`
	CheckIn    string    `json:"check_in,omitempty" jsonschema_description:"YYYY-MM-DD"`
	CheckOut   string    `json:"check_out,omitempty" jsonschema_description:"YYYY-MM-DD"`
	Guests     int       `json:"guests,omitempty"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	// ConversationID is where to answer it with send_message, where the
	// vendor has one.
	ConversationID string `json:"conversation_id,omitempty" jsonschema_description:"vendor-qualified conversation id for get_messages and send_message"`
}

// QuoteRequest asks a price for a stay.
type QuoteRequest struct {
	PropertyID        string
	CheckIn, CheckOut string
	Adults, Children  int
	Infants, Pets     int
	GuestName         string
	GuestEmail        string
}

// Quote is a priced stay a guest can book through its link.
type Quote struct {
	ID         string `json:"id,omitempty"`
	PropertyID string `json:"property_id"`
	CheckIn    string `json:"check_in"`
	CheckOut   string `json:"check_out"`
	Total      *Money `json:"total,omitempty"`
	// BookingURL is the link the guest books through.
	BookingURL string    `json:"booking_url,omitempty"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
}

// The fields a StayUpdate may carry, as StayFields names them.
const (
	StayHostNote      = "host_note"
	StayDoorCode      = "door_code"
	StayArrivalTime   = "arrival_time"
	StayDepartureTime = "departure_time"
)

// StayUpdate changes a reservation's details; a nil field is left alone
// and an empty string clears it.
type StayUpdate struct {
	ReservationID string
	HostNote      *string
	DoorCode      *string
	// ArrivalTime and DepartureTime are HH:MM, local to the property.
	ArrivalTime   *string
	DepartureTime *string
}

// TaskQuery asks for tasks due in a range.
type TaskQuery struct {
	Range      DateRange
	PropertyID string
	Limit      int
}

// Task is a job at a property: a cleaning, a repair, a check.
type Task struct {
	ID            string `json:"id,omitempty" jsonschema_description:"vendor-qualified id"`
	Vendor        string `json:"vendor,omitempty"`
	PropertyID    string `json:"property_id,omitempty"`
	ReservationID string `json:"reservation_id,omitempty"`
	Title         string `json:"title"`
	Description   string `json:"description,omitempty"`
	// Status is the vendor's word for it (pending, confirmed, completed…).
	Status   string `json:"status,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	// Due is when it must be done: an RFC 3339 time, or a date.
	Due string `json:"due,omitempty"`
}
