// Package alerts tells hosts, outside the chat, that a vendor connection
// needs them: when a connection is marked needs_reauth (the vendor refused
// its credential and it cannot be renewed), the host gets one e-mail and the
// operator's webhook one signed request, carrying the link where the host
// reconnects the account.
//
// Exactly one alert goes out per episode (from the connection breaking until
// it works again), however many processes share the store: each alert is
// claimed in the store first (store.ConnectionAlerts), and only the claimer
// sends it. A delivery that fails is retried with backoff a few times, then
// given up with a log line; the claim is kept, so no other process sends
// that episode's alert again (the receiver that refused it would most
// likely refuse it again, and a host gets no burst of late duplicates). A
// delivery cut short by shutdown before any channel took it releases the
// claim, and another process, or the next start, sends it; one whose
// process died outright is taken over when its lease ends.
//
// An alert carries no secret: not a vendor token, code or cookie, nor the
// webhook's signing secret or the SMTP password, and no error or log line
// of this package does either.
package alerts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Defaults of Config.
const (
	DefaultInterval    = time.Minute
	DefaultConcurrency = 4
	DefaultLease       = 10 * time.Minute
	DefaultAttempts    = 4
	DefaultBackoff     = 2 * time.Second
)

// batch is the most connections one round looks at; the rest wait for the
// next round.
const batch = 100

// Config configures a Notifier. Store and ReconnectURL are required, and at
// least one of Mail and Webhook.
type Config struct {
	Store store.ConnectionAlerts
	// ReconnectURL is the page where the host repairs a connection.
	ReconnectURL func(connectionID string) string
	// BaseURL is hostgate's public URL, named in the e-mail.
	BaseURL string
	// VendorTitles are the vendors' names as hosts know them, by vendor
	// ("hoxtonai" → "HoxtonAI"); a vendor without one is named as is.
	VendorTitles map[string]string
	Mail         *MailConfig
	Webhook      *WebhookConfig
	// Interval is how often the store is searched for connections to
	// alert about (with ±20% jitter); default DefaultInterval. A Nudge
	// starts a round at once.
	Interval time.Duration
	// Concurrency bounds the alerts delivered at once; default
	// DefaultConcurrency.
	Concurrency int
	// Lease is how long a claim holds before another process may take it
	// over; default DefaultLease. A delivery is cut off at half of it, so
	// that a live process never holds a claim past its lease.
	Lease time.Duration
	// Attempts is how many times a channel is tried per alert (default
	// DefaultAttempts); Backoff the wait before the first retry, doubling
	// for each one after (default DefaultBackoff).
	Attempts int
	Backoff  time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Wait waits d, or until ctx ends (then returning its error): the
	// backoff between attempts. Default: a timer.
	Wait   func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

// Notifier finds connections that need their host and alerts each episode
// once. It is safe for concurrent use; several Notifiers (in one process or
// many) may share a store.
type Notifier struct {
	cfg      Config
	owner    string
	channels []channel
	nudge    chan struct{}
	log      *slog.Logger
}

// channel is one way an alert goes out.
type channel interface {
	name() string
	send(ctx context.Context, ev Event) error
}

// New checks cfg and returns its Notifier.
func New(cfg Config) (*Notifier, error) {
	if cfg.Store == nil || cfg.ReconnectURL == nil {
		return nil, errors.New("alerts: Store and ReconnectURL are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Wait == nil {
		cfg.Wait = wait
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	n := &Notifier{cfg: cfg, owner: "n-" + randomHex(8), nudge: make(chan struct{}, 1)}
	n.log = cfg.Logger.With("component", "alerts", "notifier", n.owner)
	if cfg.Mail != nil {
		m, err := newMailer(*cfg.Mail, cfg.BaseURL, cfg.Now)
		if err != nil {
			return nil, err
		}
		n.channels = append(n.channels, m)
	}
	if cfg.Webhook != nil {
		w, err := newWebhook(*cfg.Webhook, cfg.Now)
		if err != nil {
			return nil, err
		}
		n.channels = append(n.channels, w)
	}
	if len(n.channels) == 0 {
		return nil, errors.New("alerts: no channel: configure e-mail, a webhook, or both")
	}
	return n, nil
}

// Channels names the configured channels, for the start-up log.
func (n *Notifier) Channels() []string {
	names := make([]string, len(n.channels))
	for i, c := range n.channels {
		names[i] = c.name()
	}
	return names
}

// Nudge asks Run for a round now; it never blocks. Its argument (the
// connection just marked) is not needed: the round finds every connection
// to alert about. It fits connector.Lifecycle.OnNeedsHost.
func (n *Notifier) Nudge(string) {
	select {
	case n.nudge <- struct{}{}:
	default: // a round is already asked for
	}
}

// Run calls RunOnce now, then every Interval and whenever nudged, until ctx
// ends; it returns once the round under way has finished with the claims it
// took (delivered, given up, or released for another process).
func (n *Notifier) Run(ctx context.Context) {
	for {
		n.RunOnce(ctx)
		d := time.Duration(float64(n.cfg.Interval) * (0.8 + 0.4*mrand.Float64()))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-n.nudge:
			t.Stop()
		case <-t.C:
		}
	}
}

// RunOnce looks for connections whose episode has not been alerted, claims
// each it can, and delivers those, at most Concurrency at once. It returns
// how many it claimed, once every one is finished.
func (n *Notifier) RunOnce(ctx context.Context) int {
	dead, err := n.cfg.Store.ListAlertableConnections(ctx, n.cfg.Now(), batch)
	if err != nil {
		if ctx.Err() == nil {
			n.log.ErrorContext(ctx, "list connections to alert about", "err", err)
		}
		return 0
	}
	sem := make(chan struct{}, n.cfg.Concurrency)
	var wg sync.WaitGroup
	var claimed atomic.Int64
	for _, d := range dead {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return int(claimed.Load())
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if n.alert(ctx, d) {
				claimed.Add(1)
			}
		})
	}
	wg.Wait()
	return int(claimed.Load())
}

