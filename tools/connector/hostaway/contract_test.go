package hostaway

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestContract(t *testing.T) {
	// The suite picks its date windows from the wall clock, so the fake is
	// seeded around the real now (and then held still).
	e := start(t, time.Now().UTC())
	e.v.SetRateLimiting(false) // the vendor's limits have their own tests
	connectortest.Run(t, connectortest.Harness{
		Spec:               e.spec,
		Cred:               e.mint(t),
		Vendor:             e.v,
		Secrets:            []string{sandbox.HostawayAPIKey},
		UnauthorizedStatus: 403,
		MinProperties:      4,
	})
}
