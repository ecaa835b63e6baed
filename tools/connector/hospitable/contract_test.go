package hospitable

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestContract runs the suite every vendor passes. The suite dates its
// queries by the wall clock, so the fake is seeded around it.
func TestContract(t *testing.T) {
	e := newEnvAt(t, time.Now().UTC())
	connectortest.Run(t, connectortest.Harness{
		Spec:               e.spec,
		Cred:               connector.Credential{AccessToken: sandbox.HospitablePAT},
		Vendor:             e.v,
		Secrets:            allSecrets,
		UnauthorizedStatus: 401,
		MinProperties:      4,
	})
}
