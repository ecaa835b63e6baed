// Package connector is the contract between hostgate's tools and the vendor
// clients: a small Connector interface with optional capabilities found by
// type assertion, the normalized types every vendor maps its JSON to,
// vendor-qualified ids, the error sentinels and APIError, the Spec that
// describes each vendor as data, and the token Source that keeps a
// connection's vendor token fresh (ARCHITECTURE flow 6).
//
// It also holds the pieces every vendor client shares below its own
// envelope and error rules: one HTTP exchange (Send, with NewRequest and
// Endpoint to build it), the loosely typed JSON value vendors send as a
// string or a number (Text), and the checks of a query's dates and
// statuses (ValidDate, ReservationQuery.Problem, DateRange.Window).
//
// connector imports store (for its types) and libraries; a vendor package
// imports connector and libraries only.
package connector
