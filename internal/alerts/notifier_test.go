package alerts_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/alerts"
	"github.com/hostgate/hostgate/internal/alerts/alertstest"
	"github.com/hostgate/hostgate/store"
)

// runAll runs RunOnce rounds of every notifier at once, and returns when
// all are done.
func runAll(ctx context.Context, rounds int, ns ...*alerts.Notifier) {
	var wg sync.WaitGroup
	for _, n := range ns {
		for range rounds {
			wg.Go(func() { n.RunOnce(ctx) })
		}
	}
	wg.Wait()
}

// TestOneAlertPerEpisode: two notifiers on two handles of one database
// (two processes), each running rounds at the same time, send one e-mail
// and one webhook for a dead connection; reconnecting and breaking again
// is a new episode with its own alert.
func TestOneAlertPerEpisode(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	ctx := t.Context()
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.connect(t, "c2", "u1", "hostex", "Town flat")
	n1 := f.notifier(t, f.config(f.st))
	n2 := f.notifier(t, f.config(f.open(t)))

	runAll(ctx, 2, n1, n2)
	if len(f.smtp.Mails()) != 0 || len(f.hook.Deliveries()) != 0 {
		t.Fatal("alerts for working connections")
	}

	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	runAll(ctx, 3, n1, n2)
	mails, hooks := f.smtp.Mails(), f.hook.Deliveries()
	if len(mails) != 1 || len(hooks) != 1 || len(f.hook.Accepted()) != 1 {
		t.Fatalf("%d e-mails and %d webhook requests (%d accepted), want exactly one each", len(mails), len(hooks), len(f.hook.Accepted()))
	}
	m := mails[0]
	if !slices.Equal(m.To, []string{"alice@example.com"}) || m.From != "alerts@hostgate.example" {
		t.Fatalf("mail from %s to %v", m.From, m.To)
	}
	h := m.Header()
	if got := h.Get("Subject"); got != `Reconnect your Hospitable account "Beach house" in hostgate` {
		t.Errorf("subject = %q", got)
	}
	if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("header = %v", h)
	}
	text := m.Text()
	for _, want := range []string{
		"Hello alice,",
		`hostgate can no longer reach your Hospitable account "Beach house": the vendor refused to renew access.`,
		"\n" + base + "/connections?reconnect=c1\n",
		"You get this message once",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the e-mail lacks %q:\n%s", want, text)
		}
	}
	ev := hooks[0].Event
	want := map[string]any{"event": "connection.needs_reauth", "host_id": "u1", "host_username": "alice",
		"connection_id": "c1", "vendor": "hospitable", "label": "Beach house", "status": "needs_reauth",
		"reason": refused, "reconnect_url": base + "/connections?reconnect=c1",
		"time": "2026-12-01T09:00:00Z", "since": "2026-12-01T09:00:00Z"}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("webhook %s = %v, want %v", k, ev[k], v)
		}
	}
	if _, ok := ev["email"]; ok || strings.Contains(string(hooks[0].Body), "alice@example.com") {
		t.Error("the webhook carries the host's e-mail address")
	}
	id, _ := ev["id"].(string)
	if id == "" || hooks[0].Header.Get("Hostgate-Delivery") != id || hooks[0].Header.Get("Hostgate-Event") != "connection.needs_reauth" {
		t.Errorf("webhook id %q, headers %v", id, hooks[0].Header)
	}
	if !strings.Contains(h.Get("Message-Id"), id) {
		t.Errorf("Message-ID %q does not name the episode %s", h.Get("Message-Id"), id)
	}
	noSecrets(t, "the alerts", m.Data, string(hooks[0].Body), f.logs.String())

	// Marked again within the episode: still nothing more.
	f.setStatus(t, "c1", store.StatusNeedsReauth, "the vendor refused the saved token")
	f.clock.Advance(time.Hour)
	runAll(ctx, 2, n1, n2)
	if len(f.smtp.Mails()) != 1 || len(f.hook.Deliveries()) != 1 {
		t.Fatal("a second alert within one episode")
	}

	// The host reconnects; later the account breaks again.
	f.setStatus(t, "c1", store.StatusOK, "")
	runAll(ctx, 1, n1, n2)
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	runAll(ctx, 3, n1, n2)
	mails, hooks = f.smtp.Mails(), f.hook.Deliveries()
	if len(mails) != 2 || len(hooks) != 2 || len(f.hook.Accepted()) != 2 {
		t.Fatalf("after breaking again: %d e-mails and %d webhook requests, want two each", len(mails), len(hooks))
	}
	if hooks[1].Event["id"] == id {
		t.Fatal("the second episode's alert has the first one's id")
	}
}

