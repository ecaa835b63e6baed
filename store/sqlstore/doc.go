// Package sqlstore is the SQL implementation of [store.Store], on SQLite
// (the pure-Go driver modernc.org/sqlite; [Open]) or on PostgreSQL (pgx
// through database/sql; [OpenPostgres]). The queries are written once, in
// SQL both accept, with ? placeholders; a small dialect (dialect.go) holds
// what differs: placeholders rewritten as $1… once per query string, row
// locks, the health check's query, the migration set and its lock, the
// re-seal barrier. Errors map to the same sentinels on both.
//
// SQLite: one file in WAL mode. Every connection is opened with
// busy_timeout, foreign_keys and synchronous=FULL set through the DSN, so a
// pooled connection cannot miss them. Writes go through a pool of exactly one
// connection whose transactions begin IMMEDIATE: writers queue in Go rather
// than deadlock upgrading a read lock, and no transaction ever waits on the
// network. Reads go through a separate pool of several query-only
// connections, which WAL lets run beside the writer.
//
// PostgreSQL: one pool for reads and writes, shared by as many processes
// (replicas) as use the database. Write transactions run at READ COMMITTED
// and lock explicitly: each first locks the row its decision rests on
// (SELECT … FOR UPDATE of the connection, the grant, the team, the clients
// a sweep deletes) or opens with the conditional write that locks it (a
// code redeemed, an invitation accepted, a draft moved from a status).
// A second transaction wanting the same row waits and then, its next
// statement taking a fresh snapshot, sees what the first committed. That is
// SQLite's single writer at the grain of a row: of two conflicting writes
// one goes first and the other builds on it, so the store's contract holds
// as it does on SQLite. Explicit locks rather than SERIALIZABLE, because
// under serializable snapshot isolation every writer that waited for a
// busy row fails with a serialization error and must start again: a
// connection renewed by several replicas at once would cost retries in
// turn, and UpdateConnection's function would run more than once, while
// here it runs once, on the row as it is. Where two rows are involved the
// order is fixed (codes before grants, grants before tokens), so no two
// transactions wait for each other; should the database still abort one
// (deadlock, serialization failure), it runs again, a few times at most.
//
// The schema is a numbered series of migrations embedded in the binary,
// one set per database (migrations/NNNN_name.sql for SQLite,
// migrations/postgres/NNNN_name.sql for PostgreSQL: the same numbers and
// names, each the same change), applied when the store opens, in a
// transaction each, recorded in schema_migrations, so re-opening applies
// nothing twice and processes starting together apply each once.
//
// Representation: times are integer unix nanoseconds (NULL for the zero
// time) and come back in UTC; string lists are JSON arrays; a connection's
// secret is sealed with the [store.Keyring] under the additional data
// "id\x00user_id", so a sealed blob moved to another row does not open.
// On PostgreSQL ids, hashes and the names lists are sorted by compare byte
// by byte (COLLATE "C"), as on SQLite, whatever the database's locale.
//
// Deletes, updates and touches of a row that does not exist return an error
// wrapping [store.ErrNotFound]; so does an insert that references a missing
// user, client or grant — except a draft's grant, which is no foreign key,
// so that the host's record of a write outlives the grant it came through.
// Revoking what is already revoked keeps the first revocation time and
// succeeds.
package sqlstore
