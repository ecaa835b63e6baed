package hospitable

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// harness is the fake as the contract suites see it.
func (e *env) harness(t *testing.T) connectortest.Harness {
	return connectortest.Harness{
		Spec:               e.Spec,
		Cred:               connector.Credential{AccessToken: sandbox.HospitablePAT},
		Vendor:             e.V,
		Secrets:            allSecrets,
		UnauthorizedStatus: 401,
		MinProperties:      4,
		Renewable:          e.oauth,
		CheckPath:          "/user",
		Echo: func(text string) sandbox.Fault {
			return sandbox.Fault{Path: "/user", HTTPStatus: 401, Body: `{"message":"` + text + `"}`}
		},
		EchoWant: connector.ErrUnauthorized,
		EchoGrant: func(text string) sandbox.Fault {
			return sandbox.Fault{Path: "/oauth/token", HTTPStatus: 400, Body: `{"message":"` + text + `"}`}
		},
	}
}

// TestContract runs the suite every vendor passes. The suite dates its
// queries by the wall clock, so the fake is seeded around it.
func TestContract(t *testing.T) {
	connectortest.Run(t, newEnvAt(t, time.Now().UTC()).harness(t))
}

// TestWriteContract runs the suite of the write capabilities.
func TestWriteContract(t *testing.T) {
	connectortest.RunWrites(t, newEnv(t).harness(t))
}
