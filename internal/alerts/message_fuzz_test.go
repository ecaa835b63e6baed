package alerts

import (
	"io"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// FuzzMailMessage: whatever hosts and vendors put in a label, a username or
// a reason, the e-mail has exactly hostgate's headers, one recipient, and
// the reconnect link on a line of its own.
func FuzzMailMessage(f *testing.F) {
	f.Add("Beach house", "alice", "the vendor refused to renew access")
	f.Add("Villa\r\nBcc: evil@example.com", "bob\n", "x\r\n.\r\nQUIT")
	f.Add("=?utf-8?q?=0D=0A?=", "été", strings.Repeat("ü", 300))
	m, err := newMailer(MailConfig{Addr: "smtp.example.com:587", From: "hostgate <alerts@example.com>"},
		"https://hostgate.example", func() time.Time { return time.Unix(1_800_000_000, 0) })
	if err != nil {
		f.Fatal(err)
	}
	n := &Notifier{cfg: Config{ReconnectURL: func(id string) string { return "https://hostgate.example/connections?reconnect=" + id }}}
	want := []string{"Auto-Submitted", "Content-Transfer-Encoding", "Content-Type", "Date", "From",
		"Message-Id", "Mime-Version", "Subject", "To"}
	f.Fuzz(func(t *testing.T, label, username, reason string) {
		ev := n.event(store.AlertClaim{DeadConnection: store.DeadConnection{ConnectionID: "c1", UserID: "u1",
			Username: username, Vendor: "hospitable", Label: label, Reason: reason}, Episode: "e1"})
		for _, fallback := range []bool{false, true} {
			msg, err := mail.ReadMessage(strings.NewReader(string(m.message(ev, []string{"alice@example.com"}, fallback))))
			if err != nil {
				t.Fatalf("the message does not parse: %v", err)
			}
			var keys []string
			for k := range msg.Header {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, want) {
				t.Fatalf("headers %v, want %v", keys, want)
			}
			to, err := msg.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != "alice@example.com" {
				t.Fatalf("To %v (%v)", to, err)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatalf("body: %v", err)
			}
			if !strings.Contains(string(body), "\r\nhttps://hostgate.example/connections?reconnect=c1\r\n") {
				t.Fatalf("no link line in:\n%s", body)
			}
		}
	})
}
