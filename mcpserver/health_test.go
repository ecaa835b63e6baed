package mcpserver_test

import (
	"github.com/hostgate/hostgate/mcpserver"
	"net/http"
	"testing"
)

// TestHealthIsProcessOnly: /healthz answers ok while the process serves,
// database or not (liveness), while /readyz turns 503 when the database
// does not answer (readiness).
func TestHealthIsProcessOnly(t *testing.T) {
	e := newEnv(t, envOptions{})
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get(e.ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, readBody(t, resp)
	}
	if status, body := get(); status != http.StatusOK || body != `{"status":"ok","version":"test"}`+"\n" {
		t.Fatalf("healthz: %d %q", status, body)
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	if status, body := get(); status != http.StatusOK || body != `{"status":"ok","version":"test"}`+"\n" {
		t.Fatalf("healthz with the database closed: %d %q", status, body)
	}
	resp, err := http.Get(e.ts.URL + mcpserver.PathReady)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d, want 503", resp.StatusCode)
	}
}
