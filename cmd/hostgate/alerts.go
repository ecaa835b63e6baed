package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/hostgate/hostgate/internal/alerts"
	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/tools"
)

// AlertConfig is how hostgate tells hosts, by e-mail or through the
// operator's webhook, that a vendor connection needs them. Neither channel
// is on until its address is set. The SMTP password and the webhook secret
// come from the environment only: a flag would show in the process list.
type AlertConfig struct {
	Interval      time.Duration
	SMTPAddr      string
	SMTPFrom      string
	SMTPUsername  string
	SMTPPassword  string // HOSTGATE_SMTP_PASSWORD
	FallbackEmail string
	WebhookURL    string
	WebhookSecret string // HOSTGATE_ALERT_WEBHOOK_SECRET
}

// bindAlertFlags defines the alert flags on fs, as bindFlags does the rest.
func bindAlertFlags(fs *flag.FlagSet, a *AlertConfig, def AlertConfig) {
	str := func(p *string, name, env, usage string) {
		fs.StringVar(p, name, os.Getenv(env), usage+" ("+env+")")
	}
	interval := def.Interval
	if interval == 0 {
		interval = alerts.DefaultInterval
	}
	if v, ok := os.LookupEnv("HOSTGATE_ALERT_INTERVAL"); ok {
		if d, err := time.ParseDuration(v); err == nil {
			interval = d
		} else {
			fmt.Fprintf(os.Stderr, "hostgate: HOSTGATE_ALERT_INTERVAL=%q is not a duration like 1m; using %s\n", v, interval)
		}
	}
	fs.DurationVar(&a.Interval, "alert-interval", interval, "how often to look for vendor connections whose host must be told they need reconnecting; a connection this process finds dead is alerted at once (HOSTGATE_ALERT_INTERVAL)")
	str(&a.SMTPAddr, "smtp-addr", "HOSTGATE_SMTP_ADDR", "SMTP server host:port for e-mail alerts to hosts, e.g. smtp.example.com:587 (STARTTLS; port 465: TLS from the start; plain only on loopback); empty: no e-mail")
	str(&a.SMTPFrom, "smtp-from", "HOSTGATE_SMTP_FROM", "sender of e-mail alerts, e.g. 'hostgate <alerts@example.com>'")
	str(&a.SMTPUsername, "smtp-username", "HOSTGATE_SMTP_USERNAME", "SMTP login, with the password in HOSTGATE_SMTP_PASSWORD; empty: no login")
	str(&a.FallbackEmail, "alert-fallback-email", "HOSTGATE_ALERT_FALLBACK_EMAIL", "operator's address that gets the e-mail alerts of hosts who have no e-mail address")
	str(&a.WebhookURL, "alert-webhook-url", "HOSTGATE_ALERT_WEBHOOK_URL", "https URL that gets each alert as signed JSON (secret in HOSTGATE_ALERT_WEBHOOK_SECRET); empty: no webhook")
	a.SMTPPassword = os.Getenv("HOSTGATE_SMTP_PASSWORD")
	a.WebhookSecret = os.Getenv("HOSTGATE_ALERT_WEBHOOK_SECRET")
}

const (
	mailSettings    = "--smtp-addr, --smtp-from, --smtp-username, HOSTGATE_SMTP_PASSWORD, --alert-fallback-email"
	webhookSettings = "--alert-webhook-url, HOSTGATE_ALERT_WEBHOOK_SECRET"
)

// validate checks the alert settings; its errors name the settings to fix.
func (a *AlertConfig) validate() error {
	if a.Interval == 0 {
		a.Interval = alerts.DefaultInterval
	}
	if a.Interval < 5*time.Second || a.Interval > 24*time.Hour {
		return fmt.Errorf("--alert-interval %s must be between 5s and 24h", a.Interval)
	}
	mail, hook := a.mail(), a.webhook()
	switch {
	case mail != nil:
		if err := mail.Check(); err != nil {
			return fmt.Errorf("e-mail alerts: %v (settings: %s)", err, mailSettings)
		}
	case a.SMTPFrom != "" || a.SMTPUsername != "" || a.SMTPPassword != "" || a.FallbackEmail != "":
		return errors.New("e-mail alerts need --smtp-addr (HOSTGATE_SMTP_ADDR) as well; set it, or unset " + mailSettings)
	}
	switch {
	case hook != nil:
		if err := hook.Check(); err != nil {
			return fmt.Errorf("webhook alerts: %v (settings: %s)", err, webhookSettings)
		}
	case a.WebhookSecret != "":
		return errors.New("HOSTGATE_ALERT_WEBHOOK_SECRET is set but --alert-webhook-url (HOSTGATE_ALERT_WEBHOOK_URL) is not")
	}
	return nil
}

// mail is the e-mail channel's configuration, nil when off.
func (a *AlertConfig) mail() *alerts.MailConfig {
	if a.SMTPAddr == "" {
		return nil
	}
	return &alerts.MailConfig{Addr: a.SMTPAddr, From: a.SMTPFrom, Username: a.SMTPUsername,
		Password: a.SMTPPassword, Fallback: a.FallbackEmail}
}

// webhook is the webhook channel's configuration, nil when off.
func (a *AlertConfig) webhook() *alerts.WebhookConfig {
	if a.WebhookURL == "" {
		return nil
	}
	return &alerts.WebhookConfig{URL: a.WebhookURL, Secret: a.WebhookSecret}
}

// reconnectURL is the connections page opened on one connection: the link
// an alert carries (the same one the tools give the model).
func reconnectURL(base, connectionID string) string {
	return base + mcpserver.PathConnections + "?reconnect=" + url.QueryEscape(connectionID)
}

// startAlerts starts the alert loop when a channel is configured, nudged
// by every connection this process marks needs_reauth. The function it
// returns waits for the loop to stop once ctx has ended.
func (a *app) startAlerts(ctx context.Context) (wait func()) {
	ac := a.cfg.Alerts
	cfg := alerts.Config{Store: a.store, BaseURL: a.cfg.BaseURL, Mail: ac.mail(), Webhook: ac.webhook(),
		Interval: ac.Interval, Logger: a.log, VendorTitles: map[string]string{},
		ReconnectURL: func(id string) string { return reconnectURL(a.cfg.BaseURL, id) }}
	if cfg.Mail == nil && cfg.Webhook == nil {
		a.log.Info("alerts off: hosts learn of a connection that needs them only in the chat (set --smtp-addr or --alert-webhook-url)")
		return func() {}
	}
	for _, s := range tools.Vendors() {
		cfg.VendorTitles[s.Name] = s.Title
	}
	n, err := alerts.New(cfg)
	if err != nil { // validate checked this at start
		a.log.Error("alerts off", "err", err)
		return func() {}
	}
	a.srv.Lifecycle().OnNeedsHost(n.Nudge)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Run(ctx)
	}()
	a.log.Info("alerts on", "channels", n.Channels(), "interval", ac.Interval)
	return func() { <-done }
}
