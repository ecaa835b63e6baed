package hoxtonai

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name string
		cred func(*env, *testing.T) connector.Credential
	}{{"signed in", (*env).login}, {"machine client", (*env).machine}} {
		t.Run(tc.name, func(t *testing.T) {
			// The suite picks its date windows from the wall clock, so the
			// fake is seeded around the real now (and then held still).
			e := start(t, time.Now().UTC())
			connectortest.Run(t, connectortest.Harness{
				Spec:               e.Spec,
				Cred:               tc.cred(e, t),
				Vendor:             e.V,
				Secrets:            []string{sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret},
				UnauthorizedStatus: 401,
				MinProperties:      2,
				Renewable:          func(t *testing.T) connector.Credential { return tc.cred(e, t) },
				CheckPath:          "/sites",
				RefusalCode:        "invalid_token",
				Echo: func(text string) sandbox.Fault {
					return sandbox.Fault{HTTPStatus: 400, Body: `{"error":"` + text + `"}`}
				},
				EchoWant: connector.ErrBadRequest,
				EchoGrant: func(text string) sandbox.Fault {
					return sandbox.Fault{Path: "/oauth/token", HTTPStatus: 401, Body: `{"error":"` + text + `"}`}
				},
			})
		})
	}
}
