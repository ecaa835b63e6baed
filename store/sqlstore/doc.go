// Package sqlstore is the SQLite implementation of [store.Store], on the
// pure-Go driver modernc.org/sqlite.
//
// The database is one file in WAL mode. Every connection is opened with
// busy_timeout, foreign_keys and synchronous=FULL set through the DSN, so a
// pooled connection cannot miss them. Writes go through a pool of exactly one
// connection whose transactions begin IMMEDIATE: writers queue in Go rather
// than deadlock upgrading a read lock, and no transaction ever waits on the
// network. Reads go through a separate pool of several query-only
// connections, which WAL lets run beside the writer.
//
// The schema is a numbered series of migrations embedded in the binary
// (migrations/NNNN_name.sql), applied at [Open] in a transaction each and
// recorded in schema_migrations, so re-opening applies nothing twice.
//
// Representation: times are INTEGER unix nanoseconds (NULL for the zero
// time) and come back in UTC; string lists are JSON arrays; a connection's
// secret is sealed with the [store.Keyring] under the additional data
// "id\x00user_id", so a sealed blob moved to another row does not open.
//
// Deletes, updates and touches of a row that does not exist return an error
// wrapping [store.ErrNotFound]; so does an insert that references a missing
// user, client or grant — except a draft's grant, which is no foreign key,
// so that the host's record of a write outlives the grant it came through.
// Revoking what is already revoked keeps the first revocation time and
// succeeds.
package sqlstore
