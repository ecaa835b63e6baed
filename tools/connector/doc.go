// Package connector is the contract between hostgate's tools and the vendor
// clients: a small Connector interface with optional capabilities found by
// type assertion, the normalized types every vendor maps its JSON to,
// vendor-qualified ids, the error sentinels and APIError, the Spec that
// describes each vendor as data, and the token Source that keeps a
// connection's vendor token fresh (ARCHITECTURE flow 6).
//
// connector imports store (for its types) and libraries; a vendor package
// imports connector and libraries only.
package connector
