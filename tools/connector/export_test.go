package connector

import "time"

// SetSharedTimeout sets how long a shared budget waits for its counts: a
// test that queues hundreds of takes on one key at once, on a busy
// machine, waits longer than a vendor request would.
func SetSharedTimeout(b *Budget, d time.Duration) { b.shared.timeout = d }
