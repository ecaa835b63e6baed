package mcpserver_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

var hostexPropertiesCall = []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_properties","arguments":{"vendor":"hostex","fresh":true}}}`)

// door serves hostgate's handler on a listener of its own, as hostgate
// serve does, and tells when the first POST arrives; while hold is open
// that request waits at the door before hostgate sees it.
type door struct {
	hs      *http.Server
	url     string
	arrived chan struct{}
	began   chan struct{} // closed when Shutdown has closed the listener
	served  chan error
}

func openDoor(t *testing.T, e *env, hold <-chan struct{}) *door {
	t.Helper()
	d := &door{arrived: make(chan struct{}), began: make(chan struct{}), served: make(chan error, 1)}
	var first atomic.Bool
	inner := e.srv.Handler()
	d.hs = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && first.CompareAndSwap(false, true) {
			close(d.arrived)
			if hold != nil {
				<-hold
			}
		}
		inner.ServeHTTP(w, r)
	})}
	d.hs.RegisterOnShutdown(func() { close(d.began) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.url = "http://" + ln.Addr().String()
	go func() { d.served <- d.hs.Serve(ln) }()
	t.Cleanup(func() { d.hs.Close() })
	return d
}

// call posts one tool call on a connection of its own, in the
// background.
func call(url string, h http.Header, body []byte) <-chan error {
	done := make(chan error, 1)
	go func() {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		got, err := postBody(c, url, h, body)
		if err == nil && !strings.Contains(got, "hostex:") {
			err = errors.New("the answer lists no Hostex property: " + got)
		}
		done <- err
	}()
	return done
}

// TestShutdownDrainsToolCalls: Shutdown, as hostgate serve runs it on
// SIGTERM, lets a tool call already under way finish against a slow
// vendor and answer in full; meanwhile /readyz answers 503 "draining", a
// new connection is refused, and the MCP listening stream opened before
// ends rather than holding the shutdown up.
func TestShutdownDrainsToolCalls(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	p, _ := e.grant(t, "read")
	sess := e.initSession(t, p.AccessToken)
	h := mcpHeaders(p.AccessToken, sess)
	// Hostex is slow: its next properties read waits before answering.
	e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Delay: 300 * time.Millisecond})
	release := make(chan struct{})
	d := openDoor(t, e, release)

	// The listening stream, opened before the shutdown.
	sreq, _ := http.NewRequest(http.MethodGet, d.url+"/mcp", nil)
	sreq.Header = h.Clone()
	sreq.Header.Set("Accept", "text/event-stream")
	stream, err := (&http.Client{Transport: &http.Transport{}}).Do(sreq)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("GET /mcp: %v %v", stream, err)
	}
	streamEnded := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, stream.Body); streamEnded <- err }()

	answered := call(d.url+"/mcp", h, hostexPropertiesCall)
	<-d.arrived
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		shut <- e.srv.Shutdown(ctx, d.hs)
	}()
	<-d.began

	// Draining: the load balancer is told, and no new connection gets in.
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"status":"draining"`) {
		t.Fatalf("/readyz while draining: %d %s", rec.Code, rec.Body)
	}
	if err := <-call(d.url+"/mcp", h, whoamiCall); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("a new connection after shutdown began: %v, want it refused", err)
	}

	// The call under way goes on to the slow vendor and answers in full.
	close(release)
	if err := <-answered; err != nil {
		t.Fatalf("the tool call under way: %v", err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v, want a clean drain", err)
	}
	if err := <-d.served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	if err := <-streamEnded; err != nil {
		t.Fatalf("the listening stream did not end cleanly: %v", err)
	}
	if n := e.srv.ToolCallsInFlight(); n != 0 {
		t.Fatalf("%d tool calls in flight after the drain", n)
	}
	// A listening stream asked for while draining is refused at once.
	rec = httptest.NewRecorder()
	sreq = httptest.NewRequest(http.MethodGet, "http://127.0.0.1/mcp", nil)
	sreq.Header = h.Clone()
	sreq.Header.Set("Accept", "text/event-stream")
	e.srv.Handler().ServeHTTP(rec, sreq)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("GET /mcp while draining: %d", rec.Code)
	}
}

// TestShutdownDrainTimeOver: a tool call that outlasts the drain time is
// cut when the time is over: Shutdown returns the deadline's error and
// the caller's connection is closed, rather than the process hanging on a
// vendor that does not answer.
func TestShutdownDrainTimeOver(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true})
	p, _ := e.grant(t, "read")
	sess := e.initSession(t, p.AccessToken)
	h := mcpHeaders(p.AccessToken, sess)
	// Far longer than the drain time; the fake stops waiting when hostgate
	// gives up.
	e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Delay: time.Minute})
	d := openDoor(t, e, nil)
	answered := call(d.url+"/mcp", h, hostexPropertiesCall)
	<-d.arrived
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := e.srv.Shutdown(ctx, d.hs); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want the drain time's deadline", err)
	}
	if err := <-answered; err == nil {
		t.Fatal("the call cut at the end of the drain answered as if it had finished")
	}
	if waited := time.Since(start); waited > 20*time.Second {
		t.Fatalf("the drain took %s; the drain time was 300ms", waited)
	}
}
