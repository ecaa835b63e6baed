package alerts_test

import (
	"context"
	"crypto/tls"
	"mime"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/alerts"
	"github.com/hostgate/hostgate/internal/alerts/alertstest"
	"github.com/hostgate/hostgate/store"
)

// verbs records the SMTP commands a server was sent.
type verbs struct {
	mu   sync.Mutex
	seen []string
}

func (v *verbs) reply(verb string) (int, string) {
	v.mu.Lock()
	v.seen = append(v.seen, verb)
	v.mu.Unlock()
	return 0, ""
}

func (v *verbs) saw(verb string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Contains(v.seen, verb)
}

// TestMailTransport: the server's name decides how hostgate talks to it.
// Away from loopback the message and the password go only encrypted
// (STARTTLS, or TLS from the start on port 465) to a server whose
// certificate is valid for its name; on loopback plain SMTP is allowed.
func TestMailTransport(t *testing.T) {
	serverTLS, roots := alertstest.Certificate(t, "mail.test")
	otherTLS, _ := alertstest.Certificate(t, "other.test")
	for _, tt := range []struct {
		name      string
		server    alertstest.SMTPOptions
		addr      string // what hostgate is told; every dial reaches the test server
		delivered bool
		overTLS   bool
		log       string
	}{
		{name: "STARTTLS with a valid certificate", addr: "mail.test:587", delivered: true, overTLS: true,
			server: alertstest.SMTPOptions{TLS: serverTLS, Username: "hostgate", Password: smtpPassword}},
		{name: "TLS from the start on port 465", addr: "mail.test:465", delivered: true, overTLS: true,
			server: alertstest.SMTPOptions{TLS: serverTLS, Implicit: true, Username: "hostgate", Password: smtpPassword}},
		{name: "no STARTTLS away from loopback", addr: "mail.test:587",
			server: alertstest.SMTPOptions{Username: "hostgate", Password: smtpPassword},
			log:    "SMTP server mail.test offers no STARTTLS"},
		{name: "a certificate for another host", addr: "mail.test:587",
			server: alertstest.SMTPOptions{TLS: otherTLS, Username: "hostgate", Password: smtpPassword},
			log:    "its certificate does not verify for mail.test"},
		{name: "plain SMTP on loopback", addr: "", delivered: true,
			server: alertstest.SMTPOptions{Username: "hostgate", Password: smtpPassword}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var v verbs
			tt.server.Reply = v.reply
			f := newFixture(t, tt.server)
			f.connect(t, "c1", "u1", "hospitable", "Beach house")
			f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
			cfg := f.config(f.st)
			cfg.Webhook = nil
			cfg.Mail.Username, cfg.Mail.Password = "hostgate", smtpPassword
			cfg.Mail.TLS = &tls.Config{RootCAs: roots}
			if tt.addr != "" {
				cfg.Mail.Addr = tt.addr
				cfg.Mail.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, f.smtp.Addr)
				}
			}
			f.notifier(t, cfg).RunOnce(t.Context())
			mails := f.smtp.Mails()
			if tt.delivered != (len(mails) == 1) {
				t.Fatalf("%d e-mails delivered; log:\n%s", len(mails), f.logs)
			}
			if tt.delivered && (mails[0].TLS != tt.overTLS || mails[0].Username != "hostgate") {
				t.Fatalf("mail over TLS %v as %q, want TLS %v as hostgate", mails[0].TLS, mails[0].Username, tt.overTLS)
			}
			if !tt.delivered {
				if v.saw("AUTH") {
					t.Fatal("the password was sent to a server hostgate refuses")
				}
				if f.smtp.Sessions() != 1 {
					t.Fatalf("%d sessions: a refusal by configuration was retried", f.smtp.Sessions())
				}
				if !strings.Contains(f.logs.String(), tt.log) {
					t.Fatalf("the log lacks %q:\n%s", tt.log, f.logs)
				}
			}
			noSecrets(t, "the log", f.logs.String())
		})
	}
}

// TestMailAuthRefusedNoPassword: a server that repeats the password in its
// refusal does not get it into the log.
func TestMailAuthRefusedNoPassword(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{Username: "hostgate", Password: "something else",
		Reply: func(verb string) (int, string) {
			if verb == "AUTH" {
				return 535, "bad credentials hostgate/" + smtpPassword
			}
			return 0, ""
		}})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	cfg := f.config(f.st)
	cfg.Webhook = nil
	cfg.Mail.Username, cfg.Mail.Password = "hostgate", smtpPassword
	f.notifier(t, cfg).RunOnce(t.Context())
	logs := f.logs.String()
	if !strings.Contains(logs, "refused AUTH: 535 bad credentials hostgate/[redacted]") || f.smtp.Sessions() != 1 {
		t.Fatalf("%d sessions; log:\n%s", f.smtp.Sessions(), logs)
	}
	noSecrets(t, "the log", logs)
}