// alert claims one connection's alert and, if this Notifier got the claim,
// delivers it on every channel and records how that ended.
func (n *Notifier) alert(ctx context.Context, d store.DeadConnection) bool {
	now := n.cfg.Now()
	claim, err := n.cfg.Store.ClaimConnectionAlert(ctx, d.ConnectionID, n.owner, randomHex(16), now, now.Add(n.cfg.Lease))
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		// Another process has it, or the connection recovered or went.
		return false
	case err != nil:
		if ctx.Err() == nil {
			n.log.ErrorContext(ctx, "claim alert", "connection", d.ConnectionID, "err", err)
		}
		return false
	}
	log := n.log.With("host_id", claim.UserID, "vendor", claim.Vendor, "connection", claim.ConnectionID,
		"episode", claim.Episode)
	if claim.Claims > 1 {
		log.InfoContext(ctx, "alert taken over from a process that stopped", "claims", claim.Claims)
	}
	ev := n.event(claim)
	dctx, cancel := context.WithTimeout(ctx, n.cfg.Lease/2)
	defer cancel()
	delivered := make([]bool, len(n.channels))
	var wg sync.WaitGroup
	for i, ch := range n.channels {
		wg.Go(func() { delivered[i] = n.deliver(dctx, log, ch, ev) })
	}
	wg.Wait()
	sent, stopped := 0, ctx.Err() != nil
	for _, ok := range delivered {
		if ok {
			sent++
		}
	}
	// The outcome is recorded even when ctx has ended: a claim left
	// unfinished would be sent again once its lease ends.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer fcancel()
	switch {
	case sent == len(n.channels):
		err = n.cfg.Store.FinishConnectionAlert(fctx, claim.ConnectionID, claim.Episode, n.owner, store.AlertSent, n.cfg.Now())
	case stopped && sent == 0:
		// Nothing went out: let another process (or the next start)
		// send it rather than wait for the lease.
		err = n.cfg.Store.ReleaseConnectionAlert(fctx, claim.ConnectionID, claim.Episode, n.owner)
		log.InfoContext(fctx, "alert interrupted by shutdown; released for another process")
	default:
		err = n.cfg.Store.FinishConnectionAlert(fctx, claim.ConnectionID, claim.Episode, n.owner, store.AlertFailed, n.cfg.Now())
	}
	if err != nil && !errors.Is(err, store.ErrConflict) {
		log.ErrorContext(fctx, "record alert outcome", "err", err)
	}
	return true
}

// deliver sends ev on one channel, retrying a failure that may pass with a
// doubling backoff, and reports whether it went out.
func (n *Notifier) deliver(ctx context.Context, log *slog.Logger, ch channel, ev Event) bool {
	log = log.With("channel", ch.name())
	for attempt := 1; ; attempt++ {
		err := ch.send(ctx, ev)
		if err == nil {
			log.InfoContext(ctx, "alert sent", "attempts", attempt)
			return true
		}
		var perm *permanentError
		final := errors.As(err, &perm) || attempt >= n.cfg.Attempts
		if !final && ctx.Err() == nil {
			backoff := n.cfg.Backoff << (attempt - 1)
			log.InfoContext(ctx, "alert delivery failed; retrying", "attempt", attempt, "retry_in", backoff, "err", err)
			if n.cfg.Wait(ctx, backoff) == nil {
				continue
			}
		}
		if ctx.Err() != nil {
			log.WarnContext(ctx, "alert delivery interrupted", "attempts", attempt, "err", err)
		} else {
			log.WarnContext(ctx, "alert given up; the host is not told of this episode", "attempts", attempt, "err", err)
		}
		return false
	}
}

// permanentError is a failure that trying again will not cure: a missing
// recipient, a refusal the receiver means.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// wait is the default Config.Wait.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// errf is fmt.Errorf for this package's messages.
func errf(format string, args ...any) error { return fmt.Errorf("alerts: "+format, args...) }
