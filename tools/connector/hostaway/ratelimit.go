package hostaway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hostaway counts 15 requests per 10 s per IP address and 20 per 10 s per
// account, and answers a request over either with a 429 that names no
// time to wait [C] (API reference, "Rate limits"; docs/vendors.md). Every
// request of connector's Client spends the Spec's Budget first, token
// mints included (they count against the address [C]); the account is
// found by the credential's ClientID, which is the Hostaway account id.
const window = 10 * time.Second

// limits are Hostaway's published limits [C].
var limits = []connector.Limit{
	{N: 15, Per: window, ByAddress: true},
	{N: 20, Per: window},
}

// budgeted gives every Spec Hostaway's budget. The package's tests turn it
// off: they run on a stopped clock and send more than a window allows;
// the tests of the budget itself turn it on.
var budgeted = true

// newBudget returns a Spec's budget: the address's limit is this
// process's, which one Spec serves; the accounts' are counted with the
// other replicas when cmd shares the budget (connector.Budget.Share).
func newBudget() *connector.Budget {
	if !budgeted {
		return nil
	}
	return connector.NewBudget(limits...)
}

// waitTurn is the client's check before each request. The Budget on
// connector's request path keeps the count; what is left here is to send
// nothing for a caller that already gave up.
func waitTurn(ctx context.Context, _ string) error { return ctx.Err() }

// backoff429 is the pause before the client's one retry of a request
// refused with a 429. Hostaway sends no Retry-After and its window is
// 10 s [C], but a tool call must not hang that long: the pause is the
// budget's bound on a wait, and a second 429 answers with the window as
// the time to retry (Read). The refusal came from Hostaway counting more
// than this process sent (another process, another integration of the
// account), which only waiting can cure. Tests shorten it.
var backoff429 = connector.DefaultMaxWait

// jittered adds up to 20% to d so that callers who were refused together do
// not come back together.
func jittered(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails (package docs)
	return d + time.Duration(binary.LittleEndian.Uint64(b[:])%uint64(d/5+1))
}
