package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hostgate/hostgate/store"
)

// The change feed (store.Fleet's Subscribe) is PostgreSQL's LISTEN/NOTIFY.
// A write sends its change with pg_notify inside its own transaction, so
// the change is delivered exactly when the write commits, never for a
// write rolled back. The channel is named after the schema, so that stores
// in different schemas of one database (the tests' schemas) do not hear
// each other; md5 keeps it within the 63 bytes of an identifier.
const channelSQL = `'hostgate_' || md5(current_schema())`

// notify sends c to every subscriber on the database when tx commits. On
// SQLite it does nothing: one process, whose own writes drop its caches.
func (tx *txn) notify(ctx context.Context, topic, key string) error {
	if tx.d.name != "postgres" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify(`+channelSQL+`, ?)`, topic+":"+key); err != nil {
		return fmt.Errorf("sqlstore: notify %s: %w", topic, err)
	}
	return nil
}

// writeNotify runs one statement in a write transaction and sends its
// change with it; no row changed is ErrNotFound and sends nothing.
func (s *Store) writeNotify(ctx context.Context, what, topic, key, query string, args ...any) error {
	return s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return wrap(what, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: %s: %w", what, store.ErrNotFound)
		}
		return tx.notify(ctx, topic, key)
	})
}

// Listener reconnection: the first retry comes soon (a restarted server
// or a killed backend is usually back at once), later ones back off.
// A listening connection that hears nothing for listenIdle is pinged: a
// connection dropped silently (a NAT or a proxy forgetting it) would
// otherwise wait forever and hear no revocation again.
const (
	listenRetryFirst = 50 * time.Millisecond
	listenRetryMax   = 5 * time.Second
	listenIdle       = 30 * time.Second
	listenPing       = 10 * time.Second
)

// Subscribe implements [store.Fleet]. On PostgreSQL it holds a connection
// of its own (outside the pool) that LISTENs; when that connection is lost
// it sends TopicReset, reconnects with backoff and, once listening again,
// sends TopicReset once more, since whatever was committed meanwhile went
// unheard. On SQLite it delivers nothing: only one process uses the file.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Change, error) {
	out := make(chan store.Change, 64)
	if s.pgcfg == nil {
		go func() {
			<-ctx.Done()
			close(out)
		}()
		return out, nil
	}
	conn, err := s.listen(ctx)
	if err != nil {
		return nil, err
	}
	go s.follow(ctx, conn, out)
	return out, nil
}

// listen opens the listening connection.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pgcfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: subscribe: %s", scrubPassword(err.Error(), s.pgcfg.ConnString()))
	}
	var channel string
	err = conn.QueryRow(ctx, `SELECT `+channelSQL).Scan(&channel)
	if err == nil {
		_, err = conn.Exec(ctx, `LISTEN `+pgx.Identifier{channel}.Sanitize())
	}
	if err == nil {
		// Named in pg_stat_activity, for an operator looking at the
		// server's connections.
		_, err = conn.Exec(ctx, `SELECT set_config('application_name', $1, false)`, channel)
	}
	if err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("sqlstore: subscribe: listen: %w", err)
	}
	return conn, nil
}

// wait returns the next notification on conn, or nil if none came for
// listenIdle and the connection still answers a ping.
func (s *Store) wait(ctx context.Context, conn *pgx.Conn) (*pgconn.Notification, error) {
	d := s.listenIdle
	if d <= 0 {
		d = listenIdle
	}
	idle, cancel := context.WithTimeout(ctx, d)
	n, err := conn.WaitForNotification(idle)
	cancel()
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return n, err
	}
	ping, cancel := context.WithTimeout(ctx, listenPing)
	defer cancel()
	return nil, conn.Ping(ping)
}

// follow delivers the notifications conn receives to out until ctx ends,
// reconnecting when conn is lost.
func (s *Store) follow(ctx context.Context, conn *pgx.Conn, out chan<- store.Change) {
	defer close(out)
	send := func(c store.Change) bool {
		select {
		case out <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		n, err := s.wait(ctx, conn)
		if err == nil {
			if n == nil { // idle, and the connection answers
				continue
			}
			topic, key, _ := strings.Cut(n.Payload, ":")
			if !send(store.Change{Topic: topic, Key: key}) {
				conn.Close(context.Background())
				return
			}
			continue
		}
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		// Lost: until it is back, a revocation elsewhere would go unheard.
		if !send(store.Change{Topic: store.TopicReset, Key: store.ResetLost}) {
			return
		}
		wait := listenRetryFirst
		for {
			if conn, err = s.listen(ctx); err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait = min(2*wait, listenRetryMax)
		}
		if !send(store.Change{Topic: store.TopicReset, Key: store.ResetBack}) {
			conn.Close(context.Background())
			return
		}
	}
}
