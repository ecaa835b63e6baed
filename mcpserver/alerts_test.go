package mcpserver_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/alerts"
	"github.com/hostgate/hostgate/internal/alerts/alertstest"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

const alertHookSecret = "alert-webhook-secret-5f0e9d8c7b6a5f4e3d2c1b0a"

// TestDeadConnectionAlertsOnce (issue 12, item 7): a connection killed the
// real way — the vendor's token endpoint refusing the refresh during tool
// calls — is alerted by exactly one e-mail and one webhook, although
// several tool calls find it dead at once, this process's loop is nudged,
// and a second process's loop on the same database looks too. The host
// reconnects on the page the alert links to; broken again, the account is
// alerted again. Nothing in the alerts or the logs is a vendor credential.
func TestDeadConnectionAlertsOnce(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	ctx := context.Background()
	if err := e.store.SetUserEmail(ctx, e.host.ID, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	b, p := e.hostBrowser(t)
	_, _ = e.connectOAuth(t, b, p, "hospitable")
	hospitable := e.onlyConn(t, "hospitable")
	pair, _ := e.grant(t, "read")
	headers := mcpHeaders(pair.AccessToken, e.initSession(t, pair.AccessToken))
	reconnect := e.ts.URL + "/connections?reconnect=" + hospitable.ID

	smtp := alertstest.NewSMTPServer(t, alertstest.SMTPOptions{})
	hook := alertstest.NewReceiver(t, alertHookSecret, e.clock.Now)
	notifier := func(st store.ConnectionAlerts) *alerts.Notifier {
		n, err := alerts.New(alerts.Config{
			Store: st, BaseURL: e.ts.URL, VendorTitles: map[string]string{"hospitable": "Hospitable"},
			ReconnectURL: func(id string) string { return e.ts.URL + "/connections?reconnect=" + id },
			Mail:         &alerts.MailConfig{Addr: smtp.Addr, From: "alerts@hostgate.example"},
			Webhook:      &alerts.WebhookConfig{URL: hook.URL, Secret: alertHookSecret},
			Interval:     time.Hour, Now: e.clock.Now,
			Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// This process: its loop runs, and the lifecycle nudges it.
	here := notifier(e.store)
	e.srv.Lifecycle().OnNeedsHost(here.Nudge)
	// Another process on the same database file.
	ring, err := store.NewKeyring("k1", map[string][]byte{"k1": make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	other := e.db.Open(t, ring)
	there := notifier(other)

	// secrets are every vendor credential the host's accounts held, and
	// the sandbox's own.
	secrets := []string{sandbox.HospitablePAT, sandbox.HospitableClientSecret, sandbox.HostexWritableToken,
		sandbox.HostexClientSecret, sandbox.HostawayAPIKey, sandbox.HoxtonAIM2MClientSecret, sandbox.HoxtonAIClientSecret,
		alertHookSecret}
	collect := func() {
		for _, c := range e.hostConns(t) {
			cred := e.credOf(t, c.ID)
			for _, s := range []string{cred.AccessToken, cred.RefreshToken, cred.ClientSecret} {
				if s != "" && !slices.Contains(secrets, s) {
					secrets = append(secrets, s)
				}
			}
		}
	}

	// breakAndCall kills the Hospitable connection at the vendor and makes
	// six tool calls at once.
	breakAndCall := func() {
		t.Helper()
		collect()
		hsp := e.sandbox.Hospitable
		hsp.RotateRefreshTokensOutOfBand()
		hsp.ExpireAccessTokens()
		call := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_properties","arguments":{"vendor":"hospitable"}}}`)
		answers := make([]string, 6)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				// A tool error is what each call should end in.
				if _, err := postBody(benchClient(), e.ts.URL+"/mcp", headers, call); err != nil {
					answers[i] = err.Error()
				}
			})
		}
		wg.Wait()
		for _, a := range answers {
			if !strings.Contains(a, "needs the host to reconnect it") {
				t.Fatalf("a tool call did not report the dead connection: %s", a)
			}
		}
		if c := e.onlyConn(t, "hospitable"); c.Status != store.StatusNeedsReauth {
			t.Fatalf("hospitable is %s", c.Status)
		}
	}

	// First episode: the account dies in tool calls; then this process's
	// loop starts while both processes run rounds, all at the same moment,
	// so that every one of them finds the connection unalerted.
	breakAndCall()
	loop, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	begin := make(chan struct{})
	var wg sync.WaitGroup
	go func() { <-begin; here.Run(loop); close(stopped) }()
	for range 3 {
		wg.Go(func() { <-begin; here.RunOnce(ctx) })
		wg.Go(func() { <-begin; there.RunOnce(ctx) })
	}
	close(begin)
	wg.Wait()
	mail := receive(t, "the e-mail", smtp.Arrived)
	delivery := receive(t, "the webhook", hook.Arrived)
	for range 2 {
		here.Nudge("")
		there.RunOnce(ctx)
	}
	if m, d := len(smtp.Mails()), len(hook.Deliveries()); m != 1 || d != 1 {
		t.Fatalf("%d e-mails and %d webhook requests, want exactly one each", m, d)
	}
	if !slices.Equal(mail.To, []string{"alice@example.com"}) || !strings.Contains(mail.Text(), "\n"+reconnect+"\n") ||
		!strings.Contains(mail.Text(), `your Hospitable account "Hospitable sandbox": the vendor refused to renew access.`) {
		t.Fatalf("e-mail to %v:\n%s", mail.To, mail.Text())
	}
	if !delivery.Verified || delivery.Event["reconnect_url"] != reconnect || delivery.Event["host_username"] != hostName ||
		delivery.Event["reason"] != "the vendor refused to renew access" {
		t.Fatalf("webhook: %+v", delivery)
	}

	// The host follows the link and reconnects; later the account breaks
	// again. The loop, whose interval is an hour, is woken by the
	// lifecycle's nudge alone: a second alert, with another id.
	p = b.Get("/connections?reconnect=" + hospitable.ID)
	if p.Resp.StatusCode != http.StatusOK {
		t.Fatalf("the reconnect link answers %d", p.Resp.StatusCode)
	}
	_, _ = e.connectOAuth(t, b, p, "hospitable")
	if c := e.onlyConn(t, "hospitable"); c.Status != store.StatusOK || c.ID != hospitable.ID {
		t.Fatalf("after reconnecting: %+v", c)
	}
	there.RunOnce(ctx)
	if len(smtp.Mails()) != 1 {
		t.Fatal("an alert for a working connection")
	}
	breakAndCall()
	receive(t, "the second e-mail", smtp.Arrived)
	receive(t, "the second webhook", hook.Arrived)
	stop()
	<-stopped
	there.RunOnce(ctx)
	mails, deliveries := smtp.Mails(), hook.Deliveries()
	if len(mails) != 2 || len(deliveries) != 2 || !deliveries[1].Verified {
		t.Fatalf("after breaking again: %d e-mails and %d webhook requests, want two each", len(mails), len(deliveries))
	}
	if deliveries[1].Event["id"] == deliveries[0].Event["id"] {
		t.Fatal("the second episode's alert repeats the first one's id")
	}

	collect()
	var texts []string
	for _, m := range mails {
		texts = append(texts, m.Data)
	}
	for _, d := range deliveries {
		texts = append(texts, string(d.Body), d.Header.Get("Hostgate-Signature"))
	}
	texts = append(texts, e.logs.String())
	for _, s := range secrets {
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Errorf("a secret (%.6s…) is in an alert or the log", s)
			}
		}
	}
}

// receive waits for one value on ch.
func receive[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not arrive", what)
	}
	panic("unreachable")
}
