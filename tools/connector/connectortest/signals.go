package connectortest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// A Signal is one failure a fake is scripted to answer with, and what the
// client must make of it.
type Signal struct {
	Name  string
	Fault sandbox.Fault
	// Want is the sentinel the error wraps.
	Want error
	// Status, Code and RetryAfter are the *APIError's; a zero Status or an
	// empty Code matches any.
	Status     int
	Code       string
	RetryAfter time.Duration
	// NoCode: the error carries no code (the body was not the vendor's).
	NoCode bool
}

// A Call is one vendor call, through the counting Source it returns, to a
// fake started for it.
type Call func(t *testing.T) (*sandbox.Vendor, *Source, func(context.Context) error)

// Signals checks each signal in a subtest, on a fresh fake from start: the
// call's error is an *APIError of vendor and op that wraps the signal's
// sentinel, with its status, code and retry hint, and holds none of the
// secrets (nor the source's credential); and the call made one request to
// path ("" for any), neither retried nor renewed.
func Signals(t *testing.T, vendor, op, path string, signals []Signal, start Call, secrets ...string) {
	for _, sg := range signals {
		t.Run(sg.Name, func(t *testing.T) {
			v, src, call := start(t)
			v.Fail(sg.Fault)
			before := v.Requests(path)
			err := call(context.Background())
			cred := src.Credential()
			ae := WantErr(t, err, sg.Want, append([]string{cred.AccessToken, cred.RefreshToken, cred.ClientSecret}, secrets...)...)
			if ae == nil || ae.Vendor != vendor || ae.Op != op || sg.Status != 0 && ae.Status != sg.Status ||
				sg.Code != "" && ae.Code != sg.Code || sg.NoCode && ae.Code != "" || ae.RetryAfter != sg.RetryAfter {
				t.Errorf("APIError = %+v", ae)
			}
			if n := v.Requests(path) - before; n != 1 || src.Rejections() != 0 {
				t.Errorf("%d requests, %d rejections; want 1, 0", n, src.Rejections())
			}
		})
	}
}

// Cancels checks that calls give up with their caller. Against a fake
// that holds every API answer a minute, slow fails with
// context.DeadlineExceeded soon after its deadline, with none of the
// secrets in its text; and each of calls, made with a context already
// cancelled, fails with context.Canceled, never with ErrNeedsReauth.
func Cancels(t *testing.T, v *sandbox.Vendor, slow func(context.Context) error, calls map[string]func(context.Context) error, secrets ...string) {
	t.Helper()
	v.Fail(sandbox.Fault{Delay: time.Minute, Times: -1})
	t.Cleanup(v.ClearFaults)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := slow(ctx); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("slow vendor: %v after %v", err, time.Since(start))
	} else {
		NoSecret(t, err, secrets...)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	for name, call := range calls {
		if err := call(ctx); !errors.Is(err, context.Canceled) || errors.Is(err, connector.ErrNeedsReauth) {
			t.Errorf("%s cancelled: %v", name, err)
		}
	}
}
