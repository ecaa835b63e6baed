package alertstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Delivery is one request the receiver got.
type Delivery struct {
	Header http.Header
	Body   []byte
	// Event is the body decoded; nil when it is not a JSON object.
	Event map[string]any
	// Verified says the signature checked out: right secret, fresh
	// timestamp, an id not seen before. Refused says why not.
	Verified bool
	Refused  string
	// Status is what the receiver answered.
	Status int
}

// Receiver is a webhook receiver on loopback that verifies hostgate's
// signature as the README describes: Hostgate-Signature t=<unix>,v1=<hex
// HMAC-SHA256 of t + "." + body>, t within Tolerance of its clock, each
// Hostgate-Delivery id accepted once.
type Receiver struct {
	URL string
	// Arrived receives each delivery (buffered).
	Arrived chan Delivery

	secret []byte
	srv    *httptest.Server
	mu     sync.Mutex
	now    func() time.Time
	// Tolerance is how far t may be from the receiver's clock.
	tolerance time.Duration
	fail      []int
	hold      func(*http.Request)
	seen      map[string]bool
	got       []Delivery
}

// NewReceiver starts a receiver checking signatures under secret against
// the clock now (time.Now when nil); it stops when the test ends.
func NewReceiver(t testing.TB, secret string, now func() time.Time) *Receiver {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	rc := &Receiver{Arrived: make(chan Delivery, 256), secret: []byte(secret), now: now,
		tolerance: 5 * time.Minute, seen: map[string]bool{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	rc.URL = rc.srv.URL + "/hooks/hostgate"
	t.Cleanup(rc.srv.Close)
	return rc
}

// FailNext answers the next len(statuses) deliveries with these statuses,
// in order, after verifying them (a refused delivery is not marked seen).
func (rc *Receiver) FailNext(statuses ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.fail = append(rc.fail, statuses...)
}

// Hold, when set, is called with each request before it is answered: a
// test blocks in it to hold a delivery open.
func (rc *Receiver) Hold(fn func(*http.Request)) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.hold = fn
}

// Deliveries returns every request received so far.
func (rc *Receiver) Deliveries() []Delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Delivery(nil), rc.got...)
}

// Accepted returns the verified deliveries answered 2xx.
func (rc *Receiver) Accepted() []Delivery {
	var out []Delivery
	for _, d := range rc.Deliveries() {
		if d.Verified && d.Status/100 == 2 {
			out = append(out, d)
		}
	}
	return out
}

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	d := Delivery{Header: r.Header.Clone(), Body: body}
	_ = json.Unmarshal(body, &d.Event)
	rc.mu.Lock()
	hold := rc.hold
	rc.mu.Unlock()
	if hold != nil {
		hold(r)
	}
	rc.mu.Lock()
	d.Refused = rc.verify(r, body)
	d.Verified = d.Refused == ""
	switch {
	case r.Context().Err() != nil:
		// The sender hung up while the request was held: nothing was
		// delivered.
		d.Verified, d.Refused, d.Status = false, "sender gone", http.StatusRequestTimeout
	case r.Method != http.MethodPost:
		d.Status = http.StatusMethodNotAllowed
	case !d.Verified:
		d.Status = http.StatusUnauthorized
	case len(rc.fail) > 0:
		d.Status, rc.fail = rc.fail[0], rc.fail[1:]
	default:
		d.Status = http.StatusNoContent
		rc.seen[r.Header.Get("Hostgate-Delivery")] = true
	}
	rc.got = append(rc.got, d)
	rc.mu.Unlock()
	w.WriteHeader(d.Status)
	rc.Arrived <- d
}

// verify checks the signature; it returns why it refuses, or "".
func (rc *Receiver) verify(r *http.Request, body []byte) string {
	var ts, v1 string
	for _, part := range strings.Split(r.Header.Get("Hostgate-Signature"), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || v1 == "" {
		return "no signature"
	}
	mac := hmac.New(sha256.New, rc.secret)
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(v1), []byte(want)) {
		return "bad signature"
	}
	if d := rc.now().Sub(time.Unix(sec, 0)); d > rc.tolerance || d < -rc.tolerance {
		return "stale timestamp"
	}
	id := r.Header.Get("Hostgate-Delivery")
	if id == "" || rc.seen[id] {
		return "replayed delivery"
	}
	return ""
}
