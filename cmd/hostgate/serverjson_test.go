package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/mcpserver"
	mcpgo "github.com/mark3labs/mcp-go/server"
)

// serverJSON is server.json as the MCP registry's schema (2025-12-11)
// reads it; unknown members are refused, so a misspelt one fails here.
type serverJSON struct {
	Schema      string `json:"$schema"`
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Version     string `json:"version"`
	WebsiteURL  string `json:"websiteUrl"`
	Repository  struct {
		URL    string `json:"url"`
		Source string `json:"source"`
	} `json:"repository"`
	Remotes []struct {
		Type      string            `json:"type"`
		URL       string            `json:"url"`
		Headers   []json.RawMessage `json:"headers"`
		Variables map[string]struct {
			Description string `json:"description"`
			IsRequired  bool   `json:"isRequired"`
			Placeholder string `json:"placeholder"`
		} `json:"variables"`
	} `json:"remotes"`
	Meta struct {
		Publisher struct {
			Authorization struct {
				Type                        string   `json:"type"`
				Note                        string   `json:"note"`
				ProtectedResourceMetadata   string   `json:"protectedResourceMetadata"`
				AuthorizationServerMetadata string   `json:"authorizationServerMetadata"`
				Scopes                      []string `json:"scopes"`
			} `json:"authorization"`
		} `json:"io.modelcontextprotocol.registry/publisher-provided"`
	} `json:"_meta"`
}

// TestServerJSON: server.json, what the MCP registry lists hostgate by,
// parses under the registry's rules and describes the server as it is: a
// remote on streamable HTTP at /mcp of the host a deployment sets, with
// no header to configure (an app discovers the OAuth sign-in from the 401),
// and the metadata paths and scopes hostgate serves.
func TestServerJSON(t *testing.T) {
	raw, err := os.ReadFile("../../server.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s serverJSON
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("server.json: %v", err)
	}
	if err := dec.Decode(new(any)); err != io.EOF {
		t.Fatalf("server.json has more than one value: %v", err)
	}
	if s.Schema != "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json" {
		t.Errorf("$schema = %q", s.Schema)
	}
	if !regexp.MustCompile(`^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$`).MatchString(s.Name) || len(s.Name) > 200 {
		t.Errorf("name %q is not reverse-DNS namespace/name", s.Name)
	}
	if n := len([]rune(s.Description)); n < 1 || n > 100 {
		t.Errorf("description is %d characters; the registry takes 1 to 100", n)
	}
	if s.Title == "" || len([]rune(s.Title)) > 100 || s.Version == "" || strings.ContainsAny(s.Version, "^~<>=*x ") {
		t.Errorf("title %q, version %q", s.Title, s.Version)
	}
	if len(s.Remotes) != 1 {
		t.Fatalf("%d remotes, want the one streamable HTTP endpoint", len(s.Remotes))
	}
	r := s.Remotes[0]
	if r.Type != "streamable-http" {
		t.Errorf("transport %q, want streamable-http", r.Type)
	}
	if len(r.Headers) != 0 {
		t.Errorf("the remote asks for %d headers; hostgate's sign-in is OAuth, discovered from the 401", len(r.Headers))
	}
	// Every {variable} of the URL is defined and required; with the
	// placeholders in, it is an https URL whose path is the MCP endpoint.
	resolve := func(template string) string {
		return regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`).ReplaceAllStringFunc(template, func(m string) string {
			v, ok := r.Variables[strings.Trim(m, "{}")]
			if !ok || !v.IsRequired || v.Description == "" || v.Placeholder == "" {
				t.Errorf("URL variable %s is not defined as required, with a description and a placeholder", m)
			}
			return v.Placeholder
		})
	}
	u, err := url.Parse(resolve(r.URL))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Path != mcpserver.MCPPath || u.RawQuery != "" {
		t.Fatalf("remote URL %q resolves to %v (%v), want https://<host>%s", r.URL, u, err, mcpserver.MCPPath)
	}

	// The authorization it describes is the one hostgate serves.
	auth := s.Meta.Publisher.Authorization
	base := u.Scheme + "://" + u.Host
	if got, want := resolve(auth.ProtectedResourceMetadata), base+mcpgo.ProtectedResourceMetadataPath(base+mcpserver.MCPPath); got != want {
		t.Errorf("protected-resource metadata %q, want %q", got, want)
	}
	if got := resolve(auth.AuthorizationServerMetadata); got != base+"/.well-known/oauth-authorization-server" {
		t.Errorf("authorization-server metadata %q", got)
	}
	a, err := open(defaults(t.TempDir()), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if scopes := a.srv.OAuth().ScopesSupported(); !slices.Equal(auth.Scopes, scopes) {
		t.Errorf("scopes %v, want the served %v", auth.Scopes, scopes)
	}
}
