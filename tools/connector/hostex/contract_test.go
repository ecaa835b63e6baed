package hostex

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
	clk := connectortest.NewClock(time.Now().UTC())
	v := connectortest.Start(t, sandbox.NewHostex(sandbox.Options{Now: clk.Now}))
	connectortest.Run(t, connectortest.Harness{
		Spec:               pointAt(NewSpec(), v, clk.Now),
		Cred:               connector.Credential{AccessToken: sandbox.HostexWritableToken},
		Vendor:             v,
		Secrets:            allSecrets,
		UnauthorizedStatus: 401, // error_code 401 inside HTTP 200
		MinProperties:      4,
	})
}
