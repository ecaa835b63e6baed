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
	clk := &clock{t: time.Now().UTC()}
	v := sandbox.NewHostex(sandbox.Options{Now: clk.Now})
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	connectortest.Run(t, connectortest.Harness{
		Spec:               pointAt(NewSpec(), v, clk),
		Cred:               connector.Credential{AccessToken: sandbox.HostexWritableToken},
		Vendor:             v,
		Secrets:            allSecrets,
		UnauthorizedStatus: 401, // error_code 401 inside HTTP 200
		MinProperties:      4,
	})
}
