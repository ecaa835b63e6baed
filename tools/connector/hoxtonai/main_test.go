package hoxtonai

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestMain(m *testing.M) {
	pollInterval = time.Millisecond
	os.Exit(m.Run())
}

// fixedNow is the tests' stopped "now".
var fixedNow = connectortest.FixedNow

// env is one test's fake HoxtonAI and a Spec pointed at it.
type env struct{ connectortest.Env }

func start(t *testing.T, now time.Time) *env {
	t.Helper()
	return &env{connectortest.NewEnv(t, sandbox.NewHoxtonAI, NewSpec(), now, sandbox.HoxtonAIClientID, sandbox.HoxtonAIClientSecret)}
}

const redirectURI = "http://127.0.0.1:5555/connect/hoxtonai/callback"

// authorize plays the host in the browser: it opens the authorize URL
// hostgate's connect flow builds from the Spec, approves, and returns the
// code and the PKCE verifier.
func (e *env) authorize(t *testing.T) (code, verifier string) {
	t.Helper()
	return e.Authorize(t, redirectURI)
}

// login runs the whole OAuth connect: authorize, then Exchange.
func (e *env) login(t *testing.T) connector.Credential {
	t.Helper()
	return e.Connect(t, redirectURI)
}

// machine connects a machine-to-machine client through the form.
func (e *env) machine(t *testing.T) connector.Credential {
	t.Helper()
	c, err := e.Spec.FromFields(context.Background(), e.Spec, store.AuthClientCredentials,
		map[string]string{FieldClientID: sandbox.HoxtonAIM2MClientID, FieldClientSecret: sandbox.HoxtonAIM2MClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// conn returns a Connector over a signed-in credential and a counting
// source that renews with the Spec's Refresh.
func (e *env) conn(t *testing.T) (*Connector, *connectortest.Source) {
	t.Helper()
	c, src := connectortest.Conn[*Connector](e.Spec, e.login(t))
	src.Renew = connectortest.RefreshWith(e.Spec)
	return c, src
}

// raw calls the fake directly, bypassing the client: a test's own look at
// the fake (or a change to its data that hostgate never makes), marked as a
// probe so that the contract watch, which holds hostgate's requests, lets
// it pass.
func (e *env) raw(t *testing.T, cred connector.Credential, method, path string, body any) any {
	t.Helper()
	status, out := connectortest.Raw(t, method, e.V.APIBase+path,
		http.Header{"Authorization": {"Bearer " + cred.AccessToken}, connectortest.ProbeHeader: {"test"}}, body)
	if status/100 != 2 {
		t.Fatalf("raw %s %s: HTTP %d %v", method, path, status, out)
	}
	return out
}

// noSecret fails if an error's text holds any of the secrets, or the
// fake's client secrets.
var _, noSecret = connectortest.Checks(sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret)
