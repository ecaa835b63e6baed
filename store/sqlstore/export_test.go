package sqlstore

import "time"

// SetListenIdle sets how long the store's change feed waits on a silent
// connection before it pings it; call it before Subscribe.
func SetListenIdle(s *Store, d time.Duration) { s.listenIdle = d }
