package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// The write tools. Each resolves the one account it acts through in Check,
// so that what the host approves is exactly what is carried out.

// previewTimeout bounds the vendor reads that name things for the host
// (guest, property, dates) in a preview; a preview lacking them still says
// what will happen.
const previewTimeout = 10 * time.Second

// accountIn is the account a write acts through.
type accountIn struct {
	ConnectionID string `json:"connection_id,omitempty" jsonschema_description:"the vendor account to act through, from list_connections; omit it when the host has one account of that vendor"`
}

// pick resolves the account for a vendor-qualified id: the one named, or
// the only one of that vendor, or the one whose probe (a read through the
// cache) succeeds.
func pick(ctx context.Context, d *Deps, c *Caller, qualified, what, connID string, probe func(ctx context.Context, conn store.Connection, id string) error) (store.Connection, string, error) {
	conns, id, err := route(ctx, d, c, qualified, what)
	if err != nil {
		return store.Connection{}, "", err
	}
	if connID != "" {
		for _, cn := range conns {
			if cn.ID == connID {
				return cn, id, nil
			}
		}
		return store.Connection{}, "", Errorf("connection_id %q is not a shared %s account. Call list_connections for the ids.", connID, d.title(conns[0].Vendor))
	}
	if len(conns) == 1 || probe == nil {
		return conns[0], id, nil
	}
	for _, cn := range conns {
		if cn.Status == store.StatusNeedsReauth {
			continue
		}
		if probe(ctx, cn, id) == nil {
			return cn, id, nil
		}
	}
	return store.Connection{}, "", Errorf("The host has several %s accounts and none of them has %s %q. Pass connection_id (from list_connections) to say which account to use.", d.title(conns[0].Vendor), what, qualified)
}

// connectorOf returns the connector of a connection, or the tool error
// for one that needs the host.
func connectorOf(d *Deps, conn store.Connection) (connector.Connector, error) {
	if conn.Status == store.StatusNeedsReauth {
		return nil, &Error{Text: d.vendorError(conn, connector.ErrNeedsReauth).Error}
	}
	cn, err := d.Lifecycle.Connector(conn)
	if err != nil {
		return nil, &Error{Text: d.vendorError(conn, err).Error}
	}
	return cn, nil
}

// accountName names a connection for the host: "Hostex (Main account)".
func (d *Deps) accountName(conn store.Connection) string {
	if conn.Label == "" {
		return d.title(conn.Vendor)
	}
	return d.title(conn.Vendor) + " (" + conn.Label + ")"
}

// ownedConnection returns the caller's shared connection by id.
func ownedConnection(ctx context.Context, d *Deps, c *Caller, id string) (store.Connection, error) {
	conns, err := connections(ctx, d, c, "")
	if err != nil {
		return store.Connection{}, err
	}
	for _, cn := range conns {
		if cn.ID == id {
			// The account a write, a refresh or a disconnect is about.
			recordFrom(ctx).touch(cn)
			return cn, nil
		}
	}
	return store.Connection{}, Errorf("No shared connection has id %q. Call list_connections for the ids.", id)
}

// --- send_message ---

// SendIn is a message to a guest.
type SendIn struct {
	ConversationID string `json:"conversation_id" jsonschema_description:"vendor-qualified conversation id"`
	Body           string `json:"body" jsonschema_description:"the message text, plain text only, as the guest will read it"`
	accountIn
}

// SendOut is the sent message.
type SendOut struct {
	ConversationID string            `json:"conversation_id"`
	Message        connector.Message `json:"message"`
}

const maxMessage = 5000

