package connectortest

import (
	"context"
	"sync"

	"github.com/hostgate/hostgate/tools/connector"
)

// Source is a connector.TokenSource double that counts how often the
// client reported a refused token. Token hands out Cred. Rejected counts
// the call, then returns RejectErr when it is set; else Cred renewed
// through Renew (which then replaces Cred) when that is set; else Cred
// unchanged, as a source that cannot renew but does not object would.
//
// Set the fields while no call is in flight; read the current credential
// with Credential. The methods are safe for concurrent use.
type Source struct {
	Cred      connector.Credential
	Renew     func(ctx context.Context, c connector.Credential) (connector.Credential, error)
	RejectErr error

	mu       sync.Mutex
	rejected int
}

// Token returns the current credential.
func (s *Source) Token(context.Context) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Cred, nil
}

// Rejected counts the refusal and answers as the fields say.
func (s *Source) Rejected(ctx context.Context, _ string) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected++
	if s.RejectErr != nil {
		return connector.Credential{}, s.RejectErr
	}
	if s.Renew != nil {
		fresh, err := s.Renew(ctx, s.Cred)
		if err != nil {
			return connector.Credential{}, err
		}
		s.Cred = fresh
	}
	return s.Cred, nil
}

// Rejections is how many times Rejected was called.
func (s *Source) Rejections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// Credential is the current credential: Cred, or what Renew last returned.
func (s *Source) Credential() connector.Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Cred
}

// RefreshWith is a Source.Renew that renews through the spec's Refresh, as
// hostgate's own token source does.
func RefreshWith(spec *connector.Spec) func(context.Context, connector.Credential) (connector.Credential, error) {
	return func(ctx context.Context, c connector.Credential) (connector.Credential, error) {
		return spec.Refresh(ctx, spec, c)
	}
}