// TestMailRecipients: a host without an address is e-mailed at the
// fallback address when there is one, with a note saying whose alert it
// is; without one, a log line says the alert could not be e-mailed and
// why, once, and the webhook still goes out.
func TestMailRecipients(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u2", "hoxtonai", "Sites")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	n := f.notifier(t, f.config(f.st))
	n.RunOnce(t.Context())
	n.RunOnce(t.Context())
	if len(f.smtp.Mails()) != 0 || len(f.hook.Accepted()) != 1 {
		t.Fatalf("%d e-mails, %d webhooks", len(f.smtp.Mails()), len(f.hook.Accepted()))
	}
	if c := strings.Count(f.logs.String(), "the host has no e-mail address and no fallback address is set"); c != 1 {
		t.Fatalf("%d log lines about the missing address, want 1:\n%s", c, f.logs)
	}

	f.setStatus(t, "c1", store.StatusOK, "")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	cfg := f.config(f.st)
	cfg.Mail.Fallback = "ops@hostgate.example"
	f.notifier(t, cfg).RunOnce(t.Context())
	mails := f.smtp.Mails()
	if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"ops@hostgate.example"}) {
		t.Fatalf("e-mails %+v, want one to the fallback address", mails)
	}
	text := mails[0].Text()
	for _, want := range []string{`This alert is for the hostgate host "bob", who has no e-mail address in hostgate.`,
		`your HoxtonAI account "Sites"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the e-mail lacks %q:\n%s", want, text)
		}
	}
}

// TestMailTextFromHostsAndVendors: a label with line breaks cannot add a
// header or a recipient, and text in any script arrives intact.
func TestMailTextFromHostsAndVendors(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Villa été\r\nBcc: evil@example.com\r\n\r\n.\r\nQUIT")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	cfg := f.config(f.st)
	cfg.Webhook = nil
	f.notifier(t, cfg).RunOnce(t.Context())
	mails := f.smtp.Mails()
	if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"alice@example.com"}) {
		t.Fatalf("e-mails %+v", mails)
	}
	h := mails[0].Header()
	if h.Get("Bcc") != "" {
		t.Fatal("the label added a header")
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != `Reconnect your Hospitable account "Villa été Bcc: evil@example.com . QUIT" in hostgate` {
		t.Fatalf("subject %q (%v)", subject, err)
	}
	if !strings.Contains(mails[0].Text(), `your Hospitable account "Villa été Bcc: evil@example.com . QUIT": the vendor`) {
		t.Fatalf("text:\n%s", mails[0].Text())
	}
}

// TestNewRefusesBadConfig: each mistake in the configuration is refused at
// start with a message that says how to fix it.
func TestNewRefusesBadConfig(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	for _, tt := range []struct {
		name string
		edit func(*alerts.Config)
		want string
	}{
		{"no channel", func(c *alerts.Config) { c.Mail, c.Webhook = nil, nil }, "no channel"},
		{"no store", func(c *alerts.Config) { c.Store = nil }, "Store and ReconnectURL are required"},
		{"server without port", func(c *alerts.Config) { c.Mail.Addr = "smtp.example.com" }, "must be host:port"},
		{"server with a bad port", func(c *alerts.Config) { c.Mail.Addr = "smtp.example.com:smtp" }, "the port must be a number"},
		{"bad sender", func(c *alerts.Config) { c.Mail.From = "hostgate" }, "is not an e-mail address"},
		{"bad fallback", func(c *alerts.Config) { c.Mail.Fallback = "Ops <ops@example.com>" }, "fallback address"},
		{"username alone", func(c *alerts.Config) { c.Mail.Username = "u" }, "go together"},
		{"password alone", func(c *alerts.Config) { c.Mail.Password = "p" }, "go together"},
		{"http webhook away from loopback", func(c *alerts.Config) { c.Webhook.URL = "http://alerts.example.com/h" }, "must be https"},
		{"webhook with credentials", func(c *alerts.Config) { c.Webhook.URL = "https://u:p@alerts.example.com/h" }, "username or password"},
		{"webhook with another scheme", func(c *alerts.Config) { c.Webhook.URL = "ftp://alerts.example.com/h" }, "https URL"},
		{"relative webhook", func(c *alerts.Config) { c.Webhook.URL = "/hooks" }, "absolute https URL"},
		{"short webhook secret", func(c *alerts.Config) { c.Webhook.Secret = "short" }, "at least 32 characters"},
	} {
		cfg := f.config(f.st)
		tt.edit(&cfg)
		_, err := alerts.New(cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}

// TestMailTeamOwners: a team's dead account is e-mailed to every owner of
// the team with an address, in one message (a retry cannot reach some of
// them twice), saying it is the team's account; a member is not told.
func TestMailTeamOwners(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	ctx := t.Context()
	if err := f.st.CreateUser(ctx, store.User{ID: "u3", Username: "carol", Email: "carol@example.com", CreatedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateTeam(ctx, store.Team{ID: "t1", Name: "Harbour Lets", CreatedAt: f.clock.Now()}, "u1"); err != nil {
		t.Fatal(err)
	}
	for _, j := range []struct {
		user string
		role store.Role
	}{{"u3", store.RoleOwner}, {"u2", store.RoleMember}} {
		h := store.Hash("inv-" + j.user)
		if err := f.st.CreateInvite(ctx, store.TeamInvite{Hash: h, TeamID: "t1", Role: j.role, CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.AcceptInvite(ctx, h, j.user, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	now := f.clock.Now()
	if err := f.st.CreateConnection(ctx, store.Connection{ID: "tc", UserID: "u2", TeamID: "t1", Vendor: "hostex",
		AccountID: "acct-tc", Label: "Harbour Hostex", AuthKind: store.AuthOAuth,
		Secret:          []byte(`{"access_token":"` + vendorAccess + `","refresh_token":"` + vendorRefresh + `"}`),
		AccessExpiresAt: now.Add(time.Hour), Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	f.setStatus(t, "tc", store.StatusNeedsReauth, refused)
	f.notifier(t, f.config(f.st)).RunOnce(ctx)
	mails := f.smtp.Mails()
	if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"alice@example.com", "carol@example.com"}) {
		t.Fatalf("e-mails %+v, want one to the two owners", mails)
	}
	text := mails[0].Text()
	for _, want := range []string{"as an owner of the team", "the team's ", `account "Harbour Hostex"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the e-mail lacks %q:\n%s", want, text)
		}
	}
	if to := mails[0].Header().Get("To"); !strings.Contains(to, "alice@example.com") || !strings.Contains(to, "carol@example.com") {
		t.Errorf("To: %q", to)
	}
}
