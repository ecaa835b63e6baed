package hospitable

import (
	"encoding/json"
	"regexp"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hospitable JSON, written from docs/vendors.md, "Hospitable" (the v2 OpenAPI examples [C];
// the live field names checkin/checkout [T]; the review shape is the published Review [C]). Only
// the fields hostgate reads are declared. Ids such as a message's
// platform_id are numbers in some payloads and strings in others: such
// fields are connector.Text.

type wireProperty struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PublicName string `json:"public_name"`
	Address    struct {
		City        string `json:"city"`
		Country     string `json:"country"`
		Display     string `json:"display"`
		Coordinates *struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
		} `json:"coordinates"`
	} `json:"address"`
	Timezone string `json:"timezone"`
	Currency string `json:"currency"`
	// The usual check-in and check-out times, "HH:MM" where the property
	// is: "check-in" and "check-out" in the reference [C], "checkin" and
	// "checkout" in live answers [T].
	CheckIn      string `json:"check-in"`
	CheckOut     string `json:"check-out"`
	LiveCheckin  string `json:"checkin"`
	LiveCheckout string `json:"checkout"`
	Capacity     *struct {
		Max       *int     `json:"max"`
		Bedrooms  *int     `json:"bedrooms"`
		Bathrooms *float64 `json:"bathrooms"`
	} `json:"capacity"`
	Listings []struct {
		Platform string `json:"platform"`
	} `json:"listings"`
}

// wireMoney is an amount in cents [C].
type wireMoney struct {
	Amount *json.Number `json:"amount"`
}

type wireReservation struct {
	ID                string         `json:"id"`
	ConversationID    string         `json:"conversation_id"`
	Platform          string         `json:"platform"`
	PlatformID        connector.Text `json:"platform_id"`
	BookingDate       string         `json:"booking_date"`
	ArrivalDate       string         `json:"arrival_date"`
	DepartureDate     string         `json:"departure_date"`
	Nights            int            `json:"nights"`
	LastMessageAt     string         `json:"last_message_at"`
	Status            string         `json:"status"` // deprecated for reservation_status [C]
	ReservationStatus *struct {
		Current struct {
			Category    string `json:"category"`
			SubCategory string `json:"sub_category"`
		} `json:"current"`
	} `json:"reservation_status"`
	Guests struct {
		Total int `json:"total"`
	} `json:"guests"`
	Guest *struct {
		FirstName    string   `json:"first_name"`
		LastName     string   `json:"last_name"`
		Email        string   `json:"email"`
		PhoneNumbers []string `json:"phone_numbers"`
	} `json:"guest"`
	Properties []struct {
		ID string `json:"id"`
	} `json:"properties"`
	Financials *struct {
		Currency string `json:"currency"`
		Guest    struct {
			TotalPrice *wireMoney `json:"total_price"`
		} `json:"guest"`
	} `json:"financials"`
}

type wireDay struct {
	Date    string `json:"date"`
	MinStay int    `json:"min_stay"`
	Note    string `json:"note"`
	Status  *struct {
		Reason    string `json:"reason"`
		Available bool   `json:"available"`
	} `json:"status"`
	Price *struct {
		wireMoney
		Currency string `json:"currency"`
	} `json:"price"`
}

type wireMessage struct {
	PlatformID  connector.Text `json:"platform_id"`
	Body        string         `json:"body"`
	SenderType  string         `json:"sender_type"`
	CreatedAt   string         `json:"created_at"`
	Attachments []struct {
		Type string `json:"type"`
	} `json:"attachments"`
}

type wireReview struct {
	ID          string `json:"id"`
	Platform    string `json:"platform"`
	Reservation *struct {
		ID       string `json:"id"`
		Code     string `json:"code"`
		CheckIn  string `json:"check_in"`
		CheckOut string `json:"check_out"`
	} `json:"reservation"` // [C: the published Review], with include=reservations
	Public struct {
		Rating   *float64 `json:"rating"`
		Review   string   `json:"review"`
		Response string   `json:"response"`
	} `json:"public"`
	ReviewedAt string `json:"reviewed_at"`
	Guest      *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"guest"`
}

const dateLayout = "2006-01-02"

var datePrefix = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// localDate is the date part of a local date-time ("2026-02-03T00:00:00-05:00"
// is the 3rd where the property is), not its UTC date.
func localDate(s string) string {
	return datePrefix.FindString(s)
}

// major converts cents to major units [C: amounts are in cents].
func (m *wireMoney) major() (float64, bool) {
	if m == nil || m.Amount == nil {
		return 0, false
	}
	f, err := m.Amount.Float64()
	if err != nil {
		return 0, false
	}
	return f / 100, true
}