func sendMessage(d *Deps) Tool {
	return NewWrite(WriteSpec[SendIn, SendOut]{
		Meta: Meta{
			Name: "send_message", Title: "Send a message to a guest",
			Description: "Sends a plain-text message to the guest in a conversation, through the booking channel. The host confirms it first: in this chat when the app can ask, otherwise it is saved as a draft and you get a link for the host to approve it. Once sent it cannot be unsent.",
			Scope:       ScopeWrite, Destructive: true, OpenWorld: true,
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in SendIn) (SendIn, error) {
			in.Body = strings.TrimSpace(in.Body)
			if in.Body == "" {
				return in, Errorf("body is empty: write the message text and call again.")
			}
			if utf8.RuneCountInString(in.Body) > maxMessage {
				return in, Errorf("body is over %d characters: shorten the message and call again.", maxMessage)
			}
			conn, _, err := pick(ctx, d, c, in.ConversationID, "conversation_id", in.ConnectionID, func(ctx context.Context, conn store.Connection, id string) error {
				_, _, err := messagesRead(id).run(ctx, d, conn, false)
				return err
			})
			if err != nil {
				return in, err
			}
			in.ConnectionID = conn.ID
			return in, nil
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in SendIn) (Preview, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			pv := Preview{Action: "Send this message", Lines: []PreviewLine{{"Account", d.accountName(conn)}}, Text: in.Body}
			d.describeConversation(ctx, conn, in.ConversationID, &pv)
			return pv, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in SendIn) (SendOut, string, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return SendOut{}, "", err
			}
			_, id, _ := connector.SplitID(in.ConversationID)
			cn, err := connectorOf(d, conn)
			if err != nil {
				return SendOut{}, "", err
			}
			ms, ok := cn.(connector.MessageSender)
			if !ok {
				return SendOut{}, "", Errorf("%s does not let apps send messages.", d.accountName(conn))
			}
			m, err := ms.SendMessage(ctx, id, in.Body)
			// The thread and the conversations' order change; a failed send
			// may still have been delivered.
			d.invalidate(conn.ID, connector.KindMessages, id)
			d.invalidate(conn.ID, connector.KindConversations, "")
			if err != nil {
				return SendOut{}, "", &Error{Text: d.vendorError(conn, err).Error}
			}
			return SendOut{ConversationID: in.ConversationID, Message: m}, "Message sent.", nil
		},
		Text: &TextField[SendIn]{
			Get: func(in SendIn) string { return in.Body },
			Set: func(in SendIn, s string) SendIn { in.Body = s; return in },
			Max: maxMessage,
		},
		Verb: "send",
	}, d)
}

// describeConversation adds the guest, property and dates of a
// conversation to a preview, as far as the vendor tells them in time (read
// through the cache).
func (d *Deps) describeConversation(ctx context.Context, conn store.Connection, conversationID string, pv *Preview) {
	ctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	_, id, _ := connector.SplitID(conversationID)
	convs, _, err := conversationRead(id).run(ctx, d, conn, false)
	if errors.Is(err, connector.ErrUnsupported) {
		convs, _, err = conversationsRead("").run(ctx, d, conn, false)
	}
	if err != nil {
		return
	}
	for _, cv := range convs {
		if cv.ID != conversationID {
			continue
		}
		if cv.GuestName != "" {
			pv.Action = "Send this message to " + cv.GuestName
			pv.Lines = append(pv.Lines, PreviewLine{"Guest", cv.GuestName})
		}
		d.describeProperty(ctx, conn, cv.PropertyID, pv)
		if _, rid, err := connector.SplitID(cv.ReservationID); err == nil {
			if r, _, err := reservationRead(rid).run(ctx, d, conn, false); err == nil {
				pv.Lines = append(pv.Lines, PreviewLine{"Stay", stayText(r)})
			}
		}
		return
	}
}

// conversationRead gets one conversation with what the vendor knows of it,
// as a list of one (ErrUnsupported where the vendor has no such read).
func conversationRead(id string) vendorRead[[]connector.Conversation] {
	return vendorRead[[]connector.Conversation]{kind: connector.KindConversations, subject: id, args: "one",
		fetch: func(ctx context.Context, cn connector.Connector) ([]connector.Conversation, error) {
			cg, ok := cn.(connector.ConversationGetter)
			if !ok {
				return nil, unsupported("get conversation")
			}
			cv, err := cg.Conversation(ctx, id)
			if err != nil {
				return nil, err
			}
			return []connector.Conversation{cv}, nil
		}}
}

