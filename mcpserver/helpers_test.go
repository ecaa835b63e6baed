package mcpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/mcpserver"
	"github.com/hostgate/hostgate/store"
)

// postMCP posts a JSON-RPC body to the MCP endpoint with an optional token.
func postMCP(t testing.TB, u, token, body string) *http.Response {
	t.Helper()
	return postMCPHeaders(t, u, token, body, nil)
}

func postMCPHeaders(t testing.TB, u, token, body string, h map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

func getJSON(t testing.TB, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// challengeParam returns a quoted auth-param of a WWW-Authenticate value.
func challengeParam(h, name string) string {
	m := regexp.MustCompile(`(?:^|[ ,])` + name + `="([^"]*)"`).FindStringSubmatch(h)
	if m == nil {
		return ""
	}
	return m[1]
}

// setAppLimits writes the host's limits of an app straight into the store,
// as another process would, and has every server drop the limits it
// keeps, as the change feed would tell it.
func (e *env) setAppLimits(ctx context.Context, l store.AppLimits) error {
	if err := e.store.SetAppLimits(ctx, l); err != nil {
		return err
	}
	servers := e.servers
	if len(servers) == 0 {
		servers = []*mcpserver.Server{e.srv}
	}
	for _, s := range servers {
		s.ForgetAppLimits()
	}
	return nil
}
