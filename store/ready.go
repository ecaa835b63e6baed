package store

import "context"

// Readiness is what a readiness check asks of the database beyond that it
// answers (Store.Ping): whether its schema is the one this version of
// hostgate was built for.
type Readiness interface {
	// SchemaCurrent reports whether every schema migration this version
	// knows has been applied. A database migrated further, by a newer
	// version sharing it during a rolling upgrade, is current: migrations
	// only add, so an older version still finds what it reads. It honours
	// ctx and fails, rather than answering false, when the database does
	// not answer.
	SchemaCurrent(ctx context.Context) (bool, error)
}
