package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// WebhookConfig configures alerts by webhook: a signed JSON POST of the
// Event to one URL.
type WebhookConfig struct {
	// URL receives the alerts: https, or http to a receiver on loopback.
	// Its path may hold a secret (some services put one there), so it is
	// never logged: only its host is.
	URL string
	// Secret is the HMAC-SHA256 key of the signature: at least 32
	// characters.
	Secret string
	// Timeout bounds one attempt; default 10 s.
	Timeout time.Duration
}

// The webhook's request headers.
const (
	// SignatureHeader is "t=<unix seconds>,v1=<hex HMAC-SHA256 of
	// t + "." + body under the secret>". A receiver recomputes v1, compares
	// in constant time, and refuses a t too far from its own clock (five
	// minutes, say) and an Event.ID it has seen: a replay.
	SignatureHeader = "Hostgate-Signature"
	// EventHeader repeats Event.Event and DeliveryHeader Event.ID.
	EventHeader    = "Hostgate-Event"
	DeliveryHeader = "Hostgate-Delivery"
)

const (
	defaultWebhookTimeout = 10 * time.Second
	minWebhookSecret      = 32
)

// webhook is the webhook channel.
type webhook struct {
	url    string
	host   string // what the logs name
	secret []byte
	client *http.Client
	now    func() time.Time
}

func newWebhook(cfg WebhookConfig, now func() time.Time) (*webhook, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errf("webhook URL must be an absolute https URL, e.g. https://alerts.example.com/hostgate")
	}
	switch {
	case u.User != nil:
		return nil, errf("webhook URL must not hold a username or password; the signature authenticates hostgate")
	case u.Fragment != "":
		return nil, errf("webhook URL must not have a fragment")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, errf("webhook URL must be https; plain http only to a receiver on loopback (127.0.0.1, [::1], localhost)")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errf("webhook URL must be an https URL")
	}
	if len(cfg.Secret) < minWebhookSecret {
		return nil, errf("webhook secret must be at least %d characters (e.g. openssl rand -hex 32)", minWebhookSecret)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultWebhookTimeout
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 4
	return &webhook{url: cfg.URL, host: u.Host, secret: []byte(cfg.Secret), now: now,
		client: &http.Client{Timeout: timeout, Transport: transport,
			// A redirect is an answer, not an instruction: the body and its
			// signature go to the configured URL only.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}, nil
}

func (w *webhook) name() string { return "webhook" }

// send POSTs ev, signed. A 2xx answer delivers it; a 408, a 429, a 5xx or
// no answer may pass with a retry; any other answer (a redirect among them)
// is final.
func (w *webhook) send(ctx context.Context, ev Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return permanent(errf("webhook: encode: %v", err))
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return permanent(errf("webhook %s: %v", w.host, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hostgate-alerts")
	req.Header.Set(EventHeader, ev.Event)
	req.Header.Set(DeliveryHeader, ev.ID)
	req.Header.Set(SignatureHeader, "t="+ts+",v1="+signature(w.secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		// url.Error repeats the URL, whose path may be a secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return errf("webhook %s: no answer: %v", w.host, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return errf("webhook %s answered %d", w.host, c)
	default:
		return permanent(errf("webhook %s answered %d", w.host, c))
	}
}

// signature is the v1 signature: hex HMAC-SHA256 under secret of the
// timestamp, a dot and the body, so that neither can be replaced alone.
func signature(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Check reports what New would refuse in cfg, without a Notifier.
func (cfg WebhookConfig) Check() error {
	_, err := newWebhook(cfg, time.Now)
	return err
}