func stayText(r connector.Reservation) string {
	s := r.CheckIn + " to " + r.CheckOut
	if r.Nights > 0 {
		s += fmt.Sprintf(" (%d nights)", r.Nights)
	}
	if r.Status != "" {
		s += ", " + r.Status
	}
	return s
}

// describeProperty adds a property's name to a preview.
func (d *Deps) describeProperty(ctx context.Context, conn store.Connection, qualified string, pv *Preview) (connector.Property, bool) {
	_, id, err := connector.SplitID(qualified)
	if err != nil {
		return connector.Property{}, false
	}
	p, _, err := propertyRead(id).run(ctx, d, conn, false)
	if err != nil || p.Name == "" {
		return connector.Property{}, false
	}
	pv.Lines = append(pv.Lines, PreviewLine{"Property", p.Name})
	return p, true
}

// --- update_calendar ---

// CalendarUpdateIn changes a property's nights.
type CalendarUpdateIn struct {
	PropertyID string `json:"property_id" jsonschema_description:"vendor-qualified property id"`
	From       string `json:"from" jsonschema_description:"first night to change, YYYY-MM-DD"`
	To         string `json:"to" jsonschema_description:"last night to change, YYYY-MM-DD (inclusive; same as from for one night)"`
	// Available opens or blocks the nights.
	Available *bool    `json:"available,omitempty" jsonschema_description:"true opens the nights for booking, false blocks them; omit to leave availability as it is"`
	Price     *float64 `json:"price,omitempty" jsonschema_description:"nightly price in the property's currency; omit to leave prices as they are"`
	Currency  string   `json:"currency,omitempty" jsonschema_description:"the price's ISO 4217 currency; must be the property's own; omit to use it"`
	MinStay   *int     `json:"min_stay,omitempty" jsonschema_description:"minimum nights for a stay starting on these nights; omit to leave it as it is"`
	accountIn
}

// CalendarUpdateOut is the changed calendar.
type CalendarUpdateOut struct {
	PropertyID string                  `json:"property_id"`
	From       string                  `json:"from"`
	To         string                  `json:"to"`
	Days       []connector.CalendarDay `json:"days,omitempty" jsonschema_description:"the nights as the vendor reports them after the change, where it does"`
}

// maxCalendarNights bounds one calendar change.
const maxCalendarNights = 366

