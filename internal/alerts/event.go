package alerts

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
)

// EventNeedsReauth is the one event alerted today: a connection that only
// its host can repair.
const EventNeedsReauth = "connection.needs_reauth"

// Event is what an alert says, and the webhook's JSON body. Every field is
// safe to show: names, ids, a short reason, the reconnect link; never a
// credential. Text that came from hosts or vendors (label, username,
// reason) has its control characters replaced and its length bounded.
type Event struct {
	// ID identifies the episode's alert: the same on every attempt and
	// after a takeover, so a receiver can drop a repeat.
	ID    string    `json:"id"`
	Event string    `json:"event"`
	Time  time.Time `json:"time"` // when the alert was claimed
	// HostID and HostUsername name the host whose account it is.
	HostID       string `json:"host_id"`
	HostUsername string `json:"host_username"`
	ConnectionID string `json:"connection_id"`
	Vendor       string `json:"vendor"`
	// Label is the host's name for the account.
	Label  string `json:"label"`
	Status string `json:"status"`
	// Reason says in a few words what happened, e.g. "the vendor refused
	// to renew access".
	Reason string `json:"reason"`
	// Since is when the connection was marked.
	Since time.Time `json:"since"`
	// ReconnectURL is where the host repairs the account.
	ReconnectURL string `json:"reconnect_url"`

	// emails are where the e-mail goes: the host's address, or for a
	// team's account its owners'; vendorTitle is the vendor's name as hosts
	// know it, for the e-mail only.
	emails      []string
	team        bool
	vendorTitle string
}

// Bounds of the text an alert repeats.
const (
	maxLabel  = 80
	maxReason = 200
	maxName   = 100
)

// event builds the alert of a claim.
func (n *Notifier) event(c store.AlertClaim) Event {
	ev := Event{
		ID: c.Episode, Event: EventNeedsReauth, Time: c.ClaimedAt.UTC(),
		HostID: c.UserID, HostUsername: clean(c.Username, maxName),
		ConnectionID: c.ConnectionID, Vendor: c.Vendor, Label: clean(c.Label, maxLabel),
		Status: string(store.StatusNeedsReauth), Reason: clean(c.Reason, maxReason),
		Since: c.Since.UTC(), ReconnectURL: n.cfg.ReconnectURL(c.ConnectionID),
		emails: []string{c.Email}, vendorTitle: n.vendorTitle(c.Vendor),
	}
	if c.TeamID != "" {
		ev.emails, ev.team = c.OwnerEmails, true
	} else if c.Email == "" {
		ev.emails = nil
	}
	return ev
}

// vendorTitle is the vendor's name as hosts know it.
func (n *Notifier) vendorTitle(vendor string) string {
	if t, ok := n.cfg.VendorTitles[vendor]; ok && t != "" {
		return t
	}
	return vendor
}

// clean makes text from hosts or vendors fit to repeat in a header, a line
// of text or a log: control characters (line breaks among them: no header
// injection) become spaces, runs of space one, and it is cut to max
// characters.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return s
}