// TestRetriedThenGivenUp: a receiver that keeps failing is tried Attempts
// times with a doubling backoff, then given up with a log line; no process
// retries that episode later. One that recovers within the attempts gets
// the alert once.
func TestRetriedThenGivenUp(t *testing.T) {
	var mu sync.Mutex
	refuse := 0
	f := newFixture(t, alertstest.SMTPOptions{Reply: func(verb string) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if verb == "MAIL" && refuse > 0 {
			refuse--
			return 451, "try again later"
		}
		return 0, ""
	}})
	ctx := t.Context()
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	mu.Lock()
	refuse = 4
	mu.Unlock()
	f.hook.FailNext(500, 503, 429, 500)
	cfg := f.config(f.st)
	n := f.notifier(t, cfg)
	if got := n.RunOnce(ctx); got != 1 {
		t.Fatalf("RunOnce claimed %d, want 1", got)
	}
	if s, d := f.smtp.Sessions(), len(f.hook.Deliveries()); s != 4 || d != 4 || len(f.smtp.Mails()) != 0 {
		t.Fatalf("%d SMTP sessions, %d webhook requests, %d e-mails; want 4, 4 and none", s, d, len(f.smtp.Mails()))
	}
	waits := f.backoffs()
	slices.Sort(waits)
	if want := []time.Duration{2 * time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}; !slices.Equal(waits, want) {
		t.Fatalf("backoffs = %v, want %v", waits, want)
	}
	logs := f.logs.String()
	if c := strings.Count(logs, "alert given up"); c != 2 {
		t.Fatalf("%d give-up lines, want one per channel:\n%s", c, logs)
	}
	for _, want := range []string{"SMTP server 127.0.0.1 refused MAIL FROM: 451 try again later", "answered 500"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	// Given up is final for the episode, in any process and at any time.
	f.clock.Advance(24 * time.Hour)
	runAll(ctx, 2, n, f.notifier(t, f.config(f.open(t))))
	if s, d := f.smtp.Sessions(), len(f.hook.Deliveries()); s != 4 || d != 4 {
		t.Fatalf("after giving up: %d SMTP sessions, %d webhook requests; want no more", s, d)
	}
	noSecrets(t, "the log", logs)

	// The next episode: the receivers fail twice, then take it.
	f.setStatus(t, "c1", store.StatusOK, "")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	mu.Lock()
	refuse = 2
	mu.Unlock()
	f.hook.FailNext(502, 502)
	n.RunOnce(ctx)
	if m, a := len(f.smtp.Mails()), len(f.hook.Accepted()); m != 1 || a != 1 {
		t.Fatalf("%d e-mails and %d webhooks accepted, want one each", m, a)
	}
	if s, d := f.smtp.Sessions(), len(f.hook.Deliveries()); s != 7 || d != 7 {
		t.Fatalf("%d SMTP sessions and %d webhook requests in all, want 4+3 each", s, d)
	}
}