func updateCalendar(d *Deps) Tool {
	return NewWrite(WriteSpec[CalendarUpdateIn, CalendarUpdateOut]{
		Meta: Meta{
			Name: "update_calendar", Title: "Change a property's calendar",
			Description: "Blocks or opens nights, sets the nightly price, or sets the minimum stay of a property for a range of nights, at the vendor (and so on the booking channels). The host confirms it first: in this chat when the app can ask, otherwise as a draft with a link for the host to approve.",
			Scope:       ScopeWrite, Destructive: true, Idempotent: true, OpenWorld: true,
			Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.CalendarWriter); return ok }),
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in CalendarUpdateIn) (CalendarUpdateIn, error) {
			if in.Available == nil && in.Price == nil && in.MinStay == nil {
				return in, Errorf("Nothing to change: set available, price or min_stay (or several), then call again.")
			}
			from, err := time.Parse(time.DateOnly, in.From)
			if err != nil {
				return in, Errorf("from must be a date like 2026-12-01, not %q.", in.From)
			}
			to, err := time.Parse(time.DateOnly, in.To)
			if err != nil {
				return in, Errorf("to must be a date like 2026-12-31, not %q.", in.To)
			}
			today, _ := time.Parse(time.DateOnly, d.now().Format(time.DateOnly))
			switch {
			case to.Before(from):
				return in, Errorf("to must be on or after from.")
			case from.Before(today.AddDate(0, 0, -1)):
				return in, Errorf("from is in the past; only today's and future nights can change.")
			case int(to.Sub(from).Hours()/24)+1 > maxCalendarNights:
				return in, Errorf("Change at most %d nights at a time.", maxCalendarNights)
			}
			if in.Price != nil && *in.Price <= 0 {
				return in, Errorf("price must be more than 0.")
			}
			if in.MinStay != nil && (*in.MinStay < 1 || *in.MinStay > 365) {
				return in, Errorf("min_stay must be between 1 and 365 nights.")
			}
			conn, id, err := pick(ctx, d, c, in.PropertyID, "property_id", in.ConnectionID, func(ctx context.Context, conn store.Connection, id string) error {
				_, _, err := propertyRead(id).run(ctx, d, conn, false)
				return err
			})
			if err != nil {
				return in, err
			}
			in.ConnectionID = conn.ID
			if in.Price != nil {
				in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
				cur := ""
				if conn.Status != store.StatusNeedsReauth {
					if p, _, err := propertyRead(id).run(ctx, d, conn, false); err == nil {
						cur = p.Currency
					}
				}
				switch {
				case cur != "" && in.Currency != "" && in.Currency != cur:
					return in, Errorf("%s prices are in %s, not %s: convert the price to %s and call again.", in.PropertyID, cur, in.Currency, cur)
				case cur != "":
					in.Currency = cur
				case in.Currency == "":
					return in, Errorf("The vendor does not say which currency %s is priced in. Ask the host which currency this property's prices are in (do not guess), then call again with currency set to its ISO 4217 code.", in.PropertyID)
				}
			}
			return in, nil
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in CalendarUpdateIn) (Preview, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			pv := Preview{Action: "Change the calendar", Lines: []PreviewLine{{"Account", d.accountName(conn)}}}
			pctx, cancel := context.WithTimeout(ctx, previewTimeout)
			if p, ok := d.describeProperty(pctx, conn, in.PropertyID, &pv); ok {
				pv.Action = "Change the calendar of " + p.Name
			}
			cancel()
			pv.Lines = append(pv.Lines, PreviewLine{"Nights", nightsText(in.From, in.To)})
			for _, ch := range calendarChanges(in) {
				pv.Lines = append(pv.Lines, PreviewLine{"Change", ch})
			}
			// The action names the change itself, so that a list of drafts
			// tells one calendar change from another.
			pv.Action += ", " + nightsText(in.From, in.To) + ": " + strings.Join(calendarChanges(in), "; ")
			return pv, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in CalendarUpdateIn) (CalendarUpdateOut, string, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return CalendarUpdateOut{}, "", err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return CalendarUpdateOut{}, "", err
			}
			cw, ok := cn.(connector.CalendarWriter)
			if !ok {
				return CalendarUpdateOut{}, "", Errorf("%s does not let apps change the calendar through its API; the host can change it in %s itself.", d.accountName(conn), d.title(conn.Vendor))
			}
			_, id, _ := connector.SplitID(in.PropertyID)
			change := connector.CalendarChange{Range: connector.DateRange{From: in.From, To: in.To}, Available: in.Available, MinStay: in.MinStay}
			if in.Price != nil {
				change.Price = &connector.Money{Amount: *in.Price, Currency: in.Currency}
			}
			days, err := cw.UpdateCalendar(ctx, id, change)
			// Every cached range of this property's calendar; a failed
			// change may still have been applied.
			d.invalidate(conn.ID, connector.KindCalendar, id)
			if err != nil {
				return CalendarUpdateOut{}, "", &Error{Text: d.vendorError(conn, err).Error}
			}
			return CalendarUpdateOut{PropertyID: in.PropertyID, From: in.From, To: in.To, Days: days},
				"Calendar changed: " + strings.Join(calendarChanges(in), "; ") + ", " + nightsText(in.From, in.To) + ".", nil
		},
		Verb: "change the calendar",
	}, d)
}

