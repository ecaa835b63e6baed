package hostex

import (
	"encoding/json"
	"strconv"
	"time"
)

// Hostex JSON, written from vendors.md §1 (the OpenAPI spec [C]; the
// reservation extras seen in real payloads [T]). Only the fields hostgate
// reads are declared.

// text reads a JSON string, number or null. Hostex's spec types some values
// as strings (latitude, longitude) and some ids as integers, and payloads
// in the wild disagree with both [T].
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*t = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		*t = text(s)
		return err
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*t = text(n.String())
	return nil
}

// id returns the value as an id; Hostex uses 0 for "none" (an unallocated
// reservation's property_id [C]).
func (t text) id() string {
	if t == "0" {
		return ""
	}
	return string(t)
}

func (t text) float() *float64 {
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return nil
	}
	return &f
}

type wireChannel struct {
	ChannelType string `json:"channel_type"`
	ListingID   text   `json:"listing_id"`
	Currency    string `json:"currency"` // newer builds only [T]
}

type wireProperty struct {
	ID        text          `json:"id"`
	Title     string        `json:"title"`
	Address   string        `json:"address"`
	Latitude  text          `json:"latitude"`
	Longitude text          `json:"longitude"`
	Channels  []wireChannel `json:"channels"`
}

type wireMoney struct {
	Currency string  `json:"currency"`
	Amount   float64 `json:"amount"`
}

type wireGuest struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	IsBooker bool   `json:"is_booker"`
}

type wireReservation struct {
	ReservationCode string      `json:"reservation_code"`
	StayCode        string      `json:"stay_code"`
	ChannelID       text        `json:"channel_id"`
	PropertyID      text        `json:"property_id"`
	ChannelType     string      `json:"channel_type"`
	CheckInDate     string      `json:"check_in_date"`
	CheckOutDate    string      `json:"check_out_date"`
	NumberOfGuests  int         `json:"number_of_guests"`
	Status          string      `json:"status"`
	GuestName       string      `json:"guest_name"`
	GuestPhone      string      `json:"guest_phone"`
	GuestEmail      string      `json:"guest_email"`
	Guests          []wireGuest `json:"guests"`
	BookedAt        string      `json:"booked_at"`
	ConversationID  text        `json:"conversation_id"`
	Rates           *struct {
		TotalRate *wireMoney `json:"total_rate"`
	} `json:"rates"`
}

type wireAvailability struct {
	Date      string `json:"date"`
	Available bool   `json:"available"`
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
	ID            text      `json:"id"`
	ChannelType   string    `json:"channel_type"`
	LastMessageAt string    `json:"last_message_at"`
	Guest         wireGuest `json:"guest"`
	PropertyTitle string    `json:"property_title"`
}

type wireMessage struct {
	ID          text   `json:"id"`
	SenderRole  string `json:"sender_role"`
	DisplayType string `json:"display_type"`
	Content     string `json:"content"`
	CreatedAt   string `json:"created_at"`
}

type wireConversationDetail struct {
	wireConversation
	Activities []struct {
		ActivityType    string `json:"activity_type"`
		ReservationCode string `json:"reservation_code"`
		Property        struct {
			ID text `json:"id"`
		} `json:"property"`
	} `json:"activities"`
	Messages []wireMessage `json:"messages"`
}

type wireReviewPart struct {
	Score     *float64 `json:"score"`
	Content   string   `json:"content"`
	CreatedAt string   `json:"created_at"`
}

type wireReview struct {
	ReservationCode string          `json:"reservation_code"`
	PropertyID      text            `json:"property_id"`
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

// validDate reports whether s is empty or a YYYY-MM-DD date.
func validDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(dateLayout, s)
	return err == nil
}
