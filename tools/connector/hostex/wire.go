package hostex

import (
	"strconv"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hostex JSON, written from docs/vendors.md, "Hostex" (the OpenAPI spec [C]; the
// reservation extras seen in real payloads [T]). Only the fields hostgate
// reads are declared. Hostex's spec types some values as strings (latitude,
// longitude) and some ids as integers, and payloads in the wild disagree
// with both [T]: such fields are connector.Text.

// idOf returns a value as an id; Hostex uses 0 for "none" (an unallocated
// reservation's property_id [C]).
func idOf(t connector.Text) string {
	if t == "0" {
		return ""
	}
	return string(t)
}

// floatOf reads a number sent as text; nil when absent or not a number.
func floatOf(t connector.Text) *float64 {
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return nil
	}
	return &f
}

// wireChannel is one of a property's channel listings. It has no currency
// in the published schema [C], and hostgate reads none from it.
type wireChannel struct {
	ChannelType string         `json:"channel_type"`
	ListingID   connector.Text `json:"listing_id"`
}

type wireProperty struct {
	ID        connector.Text `json:"id"`
	Title     string         `json:"title"`
	Address   string         `json:"address"`
	Latitude  connector.Text `json:"latitude"`
	Longitude connector.Text `json:"longitude"`
	Channels  []wireChannel  `json:"channels"`
}

// wireMoney is an amount of a reservation's rates; neither member is
// required by the schema [C], so an absent amount is no amount.
type wireMoney struct {
	Currency string   `json:"currency"`
	Amount   *float64 `json:"amount"`
}

type wireGuest struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	IsBooker bool   `json:"is_booker"`
}

type wireReservation struct {
	ReservationCode string         `json:"reservation_code"`
	StayCode        string         `json:"stay_code"`
	ChannelID       connector.Text `json:"channel_id"`
	PropertyID      connector.Text `json:"property_id"`
	ChannelType     string         `json:"channel_type"`
	CheckInDate     string         `json:"check_in_date"`
	CheckOutDate    string         `json:"check_out_date"`
	NumberOfGuests  int            `json:"number_of_guests"`
	Status          string         `json:"status"`
	GuestName       string         `json:"guest_name"`
	GuestPhone      string         `json:"guest_phone"`
	GuestEmail      string         `json:"guest_email"`
	Guests          []wireGuest    `json:"guests"`
	BookedAt        string         `json:"booked_at"`
	ConversationID  connector.Text `json:"conversation_id"`
	Rates           *struct {
		// TotalRate is the whole order's (every stay of the reservation
		// code), Rate this stay's [C].
		TotalRate *wireMoney `json:"total_rate"`
		Rate      *wireMoney `json:"rate"`
	} `json:"rates"`
}

type wireAvailability struct {
	Date      string `json:"date"`
	Available *bool  `json:"available"` // required [C]: absent is not "closed"
	Remarks   string `json:"remarks"`
}

type wireListingDay struct {
	Date         string   `json:"date"`
	Price        *float64 `json:"price"`
	Restrictions struct {
		MinStayOnArrival int `json:"min_stay_on_arrival"`
	} `json:"restrictions"`
}

type wireConversation struct {
	ID            connector.Text `json:"id"`
	ChannelType   string         `json:"channel_type"`
	LastMessageAt string         `json:"last_message_at"`
	Guest         wireGuest      `json:"guest"`
	PropertyTitle string         `json:"property_title"`
	// The stay the conversation is about, on list items only [C].
	CheckInDate  string `json:"check_in_date"`
	CheckOutDate string `json:"check_out_date"`
}

// wireActivity is what a conversation is about: an inquiry or a
// reservation [C: activity_type]; an inquiry has no reservation_code.
type wireActivity struct {
	ActivityType    string `json:"activity_type"`
	ReservationCode string `json:"reservation_code"`
	CheckInDate     string `json:"check_in_date"`
	CheckOutDate    string `json:"check_out_date"`
	Property        struct {
		ID connector.Text `json:"id"`
	} `json:"property"`
}

type wireMessage struct {
	ID          connector.Text `json:"id"`
	SenderRole  string         `json:"sender_role"`
	DisplayType string         `json:"display_type"`
	Content     string         `json:"content"`
	CreatedAt   string         `json:"created_at"`
}

type wireConversationDetail struct {
	wireConversation
	Activities []wireActivity `json:"activities"`
	Messages   []wireMessage  `json:"messages"`
}

type wireReviewPart struct {
	Score     *float64 `json:"score"`
	Content   string   `json:"content"`
	CreatedAt string   `json:"created_at"`
}

type wireReview struct {
	ReservationCode string          `json:"reservation_code"`
	PropertyID      connector.Text  `json:"property_id"`
	ChannelType     string          `json:"channel_type"`
	CheckOutDate    string          `json:"check_out_date"`
	GuestReview     *wireReviewPart `json:"guest_review"`
	HostReply       *wireReviewPart `json:"host_reply"`
}

// parseTime reads Hostex's timestamps ("2026-03-26T18:37:50+00:00"); the
// zero time when absent or unreadable.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

const dateLayout = "2006-01-02"

// What hostgate needs of each item, all required by the published schema
// [C]; see needs.

func (p wireProperty) missing() string {
	if p.ID == "" {
		return "id"
	}
	return ""
}

func (r wireReservation) missing() string {
	switch {
	case r.ReservationCode == "":
		return "reservation_code"
	case r.CheckInDate == "":
		return "check_in_date"
	case r.CheckOutDate == "":
		return "check_out_date"
	}
	return ""
}

func (a wireAvailability) missing() string {
	switch {
	case a.Date == "":
		return "date"
	case a.Available == nil:
		return "available"
	}
	return ""
}

func (d wireListingDay) missing() string {
	if d.Date == "" {
		return "date"
	}
	return ""
}

func (c wireConversation) missing() string {
	if c.ID == "" {
		return "id"
	}
	return ""
}

func (r wireReview) missing() string {
	if r.ReservationCode == "" {
		return "reservation_code"
	}
	return ""
}
