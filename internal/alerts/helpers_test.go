package alerts_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/alerts"
	"github.com/hostgate/hostgate/internal/alerts/alertstest"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// The secrets a leak would show: the vendor credential stored with the
// connection, the SMTP password and the webhook's signing secret.
const (
	vendorAccess  = "vendor-access-3b1f9c0d2e"
	vendorRefresh = "vendor-refresh-77aa01c4b9"
	smtpPassword  = "smtp-password-5e2d8f"
	hookSecret    = "webhook-secret-0123456789abcdef0123456789"
	base          = "https://hostgate.example"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output from concurrent deliveries.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fixture is a database file with a host and its connections, an SMTP
// server and a webhook receiver on loopback.
type fixture struct {
	path  string
	ring  *store.Keyring
	st    *sqlstore.Store
	clock *clock
	smtp  *alertstest.SMTPServer
	hook  *alertstest.Receiver
	logs  *logBuffer
	mu    sync.Mutex
	waits []time.Duration // backoffs asked for, in order
}

func newFixture(t *testing.T, smtp alertstest.SMTPOptions) *fixture {
	t.Helper()
	ring, err := store.NewKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{path: filepath.Join(t.TempDir(), "hostgate.db"), ring: ring,
		clock: &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}, logs: &logBuffer{}}
	f.st = f.open(t)
	f.smtp = alertstest.NewSMTPServer(t, smtp)
	f.hook = alertstest.NewReceiver(t, hookSecret, f.clock.Now)
	ctx := context.Background()
	for _, u := range []store.User{
		{ID: "u1", Username: "alice", Email: "alice@example.com", CreatedAt: f.clock.Now()},
		{ID: "u2", Username: "bob", CreatedAt: f.clock.Now()},
	} {
		if err := f.st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// open opens another handle on the database file: what another hostgate
// process sharing it would have.
func (f *fixture) open(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), f.path, f.ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// config is a Notifier's configuration on st with both channels, a clock
// and waits that return at once (recorded).
func (f *fixture) config(st store.ConnectionAlerts) alerts.Config {
	return alerts.Config{
		Store:        st,
		ReconnectURL: func(id string) string { return base + "/connections?reconnect=" + id },
		BaseURL:      base,
		VendorTitles: map[string]string{"hospitable": "Hospitable", "hoxtonai": "HoxtonAI"},
		Mail: &alerts.MailConfig{Addr: f.smtp.Addr, From: "hostgate <alerts@hostgate.example>",
			Username: "", Password: ""},
		Webhook: &alerts.WebhookConfig{URL: f.hook.URL, Secret: hookSecret},
		Now:     f.clock.Now,
		Wait: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.waits = append(f.waits, d)
			f.mu.Unlock()
			return ctx.Err()
		},
		Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func (f *fixture) notifier(t *testing.T, cfg alerts.Config) *alerts.Notifier {
	t.Helper()
	n, err := alerts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) backoffs() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// connect creates a working connection of the host, holding the vendor
// credential a leak would show.
func (f *fixture) connect(t *testing.T, id, userID, vendor, label string) {
	t.Helper()
	now := f.clock.Now()
	err := f.st.CreateConnection(context.Background(), store.Connection{ID: id, UserID: userID, Vendor: vendor,
		AccountID: "acct-" + id, Label: label, AuthKind: store.AuthOAuth,
		Secret:          []byte(`{"access_token":"` + vendorAccess + `","refresh_token":"` + vendorRefresh + `"}`),
		AccessExpiresAt: now.Add(time.Hour), Status: store.StatusOK, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
}

// setStatus writes a connection's status as the connection lifecycle does.
func (f *fixture) setStatus(t *testing.T, id string, status store.ConnStatus, reason string) {
	t.Helper()
	_, err := f.st.UpdateConnection(context.Background(), id, func(c store.Connection) (store.Connection, error) {
		c.Status, c.LastError, c.UpdatedAt = status, reason, f.clock.Now()
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

const refused = "the vendor refused to renew access"

// noSecrets fails if any text holds a secret.
func noSecrets(t *testing.T, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{vendorAccess, vendorRefresh, smtpPassword, hookSecret} {
			if strings.Contains(s, secret) {
				t.Errorf("%s holds the secret %q:\n%s", what, secret, s)
			}
		}
	}
}

// receive waits for n items on ch, failing the test if they do not come.
func receive[T any](t *testing.T, what string, ch <-chan T, n int) []T {
	t.Helper()
	var out []T
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-timeout:
			t.Fatalf("%s: %d of %d arrived", what, len(out), n)
		}
	}
	return out
}
