package connector

import "time"

// Money is an amount in a currency's major unit (dollars, euros).
type Money struct {
	Amount float64 `json:"amount"`
	// Currency is the ISO 4217 code; absent where the vendor does not say
	// (Hostex publishes no currency for a property's nightly prices).
	Currency string `json:"currency,omitempty" jsonschema_description:"ISO 4217 code; absent when the vendor does not say which (ask the host)"`
}

// Property is a rental unit (a Hostex property, Hospitable property,
// Hostaway listing).
type Property struct {
	ID        string   `json:"id" jsonschema_description:"vendor-qualified id, e.g. hostex:12111947"`
	Vendor    string   `json:"vendor"`
	Name      string   `json:"name"`
	Address   string   `json:"address,omitempty"`
	City      string   `json:"city,omitempty"`
	Country   string   `json:"country,omitempty"`
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	Timezone  string   `json:"timezone,omitempty"`
	Bedrooms  *int     `json:"bedrooms,omitempty"`
	Bathrooms *float64 `json:"bathrooms,omitempty"`
	MaxGuests *int     `json:"max_guests,omitempty"`
	Currency  string   `json:"currency,omitempty"`
	// CheckInTime and CheckOutTime are the property's usual times, HH:MM
	// local, where the vendor gives them.
	CheckInTime  string `json:"check_in_time,omitempty" jsonschema_description:"usual check-in time, HH:MM in the property's time zone"`
	CheckOutTime string `json:"check_out_time,omitempty" jsonschema_description:"usual check-out time, HH:MM in the property's time zone"`
	// Channels are the booking channels the property is listed on.
	Channels []string `json:"channels,omitempty"`
}

// Reservation statuses, normalized across vendors.
const (
	StatusInquiry   = "inquiry"
	StatusPending   = "pending" // request, awaiting acceptance or payment
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
	StatusDeclined  = "declined" // declined, expired, timed out
	StatusOther     = "other"
)

// Reservation is a booking.
type Reservation struct {
	ID             string    `json:"id" jsonschema_description:"vendor-qualified id, e.g. hostaway:13"`
	Vendor         string    `json:"vendor"`
	PropertyID     string    `json:"property_id,omitempty" jsonschema_description:"vendor-qualified property id"`
	Code           string    `json:"code,omitempty" jsonschema_description:"the booking channel's confirmation code"`
	Channel        string    `json:"channel,omitempty"`
	Status         string    `json:"status" jsonschema:"enum=inquiry,enum=pending,enum=confirmed,enum=cancelled,enum=declined,enum=other"`
	VendorStatus   string    `json:"vendor_status,omitempty"`
	CheckIn        string    `json:"check_in" jsonschema_description:"YYYY-MM-DD"`
	CheckOut       string    `json:"check_out" jsonschema_description:"YYYY-MM-DD"`
	Nights         int       `json:"nights,omitempty"`
	Guests         int       `json:"guests,omitempty"`
	GuestName      string    `json:"guest_name,omitempty"`
	GuestEmail     string    `json:"guest_email,omitempty"`
	GuestPhone     string    `json:"guest_phone,omitempty"`
	Total          *Money    `json:"total,omitempty"`
	BookedAt       time.Time `json:"booked_at,omitzero"`
	ConversationID string    `json:"conversation_id,omitempty" jsonschema_description:"vendor-qualified conversation id, for get_messages and send_message"`
}

// CalendarDay is one night of a property's calendar.
type CalendarDay struct {
	Date      string `json:"date" jsonschema_description:"YYYY-MM-DD"`
	Available bool   `json:"available"`
	Status    string `json:"status,omitempty" jsonschema_description:"available, reserved or blocked"`
	Price     *Money `json:"price,omitempty"`
	MinStay   int    `json:"min_stay,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Conversation is a guest thread.
type Conversation struct {
	ID            string    `json:"id" jsonschema_description:"vendor-qualified id"`
	Vendor        string    `json:"vendor"`
	GuestName     string    `json:"guest_name,omitempty"`
	PropertyID    string    `json:"property_id,omitempty"`
	ReservationID string    `json:"reservation_id,omitempty"`
	Channel       string    `json:"channel,omitempty"`
	LastMessageAt time.Time `json:"last_message_at,omitzero"`
}

// Message is one message in a conversation.
type Message struct {
	ID     string    `json:"id,omitempty"`
	Sender string    `json:"sender" jsonschema:"enum=host,enum=guest,enum=system"`
	Body   string    `json:"body"`
	SentAt time.Time `json:"sent_at,omitzero"`
}

// Review is a guest's review of a stay.
type Review struct {
	ID            string   `json:"id,omitempty"`
	Vendor        string   `json:"vendor"`
	PropertyID    string   `json:"property_id,omitempty"`
	ReservationID string   `json:"reservation_id,omitempty"`
	Channel       string   `json:"channel,omitempty"`
	Rating        *float64 `json:"rating,omitempty" jsonschema_description:"as the vendor scores it, out of rating_scale"`
	// RatingScale is the best rating on the vendor's scale, so ratings of
	// several vendors can be compared (Hostex and Hospitable 5, Hostaway 10).
	RatingScale int       `json:"rating_scale,omitempty" jsonschema_description:"the best possible rating on this review's scale (5 or 10); divide to compare vendors"`
	Text        string    `json:"text,omitempty"`
	Reply       string    `json:"reply,omitempty"`
	GuestName   string    `json:"guest_name,omitempty"`
	CheckOut    string    `json:"check_out,omitempty"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
}

// Site is a HoxtonAI venue with footfall sensors.
type Site struct {
	ID       string    `json:"id" jsonschema_description:"vendor-qualified id, e.g. hoxtonai:<uuid>"`
	Vendor   string    `json:"vendor"`
	Name     string    `json:"name"`
	Address  string    `json:"address,omitempty"`
	Timezone string    `json:"timezone,omitempty"`
	Monitors []Monitor `json:"monitors,omitempty"`
}

// Monitor is a HoxtonAI people-count or occupancy monitor.
type Monitor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind" jsonschema:"enum=people_count,enum=occupancy"`
}

// FootfallReport counts people at a site over days.
type FootfallReport struct {
	SiteID string        `json:"site_id"`
	From   string        `json:"from"`
	To     string        `json:"to"`
	Days   []FootfallDay `json:"days"`
	Total  int           `json:"total"`
}

// FootfallDay is one day's count.
type FootfallDay struct {
	Date string `json:"date"`
	In   int    `json:"in"`
	Out  int    `json:"out,omitempty"`
	Peak int    `json:"peak_occupancy,omitempty"`
}

// Account identifies the vendor account behind a credential.
type Account struct {
	ID   string // the vendor's id for the account; stable
	Name string // a label to show the host
}
