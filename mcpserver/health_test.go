package mcpserver_test

import (
	"net/http"
	"testing"
)

// TestHealthPingsStore: /healthz answers ok while the database answers,
// and 503 once it does not.
func TestHealthPingsStore(t *testing.T) {
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
	if status, body := get(); status != http.StatusServiceUnavailable || body != `{"status":"unavailable"}`+"\n" {
		t.Fatalf("healthz with the database closed: %d %q", status, body)
	}
}