func nightsText(from, to string) string {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return from + " to " + to
	}
	n := int(t.Sub(f).Hours()/24) + 1
	if n == 1 {
		return "the night of " + from
	}
	return fmt.Sprintf("%s to %s (%d nights)", from, to, n)
}

func calendarChanges(in CalendarUpdateIn) []string {
	var out []string
	if in.Available != nil {
		if *in.Available {
			out = append(out, "open for booking")
		} else {
			out = append(out, "block (not bookable)")
		}
	}
	if in.Price != nil {
		out = append(out, fmt.Sprintf("nightly price %.2f %s", *in.Price, in.Currency))
	}
	if in.MinStay != nil {
		out = append(out, fmt.Sprintf("minimum stay %d nights", *in.MinStay))
	}
	return out
}

// --- reply_to_review ---

// ReplyIn is the host's public reply to a review.
type ReplyIn struct {
	ReviewID string `json:"review_id" jsonschema_description:"vendor-qualified review id from list_reviews"`
	Reply    string `json:"reply" jsonschema_description:"the public reply, plain text, as guests will read it"`
	accountIn
}

// ReplyOut says which review was answered.
type ReplyOut struct {
	ReviewID string `json:"review_id"`
	Reply    string `json:"reply"`
}

const maxReply = 2000

func replyToReview(d *Deps) Tool {
	return NewWrite(WriteSpec[ReplyIn, ReplyOut]{
		Meta: Meta{
			Name: "reply_to_review", Title: "Reply to a guest review",
			Description: "Posts the host's public reply to a guest's review, on the booking channel. Future guests read it. The host confirms it first: in this chat when the app can ask, otherwise as a draft with a link for the host to approve.",
			Scope:       ScopeWrite, Destructive: true, OpenWorld: true,
			Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ReviewReplier); return ok }),
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in ReplyIn) (ReplyIn, error) {
			in.Reply = strings.TrimSpace(in.Reply)
			if in.Reply == "" {
				return in, Errorf("reply is empty: write the reply and call again.")
			}
			if utf8.RuneCountInString(in.Reply) > maxReply {
				return in, Errorf("reply is over %d characters: shorten it and call again.", maxReply)
			}
			conn, _, err := pick(ctx, d, c, in.ReviewID, "review_id", in.ConnectionID, nil)
			if err != nil {
				return in, err
			}
			in.ConnectionID = conn.ID
			return in, nil
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in ReplyIn) (Preview, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			pv := Preview{Action: "Post this public reply to a review", Lines: []PreviewLine{{"Account", d.accountName(conn)}}, Text: in.Reply}
			d.describeReview(ctx, conn, in.ReviewID, &pv)
			return pv, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in ReplyIn) (ReplyOut, string, error) {
			conn, err := ownedConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return ReplyOut{}, "", err
			}
			cn, err := connectorOf(d, conn)
			if err != nil {
				return ReplyOut{}, "", err
			}
			rr, ok := cn.(connector.ReviewReplier)
			if !ok {
				return ReplyOut{}, "", Errorf("%s does not let apps reply to reviews through its API; the host can reply in %s itself.", d.accountName(conn), d.title(conn.Vendor))
			}
			_, id, _ := connector.SplitID(in.ReviewID)
			err = rr.ReplyToReview(ctx, id, in.Reply)
			// The review's reply changes in every list that holds it.
			d.invalidate(conn.ID, connector.KindReviews, "")
			if err != nil {
				return ReplyOut{}, "", &Error{Text: d.vendorError(conn, err).Error}
			}
			return ReplyOut{ReviewID: in.ReviewID, Reply: in.Reply}, "Reply posted.", nil
		},
		Text: &TextField[ReplyIn]{
			Get: func(in ReplyIn) string { return in.Reply },
			Set: func(in ReplyIn, s string) ReplyIn { in.Reply = s; return in },
			Max: maxReply,
		},
		Verb: "post",
	}, d)
}

