package main

import (
	"log/slog"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/tools/connector"
)

// shareBudgets makes the vendors' per-account rate limits count across
// every replica on a PostgreSQL database (connector.Budget.Share), where
// several replicas may serve one vendor account. On SQLite one process
// uses the file: its budgets count in memory, with no database write per
// vendor request.
func shareBudgets(st *sqlstore.Store, vendors []*connector.Spec, log *slog.Logger) {
	if st.Backend() != "postgres" {
		return
	}
	for _, v := range vendors {
		v.Budget.Share(st, log.With("component", "vendor"))
	}
}

// sharedSignInLimits is what counts password sign-in attempts for the
// whole fleet (signin.Config.SharedLimits): the shared rate counts on
// PostgreSQL, where a load balancer spreads one client's attempts over
// the replicas; nothing on SQLite, where one process counts them all.
func sharedSignInLimits(st *sqlstore.Store) store.RateBudgets {
	if st.Backend() != "postgres" {
		return nil
	}
	return st
}
