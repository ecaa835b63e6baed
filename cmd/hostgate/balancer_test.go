package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// balancer is the load balancer in front of the hostgate processes of
// processes_test.go. By default it has no session affinity: each request
// goes to the next live process in turn, so that consecutive requests of
// one client, one MCP session included, land on different processes
// (with affinity set, a session's requests go to the process that started
// it while it lives, as README advises for some clients). A request whose
// process fails before answering (refused, reset: the process died) is
// sent to the next one, as a load balancer configured to retry on errors
// does (nginx's proxy_next_upstream error); the process is then out of the
// rotation. Responses are read whole before they are passed on, so a
// process that dies mid-answer is retried too (the tests make no request
// that streams).
//
// A test may route a path to one process (route), or send one request to
// one process with the header pinHeader; such a request is not retried.
type balancer struct {
	ts     *httptest.Server
	client *http.Client

	mu       sync.Mutex
	backends []*backend
	next     int
	routes   map[string]int // "METHOD /path" → process
	// affinity sends a request naming an MCP session to the process that
	// started it, as long as that one lives (bySession); off, the
	// balancer has none.
	affinity  bool
	bySession map[string]int
	// started, when set, hears each request as it is sent to process i,
	// with the number of requests then under way there.
	started func(i int, inflight int64)

	retries atomic.Int64
}

type backend struct {
	url      string
	dead     atomic.Bool
	inflight atomic.Int64
	served   atomic.Int64
}

// pinHeader names the process a request must reach.
const pinHeader = "X-Test-Process"

// sessionHeader carries an MCP session's id.
const sessionHeader = "Mcp-Session-Id"

func newBalancer(t testing.TB) *balancer {
	b := &balancer{routes: map[string]int{}, bySession: map[string]int{}}
	b.client = &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 128},
		// The client behind the balancer follows redirects, not the balancer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	b.ts = httptest.NewServer(b)
	t.Cleanup(b.ts.Close)
	return b
}

// add puts a process serving at url in the rotation and returns its index.
func (b *balancer) add(url string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = append(b.backends, &backend{url: url})
	return len(b.backends) - 1
}

// route sends every request of method and path to process i.
func (b *balancer) route(method, path string, i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.routes[method+" "+path] = i
}

// served returns how many requests each process answered.
func (b *balancer) served() []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := make([]int64, len(b.backends))
	for i, be := range b.backends {
		n[i] = be.served.Load()
	}
	return n
}

// order is the processes to try for r, in turn.
func (b *balancer) order(r *http.Request) []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if pin, err := strconv.Atoi(r.Header.Get(pinHeader)); err == nil {
		return []int{pin}
	}
	if i, ok := b.routes[r.Method+" "+r.URL.Path]; ok {
		return []int{i}
	}
	var order []int
	if i, ok := b.bySession[r.Header.Get(sessionHeader)]; ok && b.affinity && !b.backends[i].dead.Load() {
		order = append(order, i)
	}
	for k := range len(b.backends) {
		i := (b.next + k) % len(b.backends)
		if !b.backends[i].dead.Load() && (len(order) == 0 || order[0] != i) {
			order = append(order, i)
		}
	}
	b.next++
	return order
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, "balancer: read request: "+err.Error(), http.StatusBadGateway)
		return
	}
	order := b.order(r)
	for k, i := range order {
		if k > 0 {
			b.retries.Add(1)
		}
		resp, respBody, err := b.forward(r, body, i)
		if err != nil {
			if len(order) > 1 {
				b.backends[i].dead.Store(true)
			}
			continue
		}
		for name, v := range resp.Header {
			w.Header()[name] = v
		}
		if id := resp.Header.Get(sessionHeader); id != "" {
			b.mu.Lock()
			b.bySession[id] = i
			b.mu.Unlock()
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(respBody)
		return
	}
	http.Error(w, "balancer: no process answered", http.StatusBadGateway)
}

// forward sends r (its body read already) to process i and reads the
// whole answer.
func (b *balancer) forward(r *http.Request, body []byte, i int) (*http.Response, []byte, error) {
	be := b.backends[i]
	req, err := http.NewRequestWithContext(r.Context(), r.Method, be.url+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	req.Header.Del(pinHeader)
	// As a reverse proxy keeping the client's Host: hostgate checks it
	// against its base URL, which is the balancer's.
	req.Host = r.Host
	n := be.inflight.Add(1)
	defer be.inflight.Add(-1)
	b.mu.Lock()
	started := b.started
	b.mu.Unlock()
	if started != nil {
		started(i, n)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, errors.Join(errors.New("balancer: the process broke off its answer"), err)
	}
	be.served.Add(1)
	return resp, respBody, nil
}
