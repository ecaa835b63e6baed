package alerts_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/alerts/alertstest"
	"github.com/hostgate/hostgate/store"
)

// TestWebhookSignature: the signature header is exactly what the README
// tells receivers to check, and a receiver that does so refuses a stale
// timestamp and a replayed request.
func TestWebhookSignature(t *testing.T) {
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	cfg := f.config(f.st)
	cfg.Mail = nil
	f.notifier(t, cfg).RunOnce(t.Context())
	got := f.hook.Accepted()
	if len(got) != 1 {
		t.Fatalf("%d accepted deliveries: %+v", len(got), f.hook.Deliveries())
	}
	d := got[0]
	ts := strconv.FormatInt(f.clock.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(ts + "." + string(d.Body)))
	if want := "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil)); d.Header.Get("Hostgate-Signature") != want {
		t.Fatalf("signature %q, want %q", d.Header.Get("Hostgate-Signature"), want)
	}
	if d.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("content type %q", d.Header.Get("Content-Type"))
	}

	// The same request again, as an eavesdropper would replay it.
	req, _ := http.NewRequest(http.MethodPost, f.hook.URL, strings.NewReader(string(d.Body)))
	req.Header = d.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if all := f.hook.Deliveries(); resp.StatusCode != http.StatusUnauthorized || all[len(all)-1].Refused != "replayed delivery" {
		t.Fatalf("a replay was answered %d", resp.StatusCode)
	}

	// A receiver whose clock is ten minutes ahead refuses the timestamp:
	// hostgate hears 401 and does not insist.
	f.setStatus(t, "c1", store.StatusOK, "")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	ahead := alertstest.NewReceiver(t, hookSecret, func() time.Time { return f.clock.Now().Add(10 * time.Minute) })
	cfg.Webhook.URL = ahead.URL
	f.notifier(t, cfg).RunOnce(t.Context())
	if all := ahead.Deliveries(); len(all) != 1 || all[0].Refused != "stale timestamp" {
		t.Fatalf("deliveries to the receiver ahead: %+v", all)
	}
	if !strings.Contains(f.logs.String(), "answered 401") {
		t.Fatalf("log:\n%s", f.logs)
	}
}

// TestWebhookNoRedirect: a redirect is not followed: the body and its
// signature go to the configured URL only, and the answer is final.
func TestWebhookNoRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	var asked atomic.Int32
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	cfg := f.config(f.st)
	cfg.Webhook.URL = redirect.URL + "/hook"
	f.notifier(t, cfg).RunOnce(t.Context())
	if asked.Load() != 1 || elsewhere.Load() != 0 {
		t.Fatalf("asked %d times, redirect target reached %d times; want 1 and 0", asked.Load(), elsewhere.Load())
	}
	if !strings.Contains(f.logs.String(), "answered 307") {
		t.Fatalf("log:\n%s", f.logs)
	}
}

// TestWebhookURLNotLogged: a webhook URL's path can be a secret (some
// services put their token there), so a failure names only its host.
func TestWebhookURLNotLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every attempt fails
	f := newFixture(t, alertstest.SMTPOptions{})
	f.connect(t, "c1", "u1", "hospitable", "Beach house")
	f.setStatus(t, "c1", store.StatusNeedsReauth, refused)
	cfg := f.config(f.st)
	cfg.Mail = nil
	cfg.Webhook.URL = "http://" + addr + "/services/T0001/B0002/path-token-9f8e7d"
	f.notifier(t, cfg).RunOnce(t.Context())
	logs := f.logs.String()
	if strings.Contains(logs, "path-token-9f8e7d") || strings.Contains(logs, "/services/") {
		t.Fatalf("the log names the webhook's path:\n%s", logs)
	}
	if c := strings.Count(logs, "webhook "+addr+": no answer"); c != 4 {
		t.Fatalf("%d failures logged by host, want 4 attempts:\n%s", c, logs)
	}
}