// TestFinalAnswersNotRetried: a refusal the receiver means (SMTP 5xx, a
// 4xx or a redirect from the webhook) is not tried again.
func TestFinalAnswersNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusFound} {
		f := newFixture(t, alertstest.SMTPOptions{Reply: func(verb string) (int, string) {
			if verb == "RCPT" {
				return 550, "no such mailbox"
			}
			return 0, ""
		}})
		f.connect(t, "c1", "u1", "hospitable", "Beach house")
		f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
		f.hook.FailNext(status)
		f.notifier(t, f.config(f.st)).RunOnce(t.Context())
		if s, d := f.smtp.Sessions(), len(f.hook.Deliveries()); s != 1 || d != 1 || len(f.backoffs()) != 0 {
			t.Fatalf("webhook %d: %d SMTP sessions, %d webhook requests, backoffs %v; want one try each", status, s, d, f.backoffs())
		}
		if !strings.Contains(f.logs.String(), "refused RCPT TO: 550 no such mailbox") {
			t.Fatalf("the log does not say why:\n%s", f.logs)
		}
	}
}

// TestShutdownReleasesClaim: a delivery cut short by shutdown before any
// channel took it gives its claim back, so the next process sends it.
func TestShutdownReleasesClaim(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	arrived := make(chan struct{}, 1)
	f.hook.Hold(func(r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // the sender gave up
	})
	cfg := f.config(f.st)
	cfg.Mail = nil
	n := f.notifier(t, cfg)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() { done <- n.RunOnce(ctx) }()
	receive(t, "the held delivery", arrived, 1)
	cancel()
	if got := receive(t, "RunOnce's return", done, 1)[0]; got != 1 {
		t.Fatalf("RunOnce claimed %d", got)
	}
	if !strings.Contains(f.logs.String(), "released for another process") {
		t.Fatalf("no release logged:\n%s", f.logs)
	}
	f.hook.Hold(nil)
	other := f.notifier(t, f.config(f.open(t)))
	other.RunOnce(t.Context())
	if a := len(f.hook.Accepted()); a != 1 || len(f.smtp.Mails()) != 1 {
		t.Fatalf("after the release: %d webhooks accepted, %d e-mails; want the alert sent by the other process", a, len(f.smtp.Mails()))
	}
}

// TestAbandonedClaimTakenOver: a claim whose process died (unfinished, its
// lease over) is taken over, and the alert keeps its episode id.
func TestAbandonedClaimTakenOver(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	now := f.clock.Now()
	if _, err := f.st.ClaimConnectionAlert(t.Context(), "c1", "n-dead", "episode-1", now, now.Add(alerts.DefaultLease)); err != nil {
		t.Fatal(err)
	}
	n := f.notifier(t, f.config(f.open(t)))
	f.clock.Advance(alerts.DefaultLease)
	if got := n.RunOnce(t.Context()); got != 0 || len(f.hook.Deliveries()) != 0 {
		t.Fatalf("claimed %d while the lease holds", got)
	}
	f.clock.Advance(time.Second)
	if got := n.RunOnce(t.Context()); got != 1 {
		t.Fatalf("claimed %d after the lease, want 1", got)
	}
	hooks := f.hook.Accepted()
	if len(hooks) != 1 || hooks[0].Event["id"] != "episode-1" || len(f.smtp.Mails()) != 1 {
		t.Fatalf("after a takeover: %d webhooks (%v), %d e-mails", len(hooks), hooks, len(f.smtp.Mails()))
	}
	if !strings.Contains(f.logs.String(), "alert taken over from a process that stopped") {
		t.Fatalf("the takeover is not logged:\n%s", f.logs)
	}
}

// TestRunNudgedAndStopped: Run's first round comes at once, a nudge starts
// another without waiting for the interval, and Run returns when its
// context ends.
func TestRunNudgedAndStopped(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	cfg := f.config(f.st)
	cfg.Interval = 24 * time.Hour
	n := f.notifier(t, cfg)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()

	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	n.Nudge("c1")
	receive(t, "the webhook", f.hook.Arrived, 1)
	receive(t, "the e-mail", f.smtp.Arrived, 1)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if len(f.hook.Deliveries()) != 1 || len(f.smtp.Mails()) != 1 {
		t.Fatal("more than one alert")
	}
}
