package alerts

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MailConfig configures alerts by e-mail, sent to the host's address
// (store.User.Email) through an SMTP server.
type MailConfig struct {
	// Addr is the SMTP server, host:port. On port 465 the connection is
	// TLS from the start; on any other port the server must offer
	// STARTTLS, unless it is on loopback (see newMailer).
	Addr string
	// From is the sender, a bare address or "Name <address>".
	From string
	// Username and Password, when set, log in with AUTH PLAIN, only ever
	// over TLS or to loopback.
	Username, Password string
	// Fallback receives the alerts of hosts who have no address; when
	// empty those alerts are not e-mailed, and a log line says why.
	Fallback string
	// Timeout bounds one attempt (connect to QUIT); default 30 s.
	Timeout time.Duration
	// TLS is the base of the TLS configuration (tests set RootCAs); the
	// server name is always the host of Addr.
	TLS *tls.Config
	// Dial replaces the network dial (tests).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

const defaultMailTimeout = 30 * time.Second

// mailer is the e-mail channel.
type mailer struct {
	cfg      MailConfig
	host     string // the server's host name: TLS and AUTH check it
	implicit bool   // TLS from the first byte (port 465)
	loopback bool
	from     *mail.Address
	helo     string // hostgate's name, in EHLO and Message-ID
	base     string // hostgate's public URL, named in the text
	now      func() time.Time
}

// newMailer checks cfg. Plain SMTP is allowed only to a server on loopback
// (a local relay, such as Postfix on the same machine): the message never
// leaves the machine there, and such relays seldom hold a certificate for
// "localhost". Anywhere else the message, which carries a link into the
// host's account, and the SMTP password travel only encrypted, and the
// server's certificate must be valid for its host name.
func newMailer(cfg MailConfig, baseURL string, now func() time.Time) (*mailer, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, errf("SMTP server %q must be host:port, e.g. smtp.example.com:587", cfg.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return nil, errf("SMTP server %q: the port must be a number from 1 to 65535", cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, errf("sender %q is not an e-mail address (alerts@example.com, or hostgate <alerts@example.com>)", cfg.From)
	}
	if cfg.Fallback != "" && !bareAddress(cfg.Fallback) {
		return nil, errf("fallback address %q is not an e-mail address", cfg.Fallback)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errf("SMTP username and password go together: set both, or neither to send without logging in")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultMailTimeout
	}
	helo := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		helo = u.Hostname()
	}
	return &mailer{cfg: cfg, host: host, implicit: port == "465", loopback: isLoopback(host),
		from: from, helo: helo, base: baseURL, now: now}, nil
}

func (m *mailer) name() string { return "email" }

// send e-mails ev to the host, or to the fallback address.
func (m *mailer) send(ctx context.Context, ev Event) error {
	to, fallback := ev.emails, false
	if len(to) == 0 && m.cfg.Fallback != "" {
		to, fallback = []string{m.cfg.Fallback}, true
	}
	if len(to) == 0 {
		return permanent(errf("email: the host has no e-mail address and no fallback address is set"))
	}
	for _, a := range to {
		if !bareAddress(a) {
			return permanent(errf("email: the host's e-mail address is not valid"))
		}
	}
	return m.transmit(ctx, to, m.message(ev, to, fallback))
}

// transmit holds one SMTP conversation, bounded by the timeout and by ctx.
func (m *mailer) transmit(ctx context.Context, to []string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	dial := m.cfg.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return m.fail("connect", err)
	}
	// Closing the connection is what interrupts a read or write under way.
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	if m.implicit {
		tc := tls.Client(conn, m.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return m.fail("TLS", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return m.fail("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(m.helo); err != nil {
		return m.fail("EHLO", err)
	}
	if !m.implicit && !m.loopback {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return permanent(errf("email: SMTP server %s offers no STARTTLS; hostgate sends mail unencrypted only to a server on loopback (use port 465 for TLS from the start)", m.host))
		}
		if err := c.StartTLS(m.tlsConfig()); err != nil {
			return m.fail("STARTTLS", err)
		}
	}
	if m.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return permanent(errf("email: SMTP server %s offers no AUTH, but a username is set", m.host))
		}
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.host)); err != nil {
			return m.fail("AUTH", err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return m.fail("MAIL FROM", err)
	}
	// One message to every recipient: a retry cannot reach some twice.
	for _, a := range to {
		if err := c.Rcpt(a); err != nil {
			return m.fail("RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return m.fail("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return m.fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return m.fail("DATA", err)
	}
	// The server took the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

func (m *mailer) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if m.cfg.TLS != nil {
		cfg = m.cfg.TLS.Clone()
	}
	cfg.ServerName = m.host
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return cfg
}

// fail describes a failed step without anything secret: the server's reply
// (its code and text, without the password should a server repeat it) or
// the network's error. A 5xx reply or a certificate that does not verify
// is permanent; anything else may pass.
func (m *mailer) fail(step string, err error) error {
	var reply *textproto.Error
	var cert *tls.CertificateVerificationError
	switch {
	case errors.As(err, &reply):
		e := errf("email: SMTP server %s refused %s: %d %s", m.host, step, reply.Code, m.scrub(clean(reply.Msg, 200)))
		if reply.Code >= 500 {
			return permanent(e)
		}
		return e
	case errors.As(err, &cert):
		return permanent(errf("email: SMTP server %s: %s: its certificate does not verify for %s", m.host, step, m.host))
	}
	return errf("email: SMTP server %s: %s: %s", m.host, step, m.scrub(err.Error()))
}

// scrub removes the SMTP credentials from text that might repeat them.
func (m *mailer) scrub(s string) string {
	for _, secret := range []string{m.cfg.Password} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// message is the e-mail: plain text, quoted-printable, saying which account,
// what happened and where to repair it.
func (m *mailer) message(ev Event, to []string, fallback bool) []byte {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", m.from.String())
	addrs := make([]string, len(to))
	for i, a := range to {
		addrs[i] = (&mail.Address{Address: a}).String()
	}
	header("To", strings.Join(addrs, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", fmt.Sprintf("Reconnect your %s account \"%s\" in hostgate", ev.vendorTitle, ev.Label)))
	header("Date", m.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+ev.ID+"@"+m.helo+">")
	// RFC 3834: no auto-replies to this.
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(m.text(ev, fallback)))
	_ = qp.Close()
	return b.Bytes()
}

// text is the e-mail's body.
func (m *mailer) text(ev Event, fallback bool) string {
	var b strings.Builder
	if fallback {
		fmt.Fprintf(&b, "This alert is for the hostgate host %q, who has no e-mail address in hostgate.\n"+
			"Please pass it on, and give hostgate their address so that the next one reaches them.\n\n", ev.HostUsername)
	}
	if ev.team {
		b.WriteString("Hello,\n\nYou get this as an owner of the team that shares this account in hostgate.\n\n")
		fmt.Fprintf(&b, "hostgate can no longer reach the team's %s account \"%s\": %s.\n\n", ev.vendorTitle, ev.Label, ev.Reason)
		b.WriteString("Until an owner reconnects it, the apps every member uses through hostgate cannot\nread or change anything in this account.\n\n")
	} else {
		fmt.Fprintf(&b, "Hello %s,\n\n", ev.HostUsername)
		fmt.Fprintf(&b, "hostgate can no longer reach your %s account \"%s\": %s.\n\n", ev.vendorTitle, ev.Label, ev.Reason)
		b.WriteString("Until you reconnect it, the apps you use through hostgate cannot read or change\nanything in this account.\n\n")
	}
	b.WriteString("To reconnect it, open this link (sign in to hostgate if it asks you to):\n\n")
	b.WriteString(ev.ReconnectURL + "\n\n")
	if m.base != "" {
		fmt.Fprintf(&b, "Before you sign in, check that the page's address starts with %s.\n\n", m.base)
	}
	b.WriteString("You get this message once: hostgate writes again only if the account works\nagain and then stops working.\n\n-- \nhostgate\n")
	return b.String()
}

// bareAddress reports whether s is an e-mail address alone, without a
// display name.
func bareAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// isLoopback reports whether host names this machine: localhost or a
// loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Check reports what New would refuse in cfg, without a Notifier.
func (cfg MailConfig) Check() error {
	_, err := newMailer(cfg, "", time.Now)
	return err
}
