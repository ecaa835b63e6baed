package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/alerts/alertstest"
	"github.com/hostgate/hostgate/store"
)

const testHookSecret = "0123456789abcdef0123456789abcdef-test"

// TestAlertFlags: the alert settings come from flags and HOSTGATE_*
// variables, the secrets from the environment only, and each mistake is
// refused at start naming the settings to fix.
func TestAlertFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		err  string
		want func(AlertConfig) bool
	}{
		{name: "off by default", want: func(a AlertConfig) bool {
			return a.Interval == time.Minute && a.mail() == nil && a.webhook() == nil
		}},
		{name: "e-mail from the environment",
			env: map[string]string{"HOSTGATE_SMTP_ADDR": "smtp.example.com:587", "HOSTGATE_SMTP_FROM": "alerts@example.com",
				"HOSTGATE_SMTP_USERNAME": "hostgate", "HOSTGATE_SMTP_PASSWORD": "pw", "HOSTGATE_ALERT_INTERVAL": "30s"},
			want: func(a AlertConfig) bool {
				m := a.mail()
				return m != nil && m.Password == "pw" && m.Username == "hostgate" && a.Interval == 30*time.Second
			}},
		{name: "flags win", env: map[string]string{"HOSTGATE_SMTP_ADDR": "smtp.example.com:587"},
			args: []string{"--smtp-addr", "127.0.0.1:25", "--smtp-from", "alerts@example.com", "--alert-interval", "2m"},
			want: func(a AlertConfig) bool { return a.SMTPAddr == "127.0.0.1:25" && a.Interval == 2*time.Minute }},
		{name: "webhook", env: map[string]string{"HOSTGATE_ALERT_WEBHOOK_SECRET": testHookSecret},
			args: []string{"--alert-webhook-url", "https://alerts.example.com/hostgate"},
			want: func(a AlertConfig) bool { return a.webhook() != nil && a.webhook().Secret == testHookSecret }},
		{name: "no password flag", args: []string{"--smtp-password", "pw"}, err: "flag provided but not defined"},
		{name: "no secret flag", args: []string{"--alert-webhook-secret", "s"}, err: "flag provided but not defined"},
		{name: "interval too short", args: []string{"--alert-interval", "1s"}, err: "--alert-interval"},
		{name: "sender without server", args: []string{"--smtp-from", "alerts@example.com"}, err: "need --smtp-addr"},
		{name: "password without server", env: map[string]string{"HOSTGATE_SMTP_PASSWORD": "pw"}, err: "need --smtp-addr"},
		{name: "server without sender", args: []string{"--smtp-addr", "smtp.example.com:587"}, err: `sender "" is not an e-mail address`},
		{name: "password without username", env: map[string]string{"HOSTGATE_SMTP_PASSWORD": "pw"},
			args: []string{"--smtp-addr", "smtp.example.com:587", "--smtp-from", "a@example.com"}, err: "username and password go together"},
		{name: "bad fallback", args: []string{"--smtp-addr", "smtp.example.com:587", "--smtp-from", "a@example.com", "--alert-fallback-email", "ops"},
			err: `fallback address "ops" is not an e-mail address`},
		{name: "webhook without secret", args: []string{"--alert-webhook-url", "https://alerts.example.com/h"}, err: "HOSTGATE_ALERT_WEBHOOK_SECRET"},
		{name: "plain http webhook", env: map[string]string{"HOSTGATE_ALERT_WEBHOOK_SECRET": testHookSecret},
			args: []string{"--alert-webhook-url", "http://alerts.example.com/h"}, err: "webhook URL must be https"},
		{name: "secret without webhook", env: map[string]string{"HOSTGATE_ALERT_WEBHOOK_SECRET": testHookSecret}, err: "--alert-webhook-url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var c Config
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			bindFlags(fs, &c, defaults(t.TempDir()))
			err := fs.Parse(tt.args)
			if err == nil {
				err = c.validate()
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one naming %s", err, tt.err)
				}
				if strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), testHookSecret) {
					t.Fatalf("the error repeats a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(c.Alerts) {
				t.Fatalf("alerts = %+v", c.Alerts)
			}
		})
	}
}

// TestServeStartsAlerts: serve's alert loop, as cmd wires it, finds a
// connection that needs its host on its first round and alerts by both
// channels with the connections page's reconnect link, and stops when the
// server does.
func TestServeStartsAlerts(t *testing.T) {
	smtp := alertstest.NewSMTPServer(t, alertstest.SMTPOptions{})
	hook := alertstest.NewReceiver(t, testHookSecret, nil)
	cfg := defaults(t.TempDir())
	cfg.Alerts = AlertConfig{SMTPAddr: smtp.Addr, SMTPFrom: "alerts@example.com", WebhookURL: hook.URL,
		WebhookSecret: testHookSecret, Interval: time.Hour}
	a, err := open(cfg, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Now()
	if err := a.store.CreateUser(ctx, store.User{ID: "u1", Username: "alice", Email: "alice@example.com", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := a.store.CreateConnection(ctx, store.Connection{ID: "c1", UserID: "u1", Vendor: "hoxtonai", AccountID: "a",
		Label: "Sites", AuthKind: store.AuthToken, Secret: []byte("x"), Status: store.StatusNeedsReauth,
		LastError: "the vendor refused the saved token", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	wait := a.startAlerts(ctx)
	var m alertstest.Mail
	var d alertstest.Delivery
	timeout := time.After(10 * time.Second)
	for range 2 {
		select {
		case m = <-smtp.Arrived:
		case d = <-hook.Arrived:
		case <-timeout:
			t.Fatal("no alert arrived")
		}
	}
	link := "http://127.0.0.1:8080/connections?reconnect=c1"
	if !strings.Contains(m.Text(), `your HoxtonAI account "Sites"`) || !strings.Contains(m.Text(), link) {
		t.Fatalf("e-mail:\n%s", m.Text())
	}
	if !d.Verified || d.Event["reconnect_url"] != link {
		t.Fatalf("webhook: %+v", d)
	}
	cancel()
	stopped := make(chan struct{})
	go func() { wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the alert loop did not stop")
	}
}
