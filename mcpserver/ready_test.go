package mcpserver_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
)

// TestReady: /readyz answers 200 while the database answers and has
// every migration; 503 with a short reason, naming no path or error, when
// the schema is behind, when draining, and when the database is gone.
// /healthz stays 200 through the first two: the process is alive.
func TestReady(t *testing.T) {
	e := newEnv(t, envOptions{})
	if e.store.Path() == "" {
		t.Skip("edits the SQLite file under the server; PostgreSQL's readiness is the same code")
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s headers: %v", path, resp.Header)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	want := func(status int, body string) {
		t.Helper()
		gotStatus, got := get("/readyz")
		if gotStatus != status || got != body+"\n" {
			t.Fatalf("/readyz: %d %q, want %d %q", gotStatus, got, status, body)
		}
		for _, leak := range []string{e.store.Path(), "sqlstore", "sqlite"} {
			if strings.Contains(got, leak) {
				t.Fatalf("/readyz names %q: %s", leak, got)
			}
		}
	}
	want(http.StatusOK, `{"status":"ready","version":"test"}`)

	// The schema loses its newest migration, as if an older copy of the
	// database were put back under a running hostgate.
	db, err := sql.Open("sqlite", e.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var newest int
	if err := db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		t.Fatal(err)
	}
	var name string
	var at int64
	if err := db.QueryRow(`SELECT name, applied_at FROM schema_migrations WHERE version = ?`, newest).Scan(&name, &at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = ?`, newest); err != nil {
		t.Fatal(err)
	}
	want(http.StatusServiceUnavailable, `{"status":"unavailable","reason":"the database schema is older than this version of hostgate"}`)
	if status, _ := get("/healthz"); status != http.StatusOK {
		t.Fatalf("/healthz with the schema behind: %d", status)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, newest, name, at); err != nil {
		t.Fatal(err)
	}
	db.Close()
	want(http.StatusOK, `{"status":"ready","version":"test"}`)

	e.srv.Drain()
	want(http.StatusServiceUnavailable, `{"status":"draining","reason":"this process is shutting down"}`)
	if status, _ := get("/healthz"); status != http.StatusOK {
		t.Fatalf("/healthz while draining: %d", status)
	}
}

// TestReadyWithoutDatabase: a database that does not answer is not ready.
func TestReadyWithoutDatabase(t *testing.T) {
	e := newEnv(t, envOptions{})
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body := readBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || body != `{"status":"unavailable","reason":"the database does not answer"}`+"\n" {
		t.Fatalf("/readyz with the database closed: %d %q", resp.StatusCode, body)
	}
}
