package mcpserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestJobWritesConfirmedInChat: update_stay, save_task and send_quote ask
// the host in the chat with what will change, do nothing when the host
// declines, and reach the vendor once when the host accepts.
func TestJobWritesConfirmedInChat(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	f.client.Close()
	el := &formElicitor{answer: answer(mcp.ElicitationResponseActionDecline, false)}
	c := elicitingClient(t, e, f.tokens, el, "2025-11-25")
	r := hostexConversation(t, c)

	// update_stay: declined changes nothing; accepted sets the note at
	// Hostex, which its own API then shows.
	note := "Early check-in agreed for 13:00."
	args := map[string]any{"reservation_id": r.ID, "host_note": note, "door_code": "4821"}
	if out := writeOut(t, rawCall(t, c, "update_stay", args)); out.Status != "declined" {
		t.Fatalf("declined update_stay: %+v", out)
	}
	if got := hostexRemarks(t, e, r.ID); got == note {
		t.Fatal("a declined change reached Hostex")
	}
	asked := el.asked()
	if len(asked) != 1 || !strings.Contains(asked[0].Message, "Host note: "+note) || !strings.Contains(asked[0].Message, "Door code: 4821") || !strings.Contains(asked[0].Message, r.Guest) {
		t.Fatalf("the host was asked %+v", asked)
	}
	el.mu.Lock()
	el.answer = answer(mcp.ElicitationResponseActionAccept, true)
	el.mu.Unlock()
	args["host_note"] = note + " "
	if out := writeOut(t, rawCall(t, c, "update_stay", args)); out.Status != "done" {
		t.Fatalf("accepted update_stay: %+v", out)
	}
	if got := hostexRemarks(t, e, r.ID); got != note {
		t.Fatalf("Hostex's remarks = %q, want %q", got, note)
	}
	// A field the vendor does not take is refused before anyone is asked.
	before := len(el.asked())
	var props tools.PropertiesOut
	callTool(t, c, "list_properties", map[string]any{"vendor": "hospitable"}, &props)
	var res tools.ReservationsOut
	callTool(t, c, "list_reservations", map[string]any{"vendor": "hospitable"}, &res)
	if len(res.Reservations) == 0 {
		t.Fatal("no hospitable reservation")
	}
	bad := rawCall(t, c, "update_stay", map[string]any{"reservation_id": res.Reservations[0].ID, "host_note": "x"})
	if !bad.IsError || !strings.Contains(resultText(bad), "takes only door_code") || len(el.asked()) != before {
		t.Fatalf("host_note at Hospitable: %s", resultText(bad))
	}

	// save_task creates one task at Hostaway, which list_tasks then shows.
	listing := fmt.Sprintf("hostaway:%d", sandbox.HostawayListingID)
	due := e.clock.Now().AddDate(0, 0, 2).Format("2006-01-02")
	out := writeOut(t, rawCall(t, c, "save_task", map[string]any{"property_id": listing, "title": "Replace the hallway bulb", "due": due}))
	if out.Status != "done" {
		t.Fatalf("save_task: %+v", out)
	}
	var task connector.Task
	if err := json.Unmarshal(*out.Result, &task); err != nil || task.ID == "" || task.Title != "Replace the hallway bulb" {
		t.Fatalf("saved task = %s (%v)", *out.Result, err)
	}
	var tasks tools.TasksOut
	callTool(t, c, "list_tasks", map[string]any{"property_id": listing, "from": e.clock.Now().Format("2006-01-02"), "to": due}, &tasks)
	n := 0
	for _, tk := range tasks.Tasks {
		if tk.ID == task.ID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("list_tasks shows the new task %d times: saved %+v, listed %+v", n, task, tasks)
	}

	// send_quote at Hospitable returns the booking link to send.
	in := e.clock.Now().AddDate(0, 5, 0).Format("2006-01-02")
	outQ := writeOut(t, rawCall(t, c, "send_quote", map[string]any{"property_id": "hospitable:" + sandbox.HospitableAucklandPropertyID,
		"check_in": in, "check_out": e.clock.Now().AddDate(0, 5, 3).Format("2006-01-02"), "adults": 2}))
	if outQ.Status != "done" || !strings.Contains(outQ.Next, "send_message") {
		t.Fatalf("send_quote: %+v", outQ)
	}
	var q connector.Quote
	if err := json.Unmarshal(*outQ.Result, &q); err != nil || q.BookingURL == "" || q.CheckIn != in {
		t.Fatalf("quote = %s (%v)", *outQ.Result, err)
	}
}

// hostexRemarks reads a reservation's host note from the Hostex fake's own
// API.
func hostexRemarks(t *testing.T, e *env, id string) string {
	t.Helper()
	_, code, err := connector.SplitID(id)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.sandbox.Hostex.APIBase+"/reservations?"+url.Values{"reservation_code": {code}}.Encode(), nil)
	req.Header.Set("Hostex-Access-Token", sandbox.HostexWritableToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body struct {
		Data struct {
			Reservations []struct {
				Remarks string `json:"remarks"`
			} `json:"reservations"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &body); err != nil || len(body.Data.Reservations) == 0 {
		t.Fatalf("hostex reservation %s: %s", code, b)
	}
	return body.Data.Reservations[0].Remarks
}
