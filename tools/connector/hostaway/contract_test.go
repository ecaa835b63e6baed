package hostaway

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// harness is the fake as the contract suites see it.
func (e *env) harness(t *testing.T) connectortest.Harness {
	e.V.SetRateLimiting(false) // the vendor's limits have their own tests
	return connectortest.Harness{
		Spec:               e.Spec,
		Cred:               e.mint(t),
		Vendor:             e.V,
		Secrets:            []string{sandbox.HostawayAPIKey},
		UnauthorizedStatus: 403,
		MinProperties:      4,
		Renewable:          e.mint,
		CheckPath:          "/listings",
		Echo: func(text string) sandbox.Fault {
			return sandbox.Fault{HTTPStatus: 400, Body: `{"status":"fail","result":"` + text + `"}`}
		},
		EchoWant: connector.ErrBadRequest,
		EchoGrant: func(text string) sandbox.Fault {
			return sandbox.Fault{Path: "/v1/accessTokens", HTTPStatus: 401, Body: `{"error":"` + text + `"}`}
		},
	}
}

// TestContract runs the suite every vendor passes. The suite dates its
// queries by the wall clock, so the fake is seeded around it.
func TestContract(t *testing.T) {
	connectortest.Run(t, start(t, time.Now().UTC()).harness(t))
}

// TestWriteContract runs the suite of the write capabilities.
func TestWriteContract(t *testing.T) {
	connectortest.RunWrites(t, start(t, fixedNow).harness(t))
}
