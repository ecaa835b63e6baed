package connector

import (
	"fmt"
	"time"
)

// Kind is what a cached read holds. It decides how long the read is served
// from the cache before the vendor is asked again (Fresh).
type Kind uint8

// The kinds of vendor reads hostgate caches.
const (
	KindProperties Kind = iota + 1
	KindReservations
	KindCalendar
	KindConversations
	KindMessages
	KindReviews
	KindSites
	KindFootfall
	KindInquiries
	KindMoney
	KindTasks
)

// Fresh is how long a read of kind k is served from the cache. Each is as
// long as the data can be old without misleading the host, and no longer:
//
//   - properties: a property's name, address and capacity change only when
//     the host edits them in the vendor's own app, rarely; five minutes.
//   - reservations and calendars: a booking can arrive through a channel at
//     any moment and closes nights; a minute, about as long as a channel's
//     own sync to the PMS takes [I].
//   - conversations and messages: a guest's reply should show within
//     seconds, and a model often reads a thread again right after writing
//     to it (a send through hostgate drops the entry anyway); ten seconds,
//     which still coalesces the bursts of an agent that polls.
//   - reviews: they arrive days after a stay; five minutes (a reply through
//     hostgate drops the entry).
//   - sites and their monitors: set up once by the venue; five minutes.
//   - inquiries: a guest waits for the answer, like a message; ten seconds.
//   - payouts and transactions: settled money, changed by the channels a
//     few times a day; five minutes.
//   - tasks: a cleaner ticks one off during a turnover; a minute.
//   - footfall: daily counts; today's grows through the day, and a few
//     minutes' lag on a daily total misleads no one; five minutes.
func (k Kind) Fresh() time.Duration {
	switch k {
	case KindReservations, KindCalendar:
		return time.Minute
	case KindConversations, KindMessages, KindInquiries:
		return 10 * time.Second
	case KindTasks:
		return time.Minute
	case KindProperties, KindReviews, KindSites, KindFootfall, KindMoney:
		return 5 * time.Minute
	}
	return 0
}

func (k Kind) String() string {
	switch k {
	case KindProperties:
		return "properties"
	case KindReservations:
		return "reservations"
	case KindCalendar:
		return "calendar"
	case KindConversations:
		return "conversations"
	case KindMessages:
		return "messages"
	case KindReviews:
		return "reviews"
	case KindSites:
		return "sites"
	case KindFootfall:
		return "footfall"
	case KindInquiries:
		return "inquiries"
	case KindMoney:
		return "money"
	case KindTasks:
		return "tasks"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}
