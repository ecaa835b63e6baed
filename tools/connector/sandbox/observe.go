package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// Exchange is one request a fake answered and its answer, as an observer
// sees it: what a test holds against the vendor's published contract.
type Exchange struct {
	// Method and Path are the request's; Path is the full path on the fake
	// (with the API base path, e.g. "/v3/properties").
	Method, Path string
	// Query is the request's parsed query string.
	Query url.Values
	// Header is a copy of the request's headers.
	Header http.Header
	// Body is the request body as sent (at most maxBody bytes).
	Body []byte
	// Status, RespHeader and RespBody are the fake's answer.
	Status     int
	RespHeader http.Header
	RespBody   []byte
	// Faulted: a scripted Fault answered (or, delayed, the client gave up
	// and nothing did), so the answer is the test's, not the fake's.
	Faulted bool
}

// observers are the functions that see every exchange; kept apart from
// the Vendor's mutex so an observer may call the Vendor's methods.
type observers struct {
	mu   sync.RWMutex
	next int
	fns  map[int]func(Exchange)
}

// Observe calls fn after every request the fake answers (faulted ones
// included), from the request's goroutine, until the returned function is
// called. Tests use it to check each exchange against the vendor's
// contract. Without observers the fake copies nothing.
func (v *Vendor) Observe(fn func(Exchange)) (stop func()) {
	o := &v.obs
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fns == nil {
		o.fns = map[int]func(Exchange){}
	}
	id := o.next
	o.next++
	o.fns[id] = fn
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.fns, id)
	}
}

// observed wraps serve when someone observes: it keeps a copy of the
// request body and holds the answer back until every observer has seen
// the exchange, so a client never has its answer before a test's watch
// knows of it.
func (v *Vendor) observed(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request)) {
	v.obs.mu.RLock()
	n := len(v.obs.fns)
	v.obs.mu.RUnlock()
	if n == 0 {
		serve(w, r)
		return
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, maxBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	ex := Exchange{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	serve(rec, r)
	ex.Status, ex.RespHeader, ex.RespBody, ex.Faulted = rec.status, rec.header.Clone(), rec.buf.Bytes(), rec.faulted
	v.obs.mu.RLock()
	fns := make([]func(Exchange), 0, len(v.obs.fns))
	for _, fn := range v.obs.fns {
		fns = append(fns, fn)
	}
	v.obs.mu.RUnlock()
	for _, fn := range fns {
		fn(ex)
	}
	if rec.faulted && !rec.wrote {
		return // the client gave up on a delay; nobody is listening
	}
	for k, vals := range rec.header {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.buf.Bytes())
}

// recorder keeps what a handler writes, to be passed on once the
// observers have seen it.
type recorder struct {
	header  http.Header
	status  int
	wrote   bool
	faulted bool // set by serve when a scripted Fault takes the request
	buf     bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.buf.Write(b)
}
