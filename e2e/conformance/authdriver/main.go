// Command authdriver completes hostgate's authorization flow headlessly for
// an external OAuth client under test, such as the MCP conformance suite's
// authorization scenarios. It registers the client's redirect URI, starts
// the command given after "--" with {client_id} replaced, waits for it to
// print an authorization URL on hostgate, signs in and approves on the real
// pages with a cookie-keeping HTTP client, delivers the redirect to the
// command's callback, and exits with the command's status.
//
//	go run ./e2e/conformance/authdriver -issuer http://127.0.0.1:8080 -redirect http://127.0.0.1:3999/callback \
//	    -- e2e/conformance/cli authorization http://127.0.0.1:8080 --client-id {client_id} -p 3999
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
)

type fatal struct{}

func (fatal) Helper()                           {}
func (fatal) Fatal(args ...any)                 { log.Fatal(args...) }
func (fatal) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

func main() {
	log.SetPrefix("authdriver: ")
	log.SetFlags(0)
	issuer := flag.String("issuer", "http://127.0.0.1:8080", "hostgate's base URL")
	redirect := flag.String("redirect", "", "the redirect URI the command listens on")
	username := flag.String("username", "demo", "host account")
	password := flag.String("password", os.Getenv("HOSTGATE_DEMO_PASSWORD"), "its password (default $HOSTGATE_DEMO_PASSWORD)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || *redirect == "" {
		log.Fatal("usage: authdriver -issuer URL -redirect URI [-username U -password P] -- command args...")
	}

	clientID := register(*issuer, *redirect)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{client_id}", clientID)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	authRe := regexp.MustCompile(regexp.QuoteMeta(*issuer) + `/authorize\?\S+`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Println(line)
			if m := authRe.FindString(line); m != "" && !sent {
				found <- m
				sent = true
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if ok {
			approve(*issuer, u, *username, *password)
		}
	case <-time.After(2 * time.Minute):
		log.Print("no authorization URL printed within 2 minutes")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !strings.Contains(err.Error(), "exit status") {
		log.Fatal(err)
	}
	if err != nil && asExit(err, &ee) {
		os.Exit(ee.ExitCode())
	}
}

func asExit(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

// register creates a public client for the redirect URI by dynamic
// registration (RFC 7591), as an MCP client would.
func register(issuer, redirect string) string {
	body, _ := json.Marshal(map[string]any{
		"client_name": "MCP conformance suite", "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		"response_types": []string{"code"},
	})
	resp, err := http.Post(issuer+"/register", "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		log.Fatalf("register: %d %s", resp.StatusCode, b)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(b, &reg); err != nil || reg.ClientID == "" {
		log.Fatalf("register: %s", b)
	}
	log.Printf("registered client %s", reg.ClientID)
	return reg.ClientID
}

// approve signs in and approves, then follows the redirect to the client.
func approve(issuer, authURL, username, password string) {
	b := browsertest.New(fatal{}, issuer)
	p := b.Get(authURL)
	if p.URL.Path == "/signin" {
		p = b.Submit(p.Form(fatal{}, "/signin"), url.Values{"username": {username}, "password": {password}})
	}
	p = b.Submit(p.Form(fatal{}, "/consent"), url.Values{"action": {"approve"}})
	loc := p.Resp.Header.Get("Location")
	if p.Resp.StatusCode != http.StatusSeeOther || loc == "" {
		log.Fatalf("consent did not redirect (status %d)", p.Resp.StatusCode)
	}
	log.Printf("approved; delivering the redirect to the client")
	resp, err := http.Get(loc)
	if err != nil {
		log.Fatalf("deliver redirect: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
