package tools

import (
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/hospitable"
	"github.com/hostgate/hostgate/tools/connector/hostaway"
	"github.com/hostgate/hostgate/tools/connector/hostex"
	"github.com/hostgate/hostgate/tools/connector/hoxtonai"
)

// Vendors returns a fresh spec of every vendor hostgate supports, with the
// real base URLs. Adding a vendor is one package, its sandbox fake, and one
// line here.
func Vendors() []*connector.Spec {
	return []*connector.Spec{
		hostex.NewSpec(),
		hospitable.NewSpec(),
		hostaway.NewSpec(),
		hoxtonai.NewSpec(),
	}
}
