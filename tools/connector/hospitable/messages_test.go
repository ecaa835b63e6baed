package hospitable

import (
	"net/url"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestConversationsAreReservationsWithMessages(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	raw := e.rawAll(t, "/reservations", merge(e.allProperties(t), url.Values{
		"start_date": {e.Day(-30)}, "end_date": {e.Day(90)}}), 100)
	want := map[string]map[string]any{}
	for _, w := range raw {
		if w["last_message_at"] != nil {
			want["hospitable:"+w["id"].(string)] = w
		}
	}
	if len(convs) != len(want) || len(convs) < 5 {
		t.Fatalf("%d conversations, the fake has %d threads in the window", len(convs), len(want))
	}
	for i, cv := range convs {
		w := want[cv.ID]
		last, _ := time.Parse(time.RFC3339, w["last_message_at"].(string))
		g := w["guest"].(map[string]any)
		if w == nil || cv.Vendor != "hospitable" || cv.ReservationID != cv.ID || !cv.LastMessageAt.Equal(last) ||
			cv.GuestName != g["first_name"].(string)+" "+g["last_name"].(string) || cv.Channel != w["platform"] ||
			cv.PropertyID != "hospitable:"+w["properties"].([]any)[0].(map[string]any)["id"].(string) {
			t.Errorf("conversation %+v, fake %v", cv, w)
		}
		if i > 0 && cv.LastMessageAt.After(convs[i-1].LastMessageAt) {
			t.Errorf("not most recent first at %d", i)
		}
	}
	limited, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 2})
	if err != nil || len(limited) != 2 || limited[0].ID != convs[0].ID {
		t.Errorf("limit 2: %+v, %v", limited, err)
	}
	_, id, _ := connector.SplitID(convs[0].ReservationID)
	one, err := c.ListConversations(ctx, connector.ConversationQuery{ReservationID: id})
	if err != nil || len(one) != 1 || one[0] != convs[0] {
		t.Errorf("by reservation: %+v, %v; want %+v", one, err, convs[0])
	}

	msgs, err := c.Messages(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rawMsgs := e.raw(t, "/reservations/"+id+"/messages", nil)["data"].([]any)
	if len(msgs) != len(rawMsgs) || len(msgs) == 0 {
		t.Fatalf("%d messages, fake %d", len(msgs), len(rawMsgs))
	}
	for i, m := range msgs {
		w := rawMsgs[i].(map[string]any)
		at, _ := time.Parse(time.RFC3339, w["created_at"].(string))
		if m.ID == "" || m.Sender != w["sender_type"] || m.Body != w["body"] || !m.SentAt.Equal(at) {
			t.Errorf("message %+v, fake %v", m, w)
		}
	}
	if !msgs[len(msgs)-1].SentAt.Equal(convs[0].LastMessageAt) {
		t.Errorf("last message at %v, conversation says %v", msgs[len(msgs)-1].SentAt, convs[0].LastMessageAt)
	}
	_, err = c.Messages(ctx, "00000000-0000-4000-8000-000000000000")
	wantErr(t, err, connector.ErrNotFound)
}

func TestSendMessage(t *testing.T) {
	e := newEnv(t)
	c, src := e.pat(sandbox.HospitablePAT)
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := connector.SplitID(convs[0].ID)
	m, err := c.SendMessage(ctx, id, "The lock code is on its way.")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "" || m.Sender != "host" || m.Body != "The lock code is on its way." || !m.SentAt.Equal(e.Clock.Now()) {
		t.Errorf("sent %+v", m)
	}
	if sent := e.V.SentMessages(); len(sent) != 1 || sent[0].ConversationID != id || sent[0].Body != m.Body {
		t.Errorf("the fake got %+v", sent)
	}
	msgs, _ := c.Messages(ctx, id)
	if last := msgs[len(msgs)-1]; last.Sender != "host" || last.Body != m.Body {
		t.Errorf("the thread ends with %+v", last)
	}

	// Two per minute per reservation [C]: the third waits, and says how long.
	if _, err := c.SendMessage(ctx, id, "second"); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(ctx, id, "third")
	ae := wantErr(t, err, connector.ErrRateLimited)
	if ae.Status != 429 || ae.RetryAfter <= 0 || ae.RetryAfter > time.Minute || src.Rejections() != 0 {
		t.Errorf("rate limit: %+v", ae)
	}
	e.Clock.Advance(time.Minute)
	if _, err := c.SendMessage(ctx, id, "third, later"); err != nil {
		t.Errorf("after a minute: %v", err)
	}

	_, err = c.SendMessage(ctx, id, "<b>bold</b>")
	wantErr(t, err, connector.ErrBadRequest) // Hospitable's 422: no HTML
	_, err = c.SendMessage(ctx, id, "")
	wantErr(t, err, connector.ErrBadRequest)

	// Without message:write: forbidden, and the token is not renewed.
	ro, roSrc := e.pat(sandbox.HospitableReadOnlyPAT)
	_, err = ro.SendMessage(ctx, id, "hello")
	ae = wantErr(t, err, connector.ErrForbidden)
	if ae.Status != 403 || roSrc.Rejections() != 0 || len(e.V.SentMessages()) != 3 {
		t.Errorf("read-only send: %v, %d rejections", err, roSrc.Rejections())
	}
}
