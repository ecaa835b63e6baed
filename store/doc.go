// Package store defines hostgate's persistent data: the domain types, the
// narrow role interfaces each consumer depends on, the sentinel errors every
// backend returns, and the sealing of secrets that must be read back.
//
// Rules every backend keeps:
//   - our own authorization codes, tokens, client secrets and browser-session
//     ids reach the store only as SHA-256 hashes (see [Hash]);
//   - vendor secrets (Connection.Secret) are sealed with AES-256-GCM under a
//     key id before they are written, and opened only when read back;
//   - times are stored and returned in UTC;
//   - errors wrap the sentinels below, so callers use errors.Is.
//
// store imports nothing else from hostgate.
package store
