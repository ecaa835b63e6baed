package connector

import (
	"fmt"

	"github.com/hostgate/hostgate/store"
)

// Registry is the vendors hostgate is configured with: each one's Spec by
// name, in the order pages and tools present them, and the Connector it
// builds for a connection. It holds no credential; the token source a
// connector is built over does (see [Lifecycle.Source]). A nil *Registry
// has no vendors.
type Registry struct {
	specs  []*Spec
	byName map[string]*Spec
}

// NewRegistry returns the registry of the given vendors, in their order.
// Each name must be given once.
func NewRegistry(specs ...*Spec) *Registry {
	r := &Registry{byName: make(map[string]*Spec, len(specs))}
	for _, s := range specs {
		if _, dup := r.byName[s.Name]; dup {
			panic(fmt.Sprintf("connector: vendor %q registered twice", s.Name))
		}
		r.byName[s.Name] = s
		r.specs = append(r.specs, s)
	}
	return r
}

// Spec returns a vendor's spec by name.
func (r *Registry) Spec(vendor string) (*Spec, bool) {
	if r == nil {
		return nil, false
	}
	s, ok := r.byName[vendor]
	return s, ok
}

// Specs returns every vendor's spec, in order. The slice is the caller's;
// the specs are shared.
func (r *Registry) Specs() []*Spec {
	if r == nil {
		return nil
	}
	return append([]*Spec(nil), r.specs...)
}

// Names returns every vendor's name, in order.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.specs))
	for i, s := range r.specs {
		out[i] = s.Name
	}
	return out
}

// Connector builds the connector of one connection over a token source.
// Building makes no vendor call. A vendor the registry does not know is an
// error.
func (r *Registry) Connector(conn store.Connection, ts TokenSource) (Connector, error) {
	s, ok := r.Spec(conn.Vendor)
	if !ok {
		return nil, fmt.Errorf("connector: unknown vendor %q", conn.Vendor)
	}
	return s.New(s, ts), nil
}
