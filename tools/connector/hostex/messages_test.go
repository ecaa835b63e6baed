package hostex

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestConversationsAndMessages(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 4
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	before := e.V.Requests("/conversations")
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	requests := e.V.Requests("/conversations") - before
	raw := e.rawAll(t, "/conversations", "conversations", nil)
	if len(convs) != len(raw) || len(convs) < 5 {
		t.Fatalf("%d conversations, fake has %d", len(convs), len(raw))
	}
	if requests != len(raw)/4+1 {
		t.Errorf("%d requests for %d conversations in pages of 4", requests, len(raw))
	}
	for i, cv := range convs {
		w := raw[i]
		last, _ := time.Parse(time.RFC3339, w["last_message_at"].(string))
		if cv.ID != "hostex:"+w["id"].(string) || cv.GuestName != w["guest"].(map[string]any)["name"] ||
			cv.Channel != w["channel_type"] || !cv.LastMessageAt.Equal(last) {
			t.Errorf("conversation %+v, fake %v", cv, w)
		}
	}
	limited, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 2})
	if err != nil || len(limited) != 2 {
		t.Errorf("limit 2: %d, %v", len(limited), err)
	}

	// Through a reservation: the detail names the booking and property.
	var res connector.Reservation
	all, _ := c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-30)}})
	for _, r := range all {
		if r.ConversationID != "" {
			res = r
			break
		}
	}
	_, code, _ := connector.SplitID(res.ID)
	byRes, err := c.ListConversations(ctx, connector.ConversationQuery{ReservationID: code})
	if err != nil || len(byRes) != 1 || byRes[0].ID != res.ConversationID || byRes[0].ReservationID != res.ID || byRes[0].PropertyID != res.PropertyID {
		t.Fatalf("by reservation %s: %+v, %v", res.ID, byRes, err)
	}

	_, convID, _ := connector.SplitID(res.ConversationID)
	msgs, err := c.Messages(ctx, convID)
	if err != nil {
		t.Fatal(err)
	}
	rawMsgs := e.raw(t, "/conversations/"+convID, nil)["messages"].([]any)
	if len(msgs) != len(rawMsgs) || len(msgs) == 0 {
		t.Fatalf("%d messages, fake %d", len(msgs), len(rawMsgs))
	}
	for i, m := range msgs {
		w := rawMsgs[i].(map[string]any)
		at, _ := time.Parse(time.RFC3339, w["created_at"].(string))
		if m.ID != w["id"] || m.Sender != w["sender_role"] || m.Body != w["content"] || !m.SentAt.Equal(at) {
			t.Errorf("message %+v, fake %v", m, w)
		}
	}
	if msgs[0].Sender != "guest" {
		t.Errorf("threads open with the guest: %+v", msgs[0])
	}
	_, err = c.Messages(ctx, "404404")
	wantErr(t, err, connector.ErrNotFound)
}

func TestSendMessage(t *testing.T) {
	e := newEnv(t)
	c, src := e.pat(sandbox.HostexWritableToken)
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := connector.SplitID(convs[0].ID)
	m, err := c.SendMessage(ctx, id, "See you at 4pm!")
	if err != nil {
		t.Fatal(err)
	}
	if m.Sender != "host" || m.Body != "See you at 4pm!" || !m.SentAt.Equal(e.Clock.Now()) {
		t.Errorf("sent %+v", m)
	}
	sent := e.V.SentMessages()
	if len(sent) != 1 || sent[0].ConversationID != id || sent[0].Body != "See you at 4pm!" {
		t.Errorf("the fake got %+v", sent)
	}
	_, err = c.SendMessage(ctx, id, "  ")
	wantErr(t, err, connector.ErrBadRequest)

	// A read-only token: one refused write, one read to diagnose it, and
	// the token source is never asked to renew a token that works.
	ro, roSrc := e.pat(sandbox.HostexReadOnlyToken)
	before := e.V.Requests("")
	_, err = ro.SendMessage(ctx, id, "hello")
	ae := wantErr(t, err, connector.ErrForbidden)
	if ae == nil || ae.Code == "" || roSrc.Rejections() != 0 || src.Rejections() != 0 {
		t.Errorf("read-only write: %v, %d rejections", err, roSrc.Rejections())
	}
	if n := e.V.Requests("") - before; n != 2 {
		t.Errorf("%d requests, want the write and one probe", n)
	}
	if len(e.V.SentMessages()) != 1 {
		t.Error("a read-only token sent a message")
	}
	// Known read-only: refused without a call.
	roSrc.Cred.Scope = scopeReadOnly
	before = e.V.Requests("")
	_, err = ro.SendMessage(ctx, id, "hello")
	wantErr(t, err, connector.ErrForbidden)
	if e.V.Requests("") != before {
		t.Error("a known read-only token called Hostex to write")
	}
}
