package store

import (
	"context"
	"time"
)

// RateSpend is one rate limit a request spends: at most N requests in any
// Per, counted under Key.
//
// A limit is counted in RateSlots slots of Per/RateSlots: a request counts
// against the slot it is taken in, and the count of a window is the sum of
// the current slot and the RateSlots slots before it. So a request leaves
// the count between Per and Per plus a slot after it was taken, never
// before: no span of Per ever holds more than N admitted requests.
type RateSpend struct {
	// Key names what is counted: the vendor, the limit and the account
	// (a hash where the account is named by a token). It must carry no
	// secret. The keys of one take are distinct.
	Key string
	N   int
	Per time.Duration
}

// RateSlots is the number of slots a RateSpend's Per is counted in.
const RateSlots = 10

// RateBudgets counts requests against rate limits shared by every process
// on the database: the vendors' limits that are counted per account, which
// several replicas spend together.
type RateBudgets interface {
	// TakeRate counts one request against every spend, at now, if each of
	// them has room, and returns 0; otherwise it counts nothing and returns
	// how long from now until all of them have room (more than 0). It is
	// atomic among any number of callers in any number of processes: no
	// window of a key ever counts more than its N. A spend with N below 1
	// or Per below RateSlots nanoseconds is an error, and so are two
	// spends of one key.
	TakeRate(ctx context.Context, now time.Time, spends []RateSpend) (time.Duration, error)
	// SweepRates deletes the counts no window holds any more at now
	// (slots that ended over Per before it) and returns how many went.
	SweepRates(ctx context.Context, now time.Time) (int64, error)
}
