package connector_test

import (
	"slices"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/hostaway"
	"github.com/hostgate/hostgate/tools/connector/hostex"
)

// TestRegistry: vendors keep their order and are found by name; a
// connection of an unknown vendor has no connector; a nil registry has no
// vendors; a vendor registered twice is a programming error.
func TestRegistry(t *testing.T) {
	hx, hw := hostex.NewSpec(), hostaway.NewSpec()
	r := connector.NewRegistry(hx, hw)
	if got := r.Names(); !slices.Equal(got, []string{"hostex", "hostaway"}) {
		t.Fatalf("Names = %v", got)
	}
	if s, ok := r.Spec("hostaway"); !ok || s != hw {
		t.Fatalf("Spec(hostaway) = %v, %v", s, ok)
	}
	if _, ok := r.Spec("nope"); ok {
		t.Fatal("Spec(nope) found")
	}
	if cn, err := r.Connector(store.Connection{Vendor: "hostex"}, connector.StaticSource{}); err != nil || cn == nil {
		t.Fatalf("Connector(hostex) = %v, %v", cn, err)
	}
	if _, err := r.Connector(store.Connection{Vendor: "nope"}, connector.StaticSource{}); err == nil {
		t.Fatal("Connector of an unknown vendor succeeded")
	}
	var none *connector.Registry
	if _, ok := none.Spec("hostex"); ok || none.Names() != nil || none.Specs() != nil {
		t.Fatal("a nil registry has vendors")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a vendor registered twice did not panic")
		}
	}()
	connector.NewRegistry(hx, hostex.NewSpec())
}
