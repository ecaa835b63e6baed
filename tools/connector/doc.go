// Package connector is the contract between hostgate's tools and the vendor
// clients: a small Connector interface with optional capabilities found by
// type assertion, the normalized types every vendor maps its JSON to,
// vendor-qualified ids, the error sentinels and APIError, the Spec that
// describes each vendor as data, the Registry of configured vendors, and the
// Lifecycle: the one owner of hosts' connections (connect, check, renew,
// needs_reauth, disconnect), which is also each connection's token source.
//
// Every vendor call goes one way, Client.Do: the credential from the token
// source, one HTTP exchange (Send), the answer read by the vendor's API (a
// small interface: how the token is attached, how a response reads, and
// optional hooks for a vendor's quirks), on a refused token one renewal
// and one retry, and a failure as an *APIError built by one constructor
// with every secret cut by one rule (Redact). Vendor OAuth goes through
// x/oauth2 (OAuth.AuthCodeURL, ExchangeCode, RefreshGrant,
// ClientCredentials), or for a token endpoint that takes JSON through the
// same Client and one token-response parser.
//
// Two things sit on that path for every vendor: the read cache (Cache:
// per connection, fresh for as long as the kind of data allows, one vendor
// call for concurrent identical reads), which tools read through, and each
// vendor's rate budget (Budget: its published limits), which Client spends
// before every request.
//
// It also holds the pieces vendor clients share below their own rules: the
// loosely typed JSON value vendors send as a string or a number (Text), a
// pasted personal token (PastedToken, PastedTokenForm), and the checks of
// a query's dates and statuses (ValidDate, ReservationQuery.Problem,
// DateRange.Window).
//
// connector imports store (for its types) and libraries; a vendor package
// imports connector and libraries only.
package connector