// describeReview adds the review being answered to a preview.
func (d *Deps) describeReview(ctx context.Context, conn store.Connection, reviewID string, pv *Preview) {
	ctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	revs, _, err := reviewsRead("").run(ctx, d, conn, false)
	if err != nil {
		return
	}
	for _, r := range revs {
		if r.ID != reviewID {
			continue
		}
		if r.GuestName != "" {
			pv.Action = "Post this public reply to " + r.GuestName + "'s review"
			pv.Lines = append(pv.Lines, PreviewLine{"Guest", r.GuestName})
		}
		d.describeProperty(ctx, conn, r.PropertyID, pv)
		if r.Rating != nil {
			pv.Lines = append(pv.Lines, PreviewLine{"Rating", fmt.Sprintf("%g", *r.Rating)})
		}
		if r.Text != "" {
			pv.Lines = append(pv.Lines, PreviewLine{"Their review", truncate(r.Text, 600)})
		}
		if r.Reply != "" {
			pv.Lines = append(pv.Lines, PreviewLine{"Current reply (replaced)", truncate(r.Reply, 300)})
		}
		return
	}
}

// truncate cuts s to at most n runes, at a rune boundary.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// --- disconnect_vendor ---

// ConnectionIn names one connection.
type ConnectionIn struct {
	ConnectionID string `json:"connection_id" jsonschema_description:"a connection id from list_connections"`
}

// DisconnectOut says what happened.
type DisconnectOut struct {
	Disconnected    string `json:"disconnected"`
	RevokedUpstream bool   `json:"revoked_upstream" jsonschema_description:"whether the vendor was told to forget hostgate's access"`
}

func disconnectVendor(d *Deps) Tool {
	return NewWrite(WriteSpec[ConnectionIn, DisconnectOut]{
		Meta: Meta{
			Name: "disconnect_vendor", Title: "Disconnect a vendor account",
			Description: "Disconnects a vendor account from hostgate for every app, and revokes hostgate's access at the vendor where it allows. The host must connect it again to use it. The host confirms it first: in this chat when the app can ask, otherwise as a draft with a link for the host to approve.",
			Scope:       ScopeWrite, Destructive: true, OpenWorld: true,
		},
		Check: func(ctx context.Context, d *Deps, c *Caller, in ConnectionIn) (ConnectionIn, error) {
			_, err := manageableConnection(ctx, d, c, in.ConnectionID)
			return in, err
		},
		Preview: func(ctx context.Context, d *Deps, c *Caller, in ConnectionIn) (Preview, error) {
			conn, err := manageableConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return Preview{}, err
			}
			return Preview{Action: "Disconnect " + d.accountName(conn) + " from hostgate", Lines: []PreviewLine{
				{"Account", d.accountName(conn)},
				{"Effect", "Every app loses this account, and hostgate asks " + d.title(conn.Vendor) + " to revoke its access where it allows. Connecting it again takes the host's sign-in."},
			}}, nil
		},
		Act: func(ctx context.Context, d *Deps, c *Caller, in ConnectionIn) (DisconnectOut, string, error) {
			conn, err := manageableConnection(ctx, d, c, in.ConnectionID)
			if err != nil {
				return DisconnectOut{}, "", err
			}
			revoked, err := d.Lifecycle.Disconnect(ctx, conn)
			if err != nil {
				return DisconnectOut{}, "", err
			}
			return DisconnectOut{Disconnected: conn.ID, RevokedUpstream: revoked},
				d.accountName(conn) + " is disconnected.", nil
		},
		Verb: "disconnect",
	}, d)
}
