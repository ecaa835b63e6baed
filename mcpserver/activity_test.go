package mcpserver_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// activityRow is an event's row on the activity page: <tr id="ev-N">.
var activityRow = regexp.MustCompile(`<tr id="ev-(\d+)">`)

// activity opens /activity with a query in b and returns the page and the
// ids of the events it lists, in order.
func activity(t *testing.T, b *browsertest.Browser, query url.Values) (*browsertest.Page, []int64) {
	t.Helper()
	u := "/activity"
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	p := b.Get(u)
	var ids []int64
	for _, m := range activityRow.FindAllStringSubmatch(p.Body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return p, ids
}

// setPolicy chooses how an app's writes are confirmed, on the connections
// page.
func setPolicy(t *testing.T, b *browsertest.Browser, clientID, policy string) {
	t.Helper()
	p := b.Get("/connections")
	p = b.Submit(p.Form(t, "/clients/"+clientID+"/policy"), url.Values{"policy": {policy}})
	if !strings.Contains(p.Body, "Saved how") {
		t.Fatalf("set policy %s: %d %s", policy, p.Resp.StatusCode, p.Body)
	}
}

// hostActivity returns every event of the host, as stored, newest first.
func (e *env) hostActivity(t *testing.T, userID string) []store.AuditEvent {
	t.Helper()
	if err := e.srv.FlushActivity(context.Background()); err != nil {
		t.Fatal(err)
	}
	events, err := e.store.ListActivity(context.Background(), userID, store.ActivityFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// newHost adds a second host with the test password and signs them in.
func (e *env) newHost(t *testing.T, id, name string) *browsertest.Browser {
	t.Helper()
	if err := e.store.CreateUser(context.Background(), store.User{ID: id, Username: name, PasswordHash: e.host.PasswordHash, CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, e.ts.URL)
	p := b.Get("/activity")
	p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {name}, "password": {hostPassword}})
	if p.URL.Path != "/activity" || p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("%s's sign-in landed on %s (%d)", name, p.URL, p.Resp.StatusCode)
	}
	return b
}

// TestActivityShowsWhatAppsDid (issue 12, item 5): an app sends a message
// without asking (the host's choice) and the host's activity page, in
// their browser, shows the message's text, the app that sent it, the
// account and that it was sent. A write saved as a draft says so and not
// "sent"; the host's approval is its own event naming the app; a send the
// vendor refuses says it failed. Another host sees none of it: not on the
// page, not in the export, not by naming the app, tool or outcome.
func TestActivityShowsWhatAppsDid(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	b := signedIn(t, e)
	r := hostexConversation(t, f.client)

	setPolicy(t, b, f.clientID, "act")
	sentText := fmt.Sprintf("Hi %s, the hot tub is ready & the gate code is on its way.", r.Guest)
	if out := writeOut(t, rawCall(t, f.client, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": sentText})); out.Status != "done" {
		t.Fatalf("send: %+v", out)
	}
	p, ids := activity(t, b, nil)
	if p.Resp.StatusCode != http.StatusOK || len(ids) == 0 {
		t.Fatalf("activity page: %d, %d events", p.Resp.StatusCode, len(ids))
	}
	assertPageHeaders(t, "activity page", p.Resp.Header)
	first := elementText(t, p.Body, fmt.Sprintf("ev-%d", ids[0]))
	for _, want := range []string{sentText, "e2e client", "Send a message to a guest", "send_message", "Sent", "Hostex", r.Guest} {
		if !strings.Contains(first, want) {
			t.Errorf("the newest event does not show %q:\n%s", want, first)
		}
	}
	events := e.hostActivity(t, e.host.ID)
	sent := events[0]
	if sent.Kind != store.EventToolCall || sent.Tool != "send_message" || sent.Outcome != store.OutcomeSent || sent.Text != sentText ||
		sent.AppName != "e2e client" || sent.ClientID != f.clientID || len(sent.Accounts) != 1 || sent.Accounts[0].Vendor != "hostex" ||
		sent.Duration <= 0 || sent.Ref == "" {
		t.Fatalf("the send's event: %+v", sent)
	}
	// The reads before it are logged too, with their accounts.
	var read bool
	for _, ev := range events {
		if ev.Tool == "list_reservations" && ev.Outcome == store.OutcomeOK && len(ev.Accounts) == 1 && ev.Accounts[0].Vendor == "hostex" {
			read = true
		}
	}
	if !read {
		t.Errorf("no list_reservations event naming the Hostex account: %+v", events)
	}

	// A draft: "saved as a draft", never "sent", until the host approves.
	setPolicy(t, b, f.clientID, "drafts")
	draftText := "A draft: late check-out is fine."
	out := writeOut(t, rawCall(t, f.client, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": draftText}))
	if out.Status != "draft" {
		t.Fatalf("draft: %+v", out)
	}
	drafted := e.hostActivity(t, e.host.ID)[0]
	if drafted.Outcome != store.OutcomeDrafted || drafted.Text != draftText || drafted.Ref != out.Draft.ID {
		t.Fatalf("the draft's event: %+v", drafted)
	}
	p = b.Get(out.Draft.ApprovalURL)
	b.Submit(p.Form(t, "/approvals/"+out.Draft.ID), url.Values{"action": {"approve"}})
	approved := e.hostActivity(t, e.host.ID)[0]
	if approved.Kind != store.EventWriteApproved || approved.Outcome != store.OutcomeSent || approved.AppName != "e2e client" ||
		approved.Text != draftText || approved.Ref != out.Draft.ID || len(approved.Accounts) != 1 {
		t.Fatalf("the approval's event: %+v", approved)
	}
	p, ids = activity(t, b, nil)
	if row := elementText(t, p.Body, fmt.Sprintf("ev-%d", ids[0])); !strings.Contains(row, "You approved a draft") || !strings.Contains(row, "e2e client") || !strings.Contains(row, draftText) {
		t.Errorf("the approval's row: %s", row)
	}
	if row := elementText(t, p.Body, fmt.Sprintf("ev-%d", ids[1])); !strings.Contains(row, "Saved as a draft") || strings.Contains(row, "Sent") {
		t.Errorf("the draft's row: %s", row)
	}

	// A send the vendor refuses: failed, not sent.
	setPolicy(t, b, f.clientID, "act")
	e.sandbox.Hostex.Fail(sandbox.Fault{Method: http.MethodPost, Path: "/conversations", Status: http.StatusInternalServerError})
	if res := rawCall(t, f.client, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": "This one fails."}); !res.IsError {
		t.Fatalf("a refused send answered %s", resultText(res))
	}
	failed := e.hostActivity(t, e.host.ID)[0]
	if failed.Outcome != store.OutcomeFailed || failed.Text != "This one fails." || !hasFact(failed, "Error") {
		t.Fatalf("the failed send's event: %+v", failed)
	}

	// A draft the host approves but the vendor refuses, and one the host
	// discards: failed and discarded, never sent.
	setPolicy(t, b, f.clientID, "drafts")
	refusedText, discardedText := "Approved, then refused.", "Never mind this one."
	for _, tc := range []struct{ text, action, kind, outcome string }{
		{refusedText, "approve", store.EventWriteApproved, store.OutcomeFailed},
		{discardedText, "discard", store.EventWriteDiscarded, store.OutcomeDiscarded},
	} {
		out := writeOut(t, rawCall(t, f.client, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": tc.text}))
		if tc.action == "approve" {
			e.sandbox.Hostex.Fail(sandbox.Fault{Method: http.MethodPost, Path: "/conversations", Status: http.StatusInternalServerError})
		}
		p := b.Get(out.Draft.ApprovalURL)
		b.Submit(p.Form(t, "/approvals/"+out.Draft.ID), url.Values{"action": {tc.action}})
		ev := e.hostActivity(t, e.host.ID)[0]
		if ev.Kind != tc.kind || ev.Outcome != tc.outcome || ev.Text != tc.text || ev.AppName != "e2e client" || ev.Ref != out.Draft.ID {
			t.Fatalf("%s: the decision's event: %+v", tc.action, ev)
		}
		if tc.action == "approve" && !hasFact(ev, "Error") {
			t.Errorf("the refused approval does not say why: %+v", ev)
		}
	}

	// Another host sees none of it, whatever they ask for.
	mb := e.newHost(t, "host-2", "mallory")
	secrets := []string{sentText, draftText, "This one fails.", refusedText, discardedText, r.Guest, "e2e client", html.EscapeString(sentText)}
	for _, q := range []url.Values{
		nil,
		{"app": {f.clientID}},
		{"tool": {"send_message"}},
		{"outcome": {store.OutcomeSent}},
		{"what": {"tools"}, "from": {"2000-01-01"}, "to": {"2100-01-01"}},
		{"before": {strconv.FormatInt(e.clock.Now().Add(time.Hour).UnixNano(), 10) + "." + strconv.FormatInt(sent.ID+1000, 10)}},
	} {
		p, ids := activity(t, mb, q)
		if p.Resp.StatusCode != http.StatusOK {
			t.Fatalf("mallory's activity %v: %d", q, p.Resp.StatusCode)
		}
		for _, id := range ids {
			for _, ev := range events {
				if ev.ID == id {
					t.Errorf("mallory's page %v lists alice's event %d", q, id)
				}
			}
		}
		for _, format := range []string{"csv", "jsonl"} {
			qq := url.Values{"format": {format}}
			for k, v := range q {
				qq[k] = v
			}
			x := mb.Get("/activity/export?" + qq.Encode())
			for _, s := range secrets {
				if strings.Contains(p.Body, s) || strings.Contains(x.Body, s) {
					t.Errorf("mallory's %v (page or %s export) shows %q", q, format, s)
				}
			}
		}
	}
	// A control: mallory's own sign-in is on her page.
	if p, ids := activity(t, mb, url.Values{"what": {"signins"}}); len(ids) != 1 || !strings.Contains(p.Body, "You signed in") {
		t.Fatalf("mallory's sign-ins: %v", ids)
	}
}

// olderLink is the href of the page's "Older" link, "" if there is none.
func olderLink(t *testing.T, body string) string {
	t.Helper()
	for _, l := range links(parseHTML(t, body)) {
		if l.Text == "Older" {
			return l.Href
		}
	}
	return ""
}

func hasFact(e store.AuditEvent, label string) bool {
	for _, f := range e.Facts {
		if f.Label == label {
			return true
		}
	}
	return false
}

// TestActivityFiltersAndPaging: each filter narrows the page to what it
// names; "older" pages walk every event once, newest first; a bad filter is
// refused with a clear message; the connections page links here.
func TestActivityFiltersAndPaging(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	for range 60 {
		callWhoami(t, f.client)
	}
	// Two days later: a read of every account, and a write an app with
	// only the read scope is refused (HTTP 403 before the tool runs).
	e.clock.Advance(48 * time.Hour)
	f.tokens.expire() // the client renews its token, two days on
	rawCall(t, f.client, "list_properties", nil)
	ro, _ := e.grant(t, "read")
	if resp := postMCP(t, e.ts.URL+"/mcp", ro.AccessToken, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"send_message","arguments":{}}}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a read-only app's send_message: %d", resp.StatusCode)
	}
	b := signedIn(t, e)
	if p := b.Get("/connections"); !strings.Contains(p.Body, `href="/activity"`) {
		t.Fatal("the connections page does not link to the activity page")
	}
	all := e.hostActivity(t, e.host.ID)
	count := func(keep func(store.AuditEvent) bool) int {
		n := 0
		for _, ev := range all {
			if keep(ev) {
				n++
			}
		}
		return n
	}

	// Paging: 50 a page, each event once, in the store's order.
	var walked []int64
	q := url.Values{}
	for page := 0; ; page++ {
		p, ids := activity(t, b, q)
		if p.Resp.StatusCode != http.StatusOK || len(ids) > 50 || page > 5 {
			t.Fatalf("page %d: %d, %d events", page, p.Resp.StatusCode, len(ids))
		}
		walked = append(walked, ids...)
		older := olderLink(t, p.Body)
		if older == "" {
			break
		}
		u := mustURL(t, older)
		q = u.Query()
	}
	if len(walked) != len(all) || len(all) <= 50 {
		t.Fatalf("paging walked %d events, the log holds %d (want more than a page)", len(walked), len(all))
	}
	for i, ev := range all {
		if walked[i] != ev.ID {
			t.Fatalf("event %d on the pages is %d, want %d", i, walked[i], ev.ID)
		}
	}

	for _, tc := range []struct {
		name string
		q    url.Values
		keep func(store.AuditEvent) bool
	}{
		{"tool", url.Values{"tool": {"whoami"}}, func(ev store.AuditEvent) bool { return ev.Tool == "whoami" }},
		{"tool calls", url.Values{"what": {"tools"}}, func(ev store.AuditEvent) bool { return ev.Kind == store.EventToolCall }},
		{"app", url.Values{"app": {f.clientID}}, func(ev store.AuditEvent) bool { return ev.ClientID == f.clientID }},
		{"refused", url.Values{"outcome": {"refused"}}, func(ev store.AuditEvent) bool { return ev.Outcome == store.OutcomeRefused }},
		{"from a day", url.Values{"from": {"2026-12-02"}}, func(ev store.AuditEvent) bool { return !ev.At.Before(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) }},
		{"to a day", url.Values{"to": {"2026-11-30"}}, func(ev store.AuditEvent) bool { return ev.At.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) }},
		{"apps", url.Values{"what": {"apps"}}, func(ev store.AuditEvent) bool {
			return ev.Kind == "consent.approved" || ev.Kind == "token.issued" || ev.Kind == "policy.changed"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := count(tc.keep)
			if want == 0 || want == len(all) {
				t.Fatalf("the filter would keep %d of %d events: it proves nothing", want, len(all))
			}
			n, q := 0, tc.q
			for page := 0; ; page++ {
				p, ids := activity(t, b, q)
				if p.Resp.StatusCode != http.StatusOK || page > 5 {
					t.Fatalf("%v: %d", q, p.Resp.StatusCode)
				}
				n += len(ids)
				older := olderLink(t, p.Body)
				if older == "" {
					break
				}
				q = mustURL(t, older).Query()
				for k := range tc.q {
					if q.Get(k) != tc.q.Get(k) {
						t.Fatalf("the older link drops the filter %s: %s", k, older)
					}
				}
			}
			if n != want {
				t.Fatalf("%v listed %d events, want %d", tc.q, n, want)
			}
		})
	}
	refused := all[slicesIndex(all, func(ev store.AuditEvent) bool { return ev.Outcome == store.OutcomeRefused })]
	if refused.Tool != "send_message" || refused.AppName != "test client" || !strings.Contains(refused.Detail, "write scope") {
		t.Errorf("the refused call's event: %+v", refused)
	}

	for _, tc := range []struct{ q, says string }{
		{"what=everything", "what must be one of"},
		{"tool=delete_everything", "not one of hostgate's tools"},
		{"outcome=maybe", "outcome must be one of"},
		{"from=2026-13-01", "from must be a date"},
		{"to=tomorrow", "to must be a date"},
		{"from=2026-12-02&to=2026-12-01", "to must be on or after from"},
		{"before=12x", "paging position is malformed"},
		{"tool=whoami&tool=list_properties", "give tool once"},
		{"app=" + strings.Repeat("x", 3000), "app is too long"},
	} {
		p := b.Get("/activity?" + tc.q)
		if p.Resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(p.Body), tc.says) {
			t.Errorf("/activity?%.40s: %d, want 400 saying %q", tc.q, p.Resp.StatusCode, tc.says)
		}
	}
	// Signed out: the sign-in page, for the page and the export alike.
	for _, path := range []string{"/activity", "/activity/export?format=csv"} {
		resp, err := noRedirect().Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Errorf("%s signed out: %d → %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func slicesIndex(events []store.AuditEvent, f func(store.AuditEvent) bool) int {
	for i, ev := range events {
		if f(ev) {
			return i
		}
	}
	panic("no such event")
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestActivityExport: the export is an attachment holding every event the
// page's filters select: CSV with a header row, its cells defused against
// formula injection, and JSON lines, one event a line.
func TestActivityExport(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	b := signedIn(t, e)
	r := hostexConversation(t, f.client)
	setPolicy(t, b, f.clientID, "act")
	formula := `=HYPERLINK("https://evil.example","click"), see you at 4`
	writeOut(t, rawCall(t, f.client, "send_message", map[string]any{"conversation_id": r.ConversationID, "body": formula}))
	all := e.hostActivity(t, e.host.ID)

	x := b.Get("/activity/export?format=csv")
	if x.Resp.StatusCode != http.StatusOK || !strings.HasPrefix(x.Resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(x.Resp.Header.Get("Content-Disposition"), `attachment; filename="hostgate-activity-2026-11-30.csv"`) ||
		x.Resp.Header.Get("Cache-Control") != "no-store" || x.Resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("CSV export: %d %v", x.Resp.StatusCode, x.Resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(x.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(all)+1 || strings.Join(rows[0], ",") != "time,kind,app,app_id,what,tool,accounts,outcome,duration_ms,detail,facts,text,draft_id,who" {
		t.Fatalf("CSV: %d rows (want a header and %d), header %v", len(rows), len(all), rows[0])
	}
	sent := rows[1]
	if sent[1] != "tool.call" || sent[2] != "e2e client" || sent[5] != "send_message" || sent[7] != "sent" || sent[11] != "'"+formula ||
		!strings.HasPrefix(sent[6], "Hostex") || !strings.Contains(sent[10], "Guest: "+r.Guest) {
		t.Fatalf("the send's CSV row: %q", sent)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("a CSV cell starts with a formula character: %q", cell)
			}
		}
	}

	j := b.Get("/activity/export?format=jsonl&tool=send_message")
	if j.Resp.StatusCode != http.StatusOK || !strings.HasPrefix(j.Resp.Header.Get("Content-Type"), "application/jsonl") ||
		!strings.Contains(j.Resp.Header.Get("Content-Disposition"), ".jsonl") {
		t.Fatalf("JSON-lines export: %d %v", j.Resp.StatusCode, j.Resp.Header)
	}
	lines := bytes.Split(bytes.TrimSpace([]byte(j.Body)), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("%d JSON lines for send_message, want 1:\n%s", len(lines), j.Body)
	}
	var ev struct {
		ID       int64                `json:"id"`
		App      string               `json:"app"`
		Text     string               `json:"text"`
		Outcome  string               `json:"outcome"`
		Accounts []store.EventAccount `json:"accounts"`
		Duration float64              `json:"duration_ms"`
	}
	if err := json.Unmarshal(lines[0], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != all[0].ID || ev.App != "e2e client" || ev.Text != formula || ev.Outcome != "sent" || len(ev.Accounts) != 1 || ev.Duration <= 0 {
		t.Fatalf("the send's JSON line: %+v", ev)
	}
	for _, q := range []string{"format=xml", "", "format=csv&outcome=nope"} {
		if p := b.Get("/activity/export?" + q); p.Resp.StatusCode != http.StatusBadRequest {
			t.Errorf("export?%s: %d, want 400", q, p.Resp.StatusCode)
		}
	}
}

// TestActivityRetention: the sweep deletes events older than the
// retention, on the server's clock, and the page no longer shows them.
func TestActivityRetention(t *testing.T) {
	e := newEnv(t, envOptions{activityRetention: 30 * 24 * time.Hour})
	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	callWhoami(t, f.client)
	before := len(e.hostActivity(t, e.host.ID))
	e.clock.Advance(29 * 24 * time.Hour)
	if n, err := e.srv.SweepActivity(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep within the retention: %d, %v", n, err)
	}
	e.clock.Advance(2 * 24 * time.Hour)
	b := signedIn(t, e) // a sign-in now: the one event to keep
	n, err := e.srv.SweepActivity(context.Background())
	// The host's older events, and the app's registration, which is no
	// host's.
	if err != nil || n != int64(before)+1 {
		t.Fatalf("sweep past the retention deleted %d (%v), want the %d older events and the registration", n, err, before)
	}
	p, ids := activity(t, b, nil)
	if len(ids) != 1 || !strings.Contains(elementText(t, p.Body, fmt.Sprintf("ev-%d", ids[0])), "You signed in") {
		t.Fatalf("after the sweep the page lists %v", ids)
	}
	// Zero retention keeps everything.
	k := newEnv(t, envOptions{})
	k.clock.Advance(10 * 365 * 24 * time.Hour)
	if n, err := k.srv.SweepActivity(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep without a retention: %d, %v", n, err)
	}
}
